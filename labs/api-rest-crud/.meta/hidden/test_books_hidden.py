"""Hidden checks: awkward values survive the round trip (quotes, accents, leading zeros, null)."""

import pytest

from grader.apps import expect


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_awkward_values_round_trip(http, db, seed):
    """a title with quotes and accents, an isbn with leading zeros and a null year come back unchanged"""
    author = db.scalar("SELECT max(id) FROM public.authors")
    sent = {"title": "D'Artagnan's \"Bøk\" — 100%", "author_id": author, "year": None,
            "isbn": f"00{seed % 10}9876543210"}  # 13 digits whatever the seed
    response = http.post("/books", json=sent)
    path = expect.created(response, "/books", reveal=False)
    body = expect.json_body(http.get(path), reveal=False)
    for field, value in sent.items():
        expect.equal(response, f"the field `{field}` read back", body.get(field), value, False,
                     "store and return exactly what was sent")
