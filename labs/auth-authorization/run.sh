#!/bin/sh
# How the grader starts your app. PORT, DATABASE_URL and PYTHON are set for you.
exec "$PYTHON" app.py
