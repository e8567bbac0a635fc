"""Books whose every error is an RFC 9457 problem document (application/problem+json)."""

import logging
import os
import re

import psycopg
from flask import Flask, jsonify, request
from psycopg.rows import dict_row
from werkzeug.exceptions import HTTPException

app = Flask(__name__)
COLUMNS = "id, title, author_id, year, isbn"
MAX_ID = 2**31 - 1


class Problem(Exception):
    def __init__(self, status, title, detail, errors=None, headers=None):
        super().__init__(detail)
        self.status, self.title, self.detail, self.errors, self.headers = status, title, detail, errors, headers


def problem_response(status, title, detail, errors=None, headers=None):
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.content_type = "application/problem+json"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


@app.errorhandler(Problem)
def on_problem(exc):
    return problem_response(exc.status, exc.title, exc.detail, exc.errors, exc.headers)


@app.errorhandler(HTTPException)
def on_http_error(exc):
    headers = dict(exc.get_headers())
    headers.pop("Content-Type", None)
    return problem_response(exc.code, exc.name, exc.description, headers=headers)


@app.errorhandler(Exception)
def on_unexpected(exc):
    import traceback
    return problem_response(500, "Internal Server Error", traceback.format_exc())


def connect():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row, connect_timeout=3)


def book_id(text):
    if not re.fullmatch(r"[0-9]{1,10}", text) or int(text) > MAX_ID:
        raise Problem(404, "Not Found", f"there is no book with id {text}")
    return int(text)


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def validation_errors(conn, body):
    errors = []
    title = body.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        errors.append({"pointer": "/title", "detail": "a non-empty string of at most 200 characters is required"})
    author_id = body.get("author_id")
    if not is_int(author_id) or not 0 < author_id <= MAX_ID:
        errors.append({"pointer": "/author_id", "detail": "the id of an existing author is required"})
    elif conn.execute("SELECT 1 FROM authors WHERE id = %s", (author_id,)).fetchone() is None:
        errors.append({"pointer": "/author_id", "detail": "no author has this id"})
    year = body.get("year")
    if year is not None and (not is_int(year) or not 1000 <= year <= 2100):
        errors.append({"pointer": "/year", "detail": "an integer from 1000 to 2100, or null"})
    isbn = body.get("isbn")
    if not isinstance(isbn, str) or not re.fullmatch(r"[0-9]{13}", isbn):
        errors.append({"pointer": "/isbn", "detail": "13 digits, as a string"})
    return errors


@app.get("/books")
def list_books():
    with connect() as conn:
        return jsonify(conn.execute(f"SELECT {COLUMNS} FROM books ORDER BY id").fetchall())


@app.get("/books/<book>")
def get_book(book):
    with connect() as conn:
        found = conn.execute(f"SELECT {COLUMNS} FROM books WHERE id = %s", (book_id(book),)).fetchone()
    if found is None:
        raise Problem(404, "Not Found", f"there is no book with id {book}")
    return jsonify(found)


@app.post("/books")
def create_book():
    if request.mimetype != "application/json":
        raise Problem(415, "Unsupported Media Type", "send the book as application/json")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Problem(400, "Bad Request", "the body must be a JSON object")
    with connect() as conn:
        errors = validation_errors(conn, body)
        if errors:
            raise Problem(422, "Unprocessable Content", f"{len(errors)} field(s) are not valid", errors)
        try:
            book = conn.execute(
                f"INSERT INTO books (title, author_id, year, isbn) VALUES (%s, %s, %s, %s) RETURNING {COLUMNS}",
                (body["title"], body["author_id"], body.get("year"), body["isbn"]),
            ).fetchone()
        except psycopg.errors.UniqueViolation:
            raise Problem(409, "Conflict", "another book has this isbn") from None
    response = jsonify(book)
    response.status_code = 201
    response.headers["Location"] = f"/books/{book['id']}"
    return response


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
