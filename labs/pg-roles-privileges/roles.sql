-- pg-roles-privileges: grant the roles lab_reporting, lab_analyst and lab_app exactly what
-- README.md asks for, and nothing more. The roles already exist (the grader creates them).
-- This file runs once, as the owner of the shop schema and its tables.

