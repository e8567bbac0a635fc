"""Books as a REST resource, described by openapi.json (served at /openapi.json)."""

import json
import os
import re
from pathlib import Path

import psycopg
from flask import Flask, jsonify, request
from psycopg.rows import dict_row

app = Flask(__name__)
COLUMNS = "id, title, author_id, year, isbn"
MAX_ID = 2**31 - 1  # PostgreSQL integer: a larger id cannot exist, and must not reach the database


def connect():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row)


def find(conn, book_id):
    return conn.execute(f"SELECT {COLUMNS} FROM books WHERE id = %s", (book_id,)).fetchone()


def parse_id(text):
    return int(text) if re.fullmatch(r"[0-9]{1,10}", text) and int(text) <= MAX_ID else None


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def validate(conn, body):
    """Field name -> what is wrong with it; empty when the book is valid."""
    errors = {}
    title = body.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        errors["title"] = "required: a non-empty string of at most 200 characters"
    author_id = body.get("author_id")
    if not is_int(author_id) or not 0 < author_id <= MAX_ID:
        errors["author_id"] = "required: the id of an existing author"
    elif conn.execute("SELECT 1 FROM authors WHERE id = %s", (author_id,)).fetchone() is None:
        errors["author_id"] = f"no author has id {author_id}"
    year = body.get("year")
    if year is not None and (not is_int(year) or not 1000 <= year <= 2100):
        errors["year"] = "an integer between 1000 and 2100, or null"
    isbn = body.get("isbn")
    if not isinstance(isbn, str) or not re.fullmatch(r"[0-9]{13}", isbn):
        errors["isbn"] = "required: 13 digits, as a string"
    return errors


def read_body():
    body = request.get_json()  # wrong: broken JSON raises, and Flask answers its own HTML 400
    return body if isinstance(body, dict) else None


def problem(status, message, errors=None):
    payload = {"message": message}
    if errors:
        payload["errors"] = errors
    return jsonify(payload), status


@app.get("/openapi.json")
def openapi_document():
    return jsonify(json.loads(Path(__file__).with_name("openapi.json").read_text()))


@app.get("/books")
def list_books():
    with connect() as conn:
        return jsonify(conn.execute(f"SELECT {COLUMNS} FROM books ORDER BY id").fetchall())


@app.get("/books/<book_id>")
def get_book(book_id):
    number = parse_id(book_id)
    with connect() as conn:
        book = find(conn, number) if number is not None else None
    return jsonify(book) if book else problem(404, "no such book")


@app.post("/books")
def create_book():
    body = read_body()
    if body is None:
        return problem(400, "the body must be a JSON object")
    with connect() as conn:
        errors = validate(conn, body)
        if errors:
            return problem(422, "the book is not valid", errors)
        try:
            book = conn.execute(
                f"INSERT INTO books (title, author_id, year, isbn) VALUES (%s, %s, %s, %s) RETURNING {COLUMNS}",
                (body["title"], body["author_id"], body.get("year"), body["isbn"]),
            ).fetchone()
        except psycopg.errors.UniqueViolation:
            return problem(409, "another book has this isbn")
    response = jsonify(book)
    response.status_code = 201
    response.headers["Location"] = f"/books/{book['id']}"
    return response


@app.put("/books/<book_id>")
def replace_book(book_id):
    number = parse_id(book_id)
    body = read_body()
    with connect() as conn:
        if number is None or find(conn, number) is None:
            return problem(404, "no such book")
        if body is None:
            return problem(400, "the body must be a JSON object")
        errors = validate(conn, body)
        if errors:
            return problem(422, "the book is not valid", errors)
        try:
            book = conn.execute(
                f"UPDATE books SET title = %s, author_id = %s, year = %s, isbn = %s WHERE id = %s RETURNING {COLUMNS}",
                (body["title"], body["author_id"], body.get("year"), body["isbn"], number),
            ).fetchone()
        except psycopg.errors.UniqueViolation:
            return problem(409, "another book has this isbn")
    return jsonify(book) if book else problem(404, "no such book")


@app.delete("/books/<book_id>")
def delete_book(book_id):
    number = parse_id(book_id)
    with connect() as conn:
        deleted = number is not None and conn.execute("DELETE FROM books WHERE id = %s", (number,)).rowcount == 1
    return ("", 204) if deleted else problem(404, "no such book")


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
