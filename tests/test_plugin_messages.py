"""Feedback from a failed assertion quotes the check's author, never pytest's internals."""

from __future__ import annotations

import pytest

from grader.plugin import _message


def _failure(check: object) -> pytest.ExceptionInfo[BaseException]:
    try:
        assert not check, "a transfer to an account that does not exist returned True; it must raise an error"
    except AssertionError:
        return pytest.ExceptionInfo.from_current()
    raise AssertionError("the check did not fail")


class Outcome:
    ok = True

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return "Outcome(value=True, sqlstate=None)"


@pytest.mark.parametrize("hidden", [False, True])
def test_assertion_message_is_the_authors_only(hidden: bool) -> None:
    text = _message(_failure(Outcome()), hidden=hidden)
    assert text == "a transfer to an account that does not exist returned True; it must raise an error"
    assert "where" not in text and "Outcome(" not in text


def test_bare_assertion_gives_no_internals() -> None:
    try:
        value = 3
        assert value == 4
    except AssertionError:
        info = pytest.ExceptionInfo.from_current()
    text = _message(info, hidden=False)
    assert "assert" not in text and "3" not in text


def test_hidden_transfer_mix_is_filed_under_the_task_that_promises_it() -> None:
    """README task 4 of sql-transactions promises the hidden random mix; the check must count there."""
    import ast

    from tests.conftest import ROOT

    source = (ROOT / "labs/sql-transactions/.meta/hidden/test_transfer_hidden.py").read_text()
    readme = (ROOT / "labs/sql-transactions/README.md").read_text()
    task4 = readme.split("## 4.")[1]
    assert "random mix" in task4
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == "test_random_mix":
            marks = [d for d in node.decorator_list if isinstance(d, ast.Call) and ast.unparse(d.func).endswith("task")]
            assert [ast.literal_eval(m.args[0]) for m in marks] == [4]
            return
    raise AssertionError("test_random_mix is gone")
