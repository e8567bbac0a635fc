"""Books, with errors as a client meets them today: plain JSON here, Flask's HTML pages elsewhere,
and whatever an unexpected exception turns into. Make every error a problem document (README)."""

import os
import re

import psycopg
from flask import Flask, jsonify, request
from psycopg.rows import dict_row

app = Flask(__name__)
COLUMNS = "id, title, author_id, year, isbn"


def connect():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row, connect_timeout=3)


@app.get("/books")
def list_books():
    with connect() as conn:
        return jsonify(conn.execute(f"SELECT {COLUMNS} FROM books ORDER BY id").fetchall())


@app.get("/books/<book>")
def get_book(book):
    if not re.fullmatch(r"[0-9]{1,9}", book):
        return jsonify({"message": "not found"}), 404
    with connect() as conn:
        found = conn.execute(f"SELECT {COLUMNS} FROM books WHERE id = %s", (int(book),)).fetchone()
    return jsonify(found) if found else (jsonify({"message": "not found"}), 404)


@app.post("/books")
def create_book():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify({"message": "bad request"}), 400
    title, isbn = body.get("title"), body.get("isbn")
    if not isinstance(title, str) or not title.strip():
        return jsonify({"message": "title is required"}), 422
    if not isinstance(isbn, str) or not re.fullmatch(r"[0-9]{13}", isbn):
        return jsonify({"message": "isbn must be 13 digits"}), 422
    with connect() as conn:
        book = conn.execute(
            f"INSERT INTO books (title, author_id, year, isbn) VALUES (%s, %s, %s, %s) RETURNING {COLUMNS}",
            (title, body.get("author_id"), body.get("year"), isbn),
        ).fetchone()
    response = jsonify(book)
    response.status_code = 201
    response.headers["Location"] = f"/books/{book['id']}"
    return response


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
