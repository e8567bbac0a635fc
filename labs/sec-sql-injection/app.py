"""Product search and sort over PostgreSQL. It works for ordinary searches — and it builds its SQL
by pasting the request's text into it. See README: make it immune to SQL injection.
"""

import os

import psycopg
from flask import Flask, jsonify, request
from psycopg.rows import dict_row

app = Flask(__name__)


def connect():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row)


@app.get("/products")
def search():
    q = request.args.get("q", "")
    category = request.args.get("category")
    max_price = request.args.get("max_price")
    sort = request.args.get("sort", "id")
    order = request.args.get("order", "asc")
    query = f"SELECT id, name, category, price::float AS price FROM products WHERE name ILIKE '%{q}%'"
    if category is not None:
        query += f" AND category = '{category}'"
    if max_price is not None:
        query += f" AND price <= {max_price}"
    query += f" ORDER BY {sort} {order}, id"
    with connect() as conn:
        return jsonify(conn.execute(query).fetchall())


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
