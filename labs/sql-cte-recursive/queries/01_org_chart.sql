-- Task 1 of README.md: write one SELECT statement below.

