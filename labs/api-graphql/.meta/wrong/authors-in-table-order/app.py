"""Books and authors over GraphQL (graphql-core), without N+1 queries: each list level of a
query is loaded with one SQL statement, whatever its length (batched by the parent resolver)."""

import os
from pathlib import Path

import psycopg
from flask import Flask, jsonify, request
from graphql import build_schema, graphql_sync
from psycopg.rows import dict_row

app = Flask(__name__)
schema = build_schema(Path(__file__).with_name("schema.graphql").read_text())


class Loader:
    """One per request: rows loaded by id, and the children of many parents in one statement."""

    def __init__(self, conn):
        self.conn = conn
        self.authors = {}
        self.books_by_author = {}

    def load_authors(self, ids):
        missing = sorted(set(ids) - set(self.authors))
        if missing:
            for row in self.conn.execute("SELECT id, name FROM authors WHERE id = ANY(%s)", (missing,)):
                self.authors[row["id"]] = row
        return [self.authors[i] for i in ids]

    def load_books_of(self, author_ids):
        missing = sorted(set(author_ids) - set(self.books_by_author))
        if missing:
            for author_id in missing:
                self.books_by_author[author_id] = []
            rows = self.conn.execute("SELECT id, title, year, author_id FROM books WHERE author_id = ANY(%s) "
                                     "ORDER BY id", (missing,)).fetchall()
            for row in rows:
                self.books_by_author[row["author_id"]].append(row)
        return [self.books_by_author[i] for i in author_ids]


def with_authors(info, books):
    """The parent loads the authors of all its books at once; Book.author then only looks them up."""
    info.context.load_authors([b["author_id"] for b in books])
    return books


def resolve_books(_, info, limit=10):
    if not 1 <= limit <= 100:
        raise ValueError("limit must be from 1 to 100")
    rows = info.context.conn.execute("SELECT id, title, year, author_id FROM books ORDER BY id LIMIT %s",
                                     (limit,)).fetchall()
    return with_authors(info, rows)


def resolve_book(_, info, id):
    row = info.context.conn.execute("SELECT id, title, year, author_id FROM books WHERE id = %s",
                                    (id,)).fetchone()
    return with_authors(info, [row])[0] if row else None


def resolve_authors(_, info):
    rows = info.context.conn.execute("SELECT id, name FROM authors").fetchall()
    for row in rows:
        info.context.authors[row["id"]] = row
    info.context.load_books_of([r["id"] for r in rows])
    return rows


def resolve_book_author(book, info):
    return info.context.load_authors([book["author_id"]])[0]


def resolve_author_books(author, info):
    return info.context.load_books_of([author["id"]])[0]


schema.query_type.fields["books"].resolve = resolve_books
schema.query_type.fields["book"].resolve = resolve_book
schema.query_type.fields["authors"].resolve = resolve_authors
schema.get_type("Book").fields["author"].resolve = resolve_book_author
schema.get_type("Author").fields["books"].resolve = resolve_author_books


@app.post("/graphql")
def graphql_endpoint():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return jsonify({"errors": [{"message": "send {\"query\": \"…\"} as JSON"}]}), 400
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row) as conn:
        result = graphql_sync(schema, body["query"], context_value=Loader(conn),
                              variable_values=body.get("variables"))
    return jsonify(result.formatted)


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ["PORT"]), threaded=True)
