"""The batch's pure parts, without servers: where a lab's files lie, normalising for similarity, the late
policy's arithmetic, rosters and shards."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from grader.batch import late, layout, roster, similarity
from grader.errors import UsageError
from grader.labs import load
from grader.spec import LatePolicy

ROOT = Path(__file__).resolve().parent.parent
FILE = "queries/01_orders_with_customers.sql"


@pytest.mark.parametrize("where", ["labs/sql-joins", "sql-joins", "."])
def test_a_labs_files_are_found_in_each_layout(tmp_path: Path, where: str) -> None:
    lab = load("sql-joins", ROOT)
    (tmp_path / where / "queries").mkdir(parents=True)
    (tmp_path / where / FILE).write_text("select 1;")
    assert layout.lab_folder(tmp_path, lab) == (tmp_path / where)
    assert layout.lab_folder(tmp_path, load("sql-window", ROOT)) is None


def test_files_uploaded_by_name_are_laid_out_as_the_lab_expects(tmp_path: Path) -> None:
    lab = load("sql-joins", ROOT)
    (tmp_path / "up").mkdir()
    (tmp_path / "up" / Path(FILE).name).write_text("select 2;")
    folder = layout.flattened(tmp_path / "up", lab, tmp_path)
    assert folder is not None and (folder / FILE).read_text() == "select 2;"


def test_normalising_ignores_comments_case_whitespace_and_aliases() -> None:
    one = "SELECT o.order_id, c.name AS who -- mine\nFROM orders o JOIN customers c ON c.customer_id = o.customer_id"
    two = ("select  x.order_id, y.name as n\n/* copied */ from orders AS x "
           "join customers y on y.customer_id=x.customer_id")
    other = "select order_id from orders where customer_id is null"
    assert similarity.normalise("a.sql", one) == similarity.normalise("a.sql", two)
    assert similarity.normalise("a.sql", one) != similarity.normalise("a.sql", other)
    renamed = ("def f(a):\n    total = a + 1  # note\n    return total\n", "def f(x):\n    '''doc'''\n    s = x + 1\n"
               "    return s\n")
    assert similarity.normalise("s.py", renamed[0]) == similarity.normalise("s.py", renamed[1])
    assert similarity.normalise("q.json", '{"b": 1, "a": 2}') == similarity.normalise("q.json", '{"a":2,"b":1}')


def test_near_identical_is_estimated_and_the_starter_is_left_out() -> None:
    base = " ".join(f"select c{i} from t{i} where x{i} > {i};" for i in range(40))
    near = base.replace("x39 > 39", "x39 >= 39")
    far = " ".join(f"delete from u{i} where y{i} < {i};" for i in range(40))
    prints = {s: similarity.fingerprint(text) for s, text in [("a", base), ("b", near), ("c", far), ("d", "starter")]}
    assert all(p is not None for p in prints.values())
    found = similarity.pairs("lab", {k: v for k, v in prints.items() if v}, prints["d"].digest, "")  # type: ignore[union-attr]
    assert [(p.students, p.kind) for p in found] == [(("a", "b"), "near-identical")]


def test_the_late_policy() -> None:
    policy = LatePolicy(deduction_per_day=15, max_deduction=40, accept_days=2, extensions={"ann": 1}, exempt=["bo"])
    deadline = late.parse_deadline("2025-03-01T23:59:00+01:00")
    own = late.student_deadline(deadline, policy, "ann", 0.5)
    assert own - deadline == datetime.timedelta(days=1.5)
    assert late.cut_off(own, policy) - own == datetime.timedelta(days=2)
    assert late.late_days(deadline + datetime.timedelta(minutes=1), deadline) == 1
    assert late.late_days(deadline, deadline) == 0
    assert late.deduction_percent(policy, "cy", 2) == 30 and late.deduction_percent(policy, "cy", 5) == 40
    assert late.deduction_percent(policy, "bo", 5) == 0
    assert late.after_policy(20, 30) == 14
    with pytest.raises(UsageError, match="no UTC offset"):
        late.parse_deadline("2025-03-01T23:59:00")


def test_rosters_and_shards(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("student,repository,extension\nzoe,https://example.invalid/z.git,\namy,a,2\n")
    students = roster.from_csv(tmp_path / "r.csv")
    assert [(s.id, s.is_git, s.extension_days) for s in students] == [("amy", False, 2.0), ("zoe", True, 0.0)]
    many = [roster.Student(f"s{i:02}", "x", False) for i in range(7)]
    shards = [roster.shard(many, f"{i}/3") for i in (1, 2, 3)]
    assert sorted(s.id for part in shards for s in part) == [s.id for s in many]
    with pytest.raises(UsageError):
        roster.shard(many, "4/3")
    (tmp_path / "bad.csv").write_text("name,repo\nx,y\n")
    with pytest.raises(UsageError, match="'student'"):
        roster.from_csv(tmp_path / "bad.csv")
