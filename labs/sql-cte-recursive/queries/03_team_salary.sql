-- Task 3 of README.md: write one SELECT statement below.

