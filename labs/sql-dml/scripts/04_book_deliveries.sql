-- Task 4 of README.md: write your statement(s) below.

