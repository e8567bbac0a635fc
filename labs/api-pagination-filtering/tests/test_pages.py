"""Public checks for api-pagination-filtering: pages walked end to end and compared with the
database, a walk with rows inserted between pages, limits, filters and the sort whitelist."""

import base64
import datetime as dt
import json

import pytest

from grader.apps import expect

ORDER = {"added_at": "added_at, id", "price": "price, id", "-price": "price DESC, id DESC"}
PAGE = {
    "type": "object", "required": ["items", "next_cursor"],
    "properties": {
        "items": {"type": "array", "items": {"type": "object", "required": ["id", "title", "genre", "price",
                                                                              "added_at"]}},
        "next_cursor": {"type": ["string", "null"]},
    },
}
MAX_PAGES = 200


def page(http, params):
    response = http.get("/books", params=params)
    expect.status(response, 200, reveal=http.reveal)
    body = expect.json_body(response, http.reveal)
    expect.schema(response, body, PAGE, http.reveal)
    return response, body


def walk(http, params, cursor=None):
    """Every id, following next_cursor from the first page (or from the page after `cursor`) to the end."""
    ids = []
    _, body = page(http, {**params, "cursor": cursor} if cursor else params)
    for _ in range(MAX_PAGES):
        ids += [item["id"] for item in body["items"]]
        if body["next_cursor"] is None:
            return ids
        assert body["items"], "a page with a next_cursor must not be empty"
        _, body = page(http, {**params, "cursor": body["next_cursor"]})
    raise AssertionError(f"GET /books never ended after {MAX_PAGES} pages: next_cursor must become null")


def expected_ids(db, sort, where="", params=()):
    return [r[0] for r in db.rows(f"SELECT id FROM public.books {where} ORDER BY {ORDER[sort]}", params)]


def same_sequence(http, what, got, want):
    if got == want:
        return
    duplicated = len(got) - len(set(got))
    missing = len(set(want) - set(got))
    first = next((i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), min(len(got), len(want)))
    detail = f"; the first difference is at position {first}" + (
        f" (got id {got[first] if first < len(got) else None}, expected {want[first] if first < len(want) else None})"
        if http.reveal else "")
    raise AssertionError(f"{what}: {len(got)} books, expected {len(want)}; {missing} missing, {duplicated} "
                         f"repeated{detail}")


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_first_page(http, db):
    """GET /books: the first 10 books by added_at (ties by id), and a next_cursor"""
    _, body = page(http, {})
    expect.equal(http.get("/books"), "the ids on the first page", [i["id"] for i in body["items"]],
                 expected_ids(db, "added_at")[:10], http.reveal, "10 books by default, ordered by added_at, id")
    assert body["next_cursor"], "GET /books: more books follow, so next_cursor must be a string"


@pytest.mark.task(1)
@pytest.mark.points(3)
def test_walk_every_page(http, db):
    """following next_cursor visits every book once, in order, for each sort; ties broken by id"""
    for sort in ["added_at", "price", "-price"]:
        same_sequence(http, f"walking sort={sort} with limit=7", walk(http, {"sort": sort, "limit": 7}),
                      expected_ids(db, sort))


@pytest.mark.task(2)
@pytest.mark.points(3)
def test_stable_under_inserts(http, db, seed):
    """books inserted between two pages neither repeat nor hide the books that follow"""
    _, first = page(http, {"limit": 5})
    last_seen = first["items"][-1]["id"]
    start, end = db.rows("SELECT min(added_at), max(added_at) FROM public.books")[0]
    author = db.scalar("SELECT min(id) FROM public.authors")
    for n, added in enumerate([start - dt.timedelta(days=3), start - dt.timedelta(days=2),
                               start - dt.timedelta(days=1), end + dt.timedelta(days=1)]):
        db.execute("INSERT INTO public.books (title, author_id, isbn, genre, price, added_at) "
                   "VALUES (%s, %s, %s, %s, %s, %s)",
                   (f"Inserted {n}", author, f"95{seed % 10}{n:010d}", "fiction", 10, added))
    rest = walk(http, {"limit": 5}, cursor=first["next_cursor"])
    everything = expected_ids(db, "added_at")
    after = everything[everything.index(last_seen) + 1:]
    same_sequence(http, "the pages after the first, with 3 books inserted before the cursor and 1 at the end",
                  rest, after)


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_a_full_last_page_ends_the_walk(http, db):
    """with a limit that divides the number of books, the page that holds the last book is full and has
    next_cursor null (no empty page after it)"""
    total = db.scalar("SELECT count(*) FROM public.books")
    size = max(d for d in range(1, 51) if total % d == 0)
    seen, (_, body) = 0, page(http, {"limit": str(size)})
    for _ in range(MAX_PAGES):
        seen += len(body["items"])
        if seen >= total or body["next_cursor"] is None:
            break
        _, body = page(http, {"limit": str(size), "cursor": body["next_cursor"]})
    assert seen == total, f"walking with limit={size} gave {seen} books, not all {total}"
    assert body["next_cursor"] is None, (f"with limit={size}, the last page is full and must have next_cursor "
                                         "null: ask for limit + 1 rows to know whether another page follows")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_limits_are_enforced(http, db):
    """limit from 1 to 50 (both edges work); 0, 51, -1 and a word are 400; a cursor that was never issued is 400"""
    for limit in ["0", "51", "-1", "ten", "1000000"]:
        expect.status(http.get("/books", params={"limit": limit}), 400, "limit must be from 1 to 50", http.reveal)
    _, body = page(http, {"limit": "50"})
    expect.equal(http.get("/books", params={"limit": "50"}), "the number of books for limit=50",
                 len(body["items"]), min(50, db.scalar("SELECT count(*) FROM public.books")), http.reveal)
    _, one = page(http, {"limit": "1"})
    expect.equal(http.get("/books", params={"limit": "1"}), "the number of books for limit=1", len(one["items"]), 1,
                 http.reveal)
    # well-formed base64 JSON of the right shape with the wrong types inside is not one of your cursors either
    forged = [base64.urlsafe_b64encode(json.dumps(v).encode()).decode() for v in (["price", "abc"], [5, 7])]
    for cursor in ["not-a-cursor", "eyJ4IjogMX0=", "W1siYSJdXQ", *forged]:
        expect.status(http.get("/books", params={"cursor": cursor}), 400, "the cursor was never issued", http.reveal)


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_filters(http, db):
    """genre matches in any case, author_id filters, and both combine with pages"""
    genre = db.scalar("SELECT genre FROM public.books WHERE genre <> lower(genre) LIMIT 1") or "fiction"
    want = expected_ids(db, "price", "WHERE lower(genre) = lower(%s)", (genre,))
    same_sequence(http, "genre filter (any case), sort=price, limit=3",
                  walk(http, {"genre": genre.upper(), "sort": "price", "limit": 3}), want)
    author = db.scalar("SELECT author_id FROM public.books GROUP BY author_id "
                       "ORDER BY count(*) DESC, author_id LIMIT 1")
    same_sequence(http, "author_id filter, limit=2", walk(http, {"author_id": str(author), "limit": 2}),
                  expected_ids(db, "added_at", "WHERE author_id = %s", (author,)))
    expect.status(http.get("/books", params={"author_id": "abc"}), 400, "author_id must be an integer", http.reveal)


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_sort_is_whitelisted(http, db):
    """a sort that is not in the list is 400, whatever it holds, and the data is untouched"""
    count = db.scalar("SELECT count(*) FROM public.books")
    for sort in ["title", "isbn", "price; DROP TABLE books", "(SELECT 1)", "added_at desc"]:
        expect.status(http.get("/books", params={"sort": sort}), 400, "sort must be added_at, price or -price",
                      http.reveal)
    assert db.scalar("SELECT count(*) FROM public.books") == count, "the books table changed"
