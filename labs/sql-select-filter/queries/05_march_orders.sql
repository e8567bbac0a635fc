-- Task 5 of README.md: write one SELECT statement below.

