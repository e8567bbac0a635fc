-- pg-full-text-search: the search column and the indexes (README.md, task 1).

