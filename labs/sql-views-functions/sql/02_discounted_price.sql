-- Task 2 of README.md: write your statement(s) below.

