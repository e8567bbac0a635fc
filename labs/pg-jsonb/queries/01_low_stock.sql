-- pg-jsonb: write this file as README.md asks (01_low_stock.sql).

