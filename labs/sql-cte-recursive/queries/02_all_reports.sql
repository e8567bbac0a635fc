-- Task 2 of README.md: write one SELECT statement below.

