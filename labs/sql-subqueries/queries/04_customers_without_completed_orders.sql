-- Task 4 of README.md: write one SELECT statement below.

