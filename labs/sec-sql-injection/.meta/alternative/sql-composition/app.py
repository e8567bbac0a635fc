"""Product search composed with psycopg.sql: identifiers quoted by the driver after a whitelist,
values as parameters, LIKE wildcards escaped so that the search stays a plain substring."""

import os
from decimal import Decimal, InvalidOperation

import psycopg
from flask import Flask, jsonify, request
from psycopg import sql
from psycopg.rows import dict_row

app = Flask(__name__)
SORTABLE = frozenset({"id", "name", "price"})
DIRECTION = {"asc": sql.SQL("ASC"), "desc": sql.SQL("DESC")}


def connect():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row)


def like_escape(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def price(text):
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() and 0 <= value < 10**6 and value == round(value, 2) and "e" not in text.lower() \
        else None


@app.get("/products")
def search():
    args = request.args
    column, order = args.get("sort", "id"), args.get("order", "asc")
    if column not in SORTABLE or order not in DIRECTION:
        return jsonify({"error": "sort: id, name or price; order: asc or desc"}), 422
    conditions = [sql.SQL("name ILIKE {} ESCAPE '\\'").format("%" + like_escape(args.get("q", "")) + "%")]
    if "category" in args:
        conditions.append(sql.SQL("category = {}").format(args["category"]))
    if "max_price" in args:
        limit = price(args["max_price"])
        if limit is None:
            return jsonify({"error": "max_price: a number"}), 422
        conditions.append(sql.SQL("price <= {}").format(limit))
    query = sql.SQL("SELECT id, name, category, price::float AS price FROM products WHERE {} ORDER BY {} {}, id").format(
        sql.SQL(" AND ").join(conditions), sql.Identifier(column), DIRECTION[order])
    with connect() as conn:
        return jsonify(conn.execute(query).fetchall())


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
