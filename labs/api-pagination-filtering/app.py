"""Books, all at once: GET /books returns every book in one answer. Make it page (README)."""

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
        rows = conn.execute("SELECT id, title, author_id, genre, price, added_at FROM books ORDER BY added_at, id"
                            ).fetchall()
    items = [{**row, "price": f"{row['price']:.2f}", "added_at": row["added_at"].isoformat()} for row in rows]
    return jsonify({"items": items, "next_cursor": None})


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
