"""Books as a REST resource. Start here: run.sh starts this file with PORT and DATABASE_URL set.

The first route works; the others answer 501 Not Implemented until you write them (see README).
"""

import os

import psycopg
from flask import Flask, jsonify
from psycopg.rows import dict_row

app = Flask(__name__)


def connect():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row)


@app.get("/books")
def list_books():
    with connect() as conn:
        return jsonify(conn.execute("SELECT id, title, author_id, year, isbn FROM books ORDER BY id").fetchall())


@app.get("/books/<book_id>")
def get_book(book_id):
    return jsonify({"message": "not implemented yet"}), 501


@app.post("/books")
def create_book():
    return jsonify({"message": "not implemented yet"}), 501


@app.put("/books/<book_id>")
def replace_book(book_id):
    return jsonify({"message": "not implemented yet"}), 501


@app.delete("/books/<book_id>")
def delete_book(book_id):
    return jsonify({"message": "not implemented yet"}), 501


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
