#!/bin/sh
# How the grader starts your app. PORT, DATABASE_URL and PYTHON are set for you.
# To write your app in another language, change this line, e.g. `exec node app.js`.
exec "$PYTHON" app.py
