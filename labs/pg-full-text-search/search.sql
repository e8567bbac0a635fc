-- pg-full-text-search: CREATE FUNCTION search_articles(q text) (README.md, task 2).

