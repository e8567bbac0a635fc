-- Task 1 of README.md: write your statement(s) below.

