"""Product search and sort over PostgreSQL, with every value sent as a query parameter.

Values (the search text, the category, the price) travel as parameters: the server never parses
them as SQL. Identifiers and keywords cannot be parameters, so the sort column and direction are
chosen from a whitelist of fixed SQL fragments — the client's text is only ever a key.
"""

import os
import re

import psycopg
from flask import Flask, jsonify, request
from psycopg.rows import dict_row

app = Flask(__name__)
SORTS = {"id": "id", "name": "name", "price": "price"}
DIRECTIONS = {"asc": "ASC", "desc": "DESC"}
PRICE = re.compile(r"[0-9]{1,6}(\.[0-9]{1,2})?")


def connect():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row)


def bad_request(message):
    return jsonify({"error": message}), 400


@app.get("/products")
def search():
    q = request.args.get("q", "")
    category = request.args.get("category")
    max_price = request.args.get("max_price")
    sort = SORTS.get(request.args.get("sort", "id"))
    direction = DIRECTIONS.get(request.args.get("order", "asc"))
    if sort is None:
        return bad_request(f"sort must be one of: {', '.join(SORTS)}")
    if direction is None:
        return bad_request("order must be asc or desc")
    if max_price is not None and not PRICE.fullmatch(max_price):
        return bad_request("max_price must be a number such as 25 or 19.99")
    where, params = ["strpos(lower(name), lower(%s)) > 0"], [q]  # a plain substring: % and _ are just characters
    if category is not None:
        where.append("category = %s")
        params.append(category)
    if max_price is not None:
        where.append("price < %s::numeric")
        params.append(max_price)
    query = (f"SELECT id, name, category, price::float AS price FROM products WHERE {' AND '.join(where)} "
             f"ORDER BY {sort} {direction}, id")  # only whitelisted fragments are formatted in
    with connect() as conn:
        return jsonify(conn.execute(query, params).fetchall())


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
