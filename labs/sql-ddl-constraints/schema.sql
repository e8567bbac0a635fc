-- README.md, tasks 1-3: write the CREATE TABLE statements of the school's schema below.
-- The file runs once, as written, on an empty database.

