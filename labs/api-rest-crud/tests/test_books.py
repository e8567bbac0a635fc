"""Public checks for api-rest-crud: your app is started (run.sh) with its own copy of the bookshop
database, and spoken to over HTTP. They run on the public data and again on a hidden dataset."""

import pytest

from grader.apps import expect

BOOK = {
    "type": "object",
    "required": ["id", "title", "author_id", "year", "isbn"],
    "properties": {
        "id": {"type": "integer"}, "title": {"type": "string"}, "author_id": {"type": "integer"},
        "year": {"type": ["integer", "null"]}, "isbn": {"type": "string"},
    },
}
COLUMNS = ["id", "title", "author_id", "year", "isbn"]


def stored(db, book_id):
    row = db.rows("SELECT id, title, author_id, year, isbn FROM public.books WHERE id = %s", (book_id,))
    return dict(zip(COLUMNS, row[0], strict=True)) if row else None


def new_book(db, seed, n, **changes):
    """A valid book to send, with an isbn no other book has (unique per check and variant)."""
    author = db.scalar("SELECT min(id) FROM public.authors")
    book = {"title": f"Check book {n}", "author_id": author, "year": 2001, "isbn": f"97{seed % 10}{n:010d}"}
    book.update(changes)
    return book


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_lists_every_book(http, db):
    """GET /books lists every book, ordered by id, with year null where it is unknown"""
    response = http.get("/books")
    expect.status(response, 200, reveal=http.reveal)
    body = expect.json_body(response, http.reveal)
    expect.schema(response, body, {"type": "array", "items": BOOK}, http.reveal)
    rows = [dict(zip(COLUMNS, row, strict=True)) for row in db.rows("SELECT id, title, author_id, year, isbn "
                                                                    "FROM public.books ORDER BY id")]
    expect.equal(response, "the number of books", len(body), len(rows), http.reveal)
    expect.equal(response, "the ids, in order", [b["id"] for b in body], [r["id"] for r in rows], http.reveal,
                 "order the books by id")
    for got, want in zip(body, rows, strict=True):
        expect.equal(response, f"book {want['id'] if http.reveal else ''}".strip(),
                     {k: got.get(k) for k in COLUMNS}, want, http.reveal)


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_gets_one_book(http, db):
    """GET /books/{id} returns that book; a book without a year has "year": null"""
    for book_id in db.rows("SELECT min(id) FROM public.books WHERE year IS NULL UNION ALL "
                           "SELECT min(id) FROM public.books WHERE title LIKE '%''%'"):
        response = http.get(f"/books/{book_id[0]}")
        expect.status(response, 200, reveal=http.reveal)
        body = expect.json_body(response, http.reveal)
        expect.fields(response, body, COLUMNS)
        expect.equal(response, "the book", {k: body[k] for k in COLUMNS}, stored(db, book_id[0]), http.reveal)


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_unknown_books_are_404(http, db):
    """an id no book has, a word, numbers too large for an integer (2^31 the first of them) are all 404 Not Found"""
    missing = db.scalar("SELECT max(id) FROM public.books") + 1000
    for path in [f"/books/{missing}", "/books/abc", "/books/99999999999", f"/books/{2 ** 31}", "/books/-1"]:
        expect.status(http.get(path), 404, "there is no such book", http.reveal)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_creates_with_201_and_location(http, db, seed):
    """POST /books answers 201 Created, a Location header and the new book with its id"""
    sent = new_book(db, seed, 1)
    response = http.post("/books", json=sent)
    path = expect.created(response, "/books", http.reveal)
    body = expect.json_body(response, http.reveal)
    expect.fields(response, body, COLUMNS)
    expect.equal(response, "the new book", {k: body[k] for k in COLUMNS if k != "id"}, sent, http.reveal)
    expect.equal(response, "the database row", stored(db, body["id"]), {**sent, "id": body["id"]}, http.reveal,
                 "the book must be stored in the books table")
    again = http.get(path)
    expect.status(again, 200, "the Location header must name a URL that returns the new book", http.reveal)
    expect.equal(again, "the book at the Location", expect.json_body(again, http.reveal).get("id"), body["id"],
                 http.reveal)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_rejects_invalid_books_with_422(http, db, seed):
    """an invalid book is 422 Unprocessable Content, names the field, and stores nothing"""
    unknown_author = db.scalar("SELECT max(id) FROM public.authors") + 50
    cases = {
        "title": [new_book(db, seed, 2, title=""), {k: v for k, v in new_book(db, seed, 2).items() if k != "title"}],
        "author_id": [new_book(db, seed, 2, author_id=str(db.scalar("SELECT min(id) FROM public.authors"))),
                      new_book(db, seed, 2, author_id=True), new_book(db, seed, 2, author_id=unknown_author)],
        "year": [new_book(db, seed, 2, year="1999"), new_book(db, seed, 2, year=10**12)],
        "isbn": [new_book(db, seed, 2, isbn=9781234567890), new_book(db, seed, 2, isbn="97812345")],
    }
    before = db.scalar("SELECT count(*) FROM public.books")
    for field, bodies in cases.items():
        for body in bodies:
            response = http.post("/books", json=body)
            expect.status(response, 422, f"the {field} field is not valid", http.reveal)
            assert field in response.text, f"POST /books: the 422 answer must name the field `{field}`"
    assert db.scalar("SELECT count(*) FROM public.books") == before, "an invalid book was stored"


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_validation_edges(http, db, seed):
    """the rules' edges: year 1000 and 2100 and a 200-character title are valid (201); year 999 and 2101, a
    201-character title and author_id 0 are 422 naming the field"""
    for n, changes in enumerate([{"year": 1000}, {"year": 2100, "title": "T" * 200}], start=20):
        expect.created(http.post("/books", json=new_book(db, seed, n, **changes)), "/books", http.reveal)
    before = db.scalar("SELECT count(*) FROM public.books")
    for n, (field, value) in enumerate([("year", 999), ("year", 2101), ("title", "T" * 201), ("author_id", 0)],
                                       start=30):
        shown = expect.shown(value)
        response = http.post("/books", json=new_book(db, seed, n, **{field: value}))
        expect.status(response, 422, f"{field} {shown} is not valid", http.reveal)
        assert field in response.text, f"POST /books: the 422 answer must name the field `{field}`"
    assert db.scalar("SELECT count(*) FROM public.books") == before, "an invalid book was stored"


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_rejects_a_body_that_is_not_an_object(http):
    """a body that is not a JSON object (broken JSON, an array) is 400 Bad Request"""
    broken = http.post("/books", content=b'{"title": ', headers={"Content-Type": "application/json"})
    expect.status(broken, 400, "the body is not valid JSON", http.reveal)
    expect.status(http.post("/books", json=[1, 2]), 400, "the body is not a JSON object", http.reveal)


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_duplicate_isbn_is_409(http, db, seed):
    """a book with an isbn another book has is 409 Conflict, and nothing is stored"""
    taken = db.scalar("SELECT isbn FROM public.books ORDER BY id LIMIT 1")
    before = db.scalar("SELECT count(*) FROM public.books")
    response = http.post("/books", json=new_book(db, seed, 3, isbn=taken))
    expect.status(response, 409, "the isbn belongs to another book", http.reveal)
    assert db.scalar("SELECT count(*) FROM public.books") == before, "the duplicate book was stored"


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_put_replaces_and_is_idempotent(http, db, seed):
    """PUT /books/{id} replaces the whole book (a missing year becomes null); twice is the same as once"""
    book_id = db.scalar("SELECT max(id) FROM public.books WHERE year IS NOT NULL")
    count = db.scalar("SELECT count(*) FROM public.books")
    replacement = {k: v for k, v in new_book(db, seed, 4, title="Replaced").items() if k != "year"}
    first = http.put(f"/books/{book_id}", json=replacement)
    expect.status(first, 200, reveal=http.reveal)
    second = http.put(f"/books/{book_id}", json=replacement)
    expect.status(second, 200, "PUT is idempotent: the same request again gives the same answer", http.reveal)
    expect.equal(second, "the answer to the second PUT", expect.json_body(second, http.reveal),
                 expect.json_body(first, http.reveal), http.reveal, "PUT is idempotent")
    expect.equal(second, "the stored book", stored(db, book_id), {**replacement, "year": None, "id": book_id},
                 http.reveal, "PUT replaces the book at that URL; a field left out becomes null")
    expect.equal(second, "the number of books", db.scalar("SELECT count(*) FROM public.books"), count, http.reveal,
                 "PUT must not create a new book")


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_put_errors(http, db, seed):
    """PUT on an unknown book is 404, an invalid book 422, an isbn of another book 409, a body that is not an
    object a 4xx: nothing changes"""
    book_id = db.scalar("SELECT min(id) FROM public.books")
    other_isbn = db.scalar("SELECT isbn FROM public.books WHERE id = (SELECT max(id) FROM public.books)")
    missing = db.scalar("SELECT max(id) FROM public.books") + 1000
    before = stored(db, book_id)
    expect.status(http.put(f"/books/{missing}", json=new_book(db, seed, 5)), 404, "there is no such book", http.reveal)
    expect.status(http.put(f"/books/{book_id}", json=new_book(db, seed, 5, title="")), 422,
                  "the title is not valid", http.reveal)
    expect.status(http.put(f"/books/{book_id}", json=new_book(db, seed, 5, isbn=other_isbn)), 409,
                  "the isbn belongs to another book", http.reveal)
    expect.client_error(http.put(f"/books/{book_id}", json=[1, 2]), "a body that is not a JSON object is the "
                        "client's mistake", http.reveal)
    assert stored(db, book_id) == before, "a PUT that was refused changed the book"
    created = db.scalar("SELECT count(*) FROM public.books WHERE id = %s", (missing,))
    assert created == 0, "a PUT on an unknown id created it"


@pytest.mark.task(4)
@pytest.mark.points(2)
def test_delete(http, db, seed):
    """DELETE answers 204 with no body; the book is gone (404) and a second DELETE is 404"""
    created = http.post("/books", json=new_book(db, seed, 6))
    path = expect.created(created, "/books", http.reveal)
    response = http.delete(path)
    expect.status(response, 204, "a DELETE that removed the book has nothing to say", http.reveal)
    assert response.content == b"", f"DELETE {path}: 204 No Content must have an empty body"
    expect.status(http.get(path), 404, "the book was deleted", http.reveal)
    expect.status(http.delete(path), 404, "the book is already gone", http.reveal)
    book_id = int(path.rsplit("/", 1)[1])
    assert stored(db, book_id) is None, "the deleted book is still in the books table"


@pytest.mark.task(5)
@pytest.mark.points(2)
def test_books_survive_a_restart(http, app, db, seed):
    """a book created before the app restarts is still there after it (state lives in PostgreSQL)"""
    path = expect.created(http.post("/books", json=new_book(db, seed, 7)), "/books", http.reveal)
    app.restart()
    expect.status(http.get(path), 200, "the app was restarted; the book must still be there", http.reveal)
    count = len(expect.json_body(http.get("/books"), http.reveal))
    expect.equal(http.get("/books"), "the number of books after a restart", count,
                 db.scalar("SELECT count(*) FROM public.books"), http.reveal)


@pytest.mark.task(5)
@pytest.mark.points(2)
def test_no_500_on_bad_input(http, db, seed):
    """odd input is the client's mistake (4xx), never a server error (5xx)"""
    book_id = db.scalar("SELECT min(id) FROM public.books")
    attempts = [
        ("GET", "/books/2147483648", None), ("GET", "/books/1e3", None), ("DELETE", "/books/99999999999", None),
        ("PUT", "/books/99999999999", new_book(db, seed, 8)),
        ("POST", "/books", new_book(db, seed, 8, title={"nested": "object"})),
        ("POST", "/books", new_book(db, seed, 8, author_id=2**40)),
        ("POST", "/books", new_book(db, seed, 8, year=2**63)),
        ("POST", "/books", new_book(db, seed, 8, title="x" * 10000)),
        ("POST", "/books", new_book(db, seed, 8, author_id=None)),
        ("PUT", f"/books/{book_id}", {"title": "only a title"}),
        ("POST", "/books", "just a string"),
    ]
    for method, path, body in attempts:
        response = http.request(method, path, json=body) if body is not None else http.request(method, path)
        expect.client_error(response, "bad input is the client's mistake, not a server error", http.reveal)
