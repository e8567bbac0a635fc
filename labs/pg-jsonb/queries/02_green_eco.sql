-- pg-jsonb: write this file as README.md asks (02_green_eco.sql).

