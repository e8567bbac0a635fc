"""Hidden checks: a UNION that guesses the column count with NULLs, and a comment-terminated payload."""

import pytest

from grader.apps import expect


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_union_with_nulls_reads_nothing(http, db):
    """attack: UNION ALL SELECT NULL, secret, NULL, NULL FROM api_keys"""
    response = http.get("/products", params={"q": "zz' UNION ALL SELECT NULL, secret, NULL, NULL FROM api_keys -- "})
    for (secret,) in db.rows("SELECT secret FROM api_keys"):
        assert secret not in response.text, "a UNION read the api_keys table through the search"
    expect.status(response, 200, "the text is searched for", reveal=False)
    expect.equal(response, "the rows found", expect.json_body(response, reveal=False), [], False,
                 "no product name contains that text")
