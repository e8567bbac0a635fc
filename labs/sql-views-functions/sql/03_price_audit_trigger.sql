-- Task 3 of README.md: write your statement(s) below.

