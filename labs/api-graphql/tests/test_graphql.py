"""Public checks for api-graphql: results compared with the database, and the number of SQL
statements your app sends per GraphQL request counted on the wire (it must not grow with the list)."""

import pytest

from grader.apps import expect

BOOKS = "{ books(limit: 25) { id title year author { id name } } }"
AUTHORS = "{ authors { id name books { id title author { id } } } }"


def ask(http, query, variables=None):
    response = http.post("/graphql", json={"query": query, "variables": variables or {}})
    expect.status(response, 200, "a GraphQL answer is 200 with data (and errors, if any)", http.reveal)
    body = expect.json_body(response, http.reveal)
    return response, body


def data(http, query, variables=None):
    response, body = ask(http, query, variables)
    assert not body.get("errors"), (f"POST /graphql answered errors: {body['errors']}" if http.reveal
                                    else "POST /graphql answered errors")
    expect.fields(response, body, ["data"])
    return response, body["data"]


def expected_books(db, limit):
    rows = db.rows("SELECT b.id, b.title, b.year, a.id, a.name "
                   "FROM public.books b JOIN public.authors a ON a.id = b.author_id "
                   "ORDER BY b.id LIMIT %s", (limit,))
    return [{"id": i, "title": t, "year": y, "author": {"id": ai, "name": an}} for i, t, y, ai, an in rows]


def expected_authors(db):
    authors = db.rows("SELECT id, name FROM public.authors ORDER BY id")
    books = db.rows("SELECT id, title, author_id FROM public.books ORDER BY id")
    return [{"id": a, "name": n, "books": [{"id": b, "title": t, "author": {"id": a}} for b, t, w in books if w == a]}
            for a, n in authors]


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_books_with_authors(http, db):
    """books(limit: 25) with their authors: ordered by id, year null where unknown"""
    response, got = data(http, BOOKS)
    expect.equal(response, "data.books", got.get("books"), expected_books(db, 25), http.reveal)


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_one_book(http, db):
    """book(id:) returns that book, and null for an id no book has"""
    book_id = db.scalar("SELECT min(id) FROM public.books WHERE year IS NULL")
    query = "query One($id: Int!) { book(id: $id) { id title year author { name } } }"
    response, got = data(http, query, {"id": book_id})
    want = expected_books(db, 10_000)
    one = next(b for b in want if b["id"] == book_id)
    expect.equal(response, "data.book", got.get("book"),
                 {**{k: one[k] for k in ("id", "title", "year")}, "author": {"name": one["author"]["name"]}},
                 http.reveal)
    response, got = data(http, query, {"id": db.scalar("SELECT max(id) FROM public.books") + 999})
    expect.equal(response, "data.book for an unknown id", got.get("book"), None, http.reveal)


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_authors_with_books(http, db):
    """authors with their books (ordered by id; [] for an author without books)"""
    response, got = data(http, AUTHORS)
    expect.equal(response, "data.authors", got.get("authors"), expected_authors(db), http.reveal)


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_limit_is_enforced(http, db):
    """books(limit: N) for N from 1 to 100, both edges included; 0, 101 and 500 are refused with a GraphQL
    error, not a server error"""
    for limit in (1, 100):
        _, got = data(http, f"{{ books(limit: {limit}) {{ id }} }}")
        want = [{"id": book["id"]} for book in expected_books(db, limit)]
        assert got.get("books") == want, (f"books(limit: {limit}) must answer the first {min(limit, len(want))} "
                                          "book(s) by id: 1 and 100 are allowed limits")
    for limit in (0, 101, 500):
        _, body = ask(http, f"{{ books(limit: {limit}) {{ id }} }}")
        assert body.get("errors"), f"books(limit: {limit}) must answer an error: limit is from 1 to 100"


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_books_and_authors_in_constant_statements(http, app):
    """books(limit: 25) with authors costs at most 3 SQL statements, not one per book"""
    before = app.statements
    data(http, BOOKS)
    sent = app.statements - before
    shown = sent if http.reveal else "more than 3"
    assert sent <= 3, (f"books(limit: 25) with their authors sent {shown} SQL statements; load the authors of all "
                       "25 books in one statement (WHERE id = ANY(%s)), not one per book (N+1)")


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_authors_and_books_in_constant_statements(http, app):
    """every author with their books costs at most 3 SQL statements, not one per author"""
    before = app.statements
    data(http, AUTHORS)
    sent = app.statements - before
    shown = sent if http.reveal else "more than 3"
    assert sent <= 3, (f"authors with their books sent {shown} SQL statements; load the books of all authors in "
                       "one statement (WHERE author_id = ANY(%s)), not one per author (N+1)")
