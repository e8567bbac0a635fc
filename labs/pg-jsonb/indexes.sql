-- pg-jsonb: write this file as README.md asks (indexes.sql).

