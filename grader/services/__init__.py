"""Database servers for grading: one module per service, one small interface, several backends."""
