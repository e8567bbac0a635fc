-- pg-full-text-search: CREATE FUNCTION suggest_titles(q text) (README.md, task 3).

