-- pg-jsonb: write this file as README.md asks (03_sold_out_sizes.sql).

