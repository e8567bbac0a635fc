"""SqlChecker's state, behaviour and catalog helpers on a real PostgreSQL server.

Each test writes a small "reference" and "learner" script, grades them as a lab check would, and
asserts on the verdict: the right script passes, the wrong one raises a Mismatch whose message
names what differs (and quotes rows only when the data is public).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from grader.checks.problems import GraderFault, Mismatch, SubmissionProblem
from grader.checks.sql import SqlChecker, split_statements, sqlstate_name
from grader.isolation.postgres import PostgresIsolation
from grader.services.session import ServicePool

SEED = """
CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL, price numeric(8, 2) NOT NULL, kind text);
CREATE TABLE stock (item_id integer PRIMARY KEY REFERENCES items (id), qty integer NOT NULL CHECK (qty >= 0));
CREATE TABLE audit (id integer GENERATED ALWAYS AS IDENTITY, item_id integer, old_price numeric(8, 2),
                    action text, at timestamptz NOT NULL DEFAULT clock_timestamp());
INSERT INTO items VALUES (1, 'Kettle', 20.00, 'kitchen'), (2, 'Whisk', 4.50, 'kitchen'),
                         (3, 'Kite', 12.00, 'toys'), (4, 'Atlas', 30.00, NULL);
INSERT INTO stock VALUES (1, 5), (2, 0), (3, 7);
"""

Factory = Callable[..., SqlChecker]


@pytest.fixture(scope="module")
def isolation(pool: ServicePool) -> PostgresIsolation:
    pg = PostgresIsolation(pool.get("postgres").url)
    pg.ensure_learner_role()
    return pg


@pytest.fixture(scope="module")
def template(isolation: PostgresIsolation) -> str:
    return isolation.template("checker-state", "public", hashlib.sha256(SEED.encode()).hexdigest()[:12], lambda: SEED)


@pytest.fixture
def checker(isolation: PostgresIsolation, template: str, tmp_path: Path) -> Iterator[Factory]:
    """make(learner={file: sql}, reference={file: sql}, reveal=True, empty=False) -> a SqlChecker."""
    databases: list[str] = []

    def make(learner: dict[str, str] | None = None, reference: dict[str, str] | None = None,
             reveal: bool = True, empty: bool = False) -> SqlChecker:
        for folder, files in (("learner", learner or {}), ("reference", reference or {})):
            (tmp_path / folder).mkdir(exist_ok=True)
            for name, text in files.items():
                (tmp_path / folder / name).write_text(text)

        def on(database: str) -> SqlChecker:
            return SqlChecker(
                learner_url=isolation.learner_url(database, 3000),
                admin_url=isolation.admin_url_for(database),
                submission_dir=tmp_path / "learner",
                reference_dir=tmp_path / "reference",
                timeout_ms=3000,
                reveal=reveal,
                fresh_copy=lambda: on(copy()),
                touched=lambda rel: None,
            )

        def copy() -> str:
            databases.append(isolation.create_copy(None if empty else template))
            return databases[-1]

        return on(copy())

    yield make
    for name in databases:
        isolation.drop(name)


RAISE_KITCHEN = "UPDATE items SET price = price * 1.10 WHERE kind = 'kitchen';"


# check_state -------------------------------------------------------------------------------
def test_state_accepts_the_same_effect_written_differently(checker: Factory) -> None:
    sql = checker(learner={"s.sql": "UPDATE items AS i SET price = round(i.price * 1.1, 2) "
                                    "FROM (SELECT id FROM items WHERE kind = 'kitchen') AS k WHERE k.id = i.id;"},
                  reference={"s.sql": RAISE_KITCHEN})
    sql.check_state("s.sql", ["items"])


def test_state_rejects_an_update_without_where_and_shows_public_rows(checker: Factory) -> None:
    sql = checker(learner={"s.sql": "UPDATE items SET price = price * 1.10;"}, reference={"s.sql": RAISE_KITCHEN})
    with pytest.raises(Mismatch) as caught:
        sql.check_state("s.sql", ["items"])
    message = str(caught.value)
    assert message.startswith("after s.sql, items (id, name, price, kind): expected 4 rows, got 4\n"
                              "2 rows with the same id have other values in price:\n")
    assert "    id 3: price expected 12.00, got 13.20" in message
    assert "    id 4: price expected 30.00, got 33.00" in message


def test_state_on_hidden_data_counts_rows_without_quoting_them(checker: Factory) -> None:
    sql = checker(learner={"s.sql": "UPDATE items SET price = price * 1.10;"}, reference={"s.sql": RAISE_KITCHEN},
                  reveal=False)
    with pytest.raises(Mismatch) as caught:
        sql.check_state("s.sql", ["items"])
    assert str(caught.value).endswith("expected 4 rows, got 4\n2 rows with the same id have other values in price")
    assert "12.00" not in str(caught.value) and "30.00" not in str(caught.value)


def test_state_pairs_rows_by_primary_key_into_changed_missing_and_new(checker: Factory) -> None:
    reference = "UPDATE stock SET qty = qty + 1 WHERE item_id = 1;"
    learner = "UPDATE stock SET qty = 0 WHERE item_id = 1; DELETE FROM stock WHERE item_id = 3;" \
              "INSERT INTO stock VALUES (4, 2);"
    with pytest.raises(Mismatch) as caught:
        checker(learner={"s.sql": learner}, reference={"s.sql": reference}).check_state("s.sql", ["stock"])
    assert str(caught.value) == (
        "after s.sql, stock (item_id, qty): expected 3 rows, got 3\n"
        "1 row with the same item_id has other values in qty:\n    item_id 1: qty expected 6, got 0\n"
        "1 missing row:\n    (3, 7)\n"
        "1 unexpected row:\n    (4, 2)"
    )
    with pytest.raises(Mismatch) as hidden:
        checker(learner={"s.sql": learner}, reference={"s.sql": reference}, reveal=False).check_state(
            "s.sql", ["stock"])
    assert str(hidden.value) == (
        "after s.sql, stock (item_id, qty): expected 3 rows, got 3\n"
        "1 row with the same item_id has other values in qty\n1 missing row\n1 unexpected row"
    )


def test_state_notices_a_table_the_task_must_leave_alone(checker: Factory) -> None:
    sql = checker(learner={"s.sql": RAISE_KITCHEN + "DELETE FROM stock WHERE qty = 0;"},
                  reference={"s.sql": RAISE_KITCHEN})
    with pytest.raises(Mismatch, match=r"stock \(item_id, qty\), which this task must leave as it was"):
        sql.check_state("s.sql", ["items"])
    sql.check_state("s.sql", ["items"], others=False)


def test_state_repeat_catches_a_script_that_is_not_idempotent(checker: Factory) -> None:
    sql = checker(
        learner={"s.sql": "INSERT INTO audit (item_id, action) SELECT item_id, 'low' FROM stock WHERE qty = 0;"},
        reference={"s.sql": "INSERT INTO audit (item_id, action) SELECT s.item_id, 'low' FROM stock AS s "
                            "WHERE s.qty = 0 AND NOT EXISTS (SELECT 1 FROM audit AS a WHERE a.item_id = s.item_id);"},
    )
    sql.check_state("s.sql", ["audit"], exclude=["audit.id", "audit.at"])  # once: the same
    with pytest.raises(Mismatch, match="1 unexpected row"):
        sql.check_state("s.sql", ["audit"], repeat=2, exclude=["audit.id", "audit.at"])


def test_state_exclude_leaves_generated_columns_out(checker: Factory) -> None:
    script = "INSERT INTO audit (item_id, action) VALUES (1, 'x');"
    sql = checker(learner={"s.sql": script}, reference={"s.sql": script})
    with pytest.raises(Mismatch, match="audit"):  # the timestamps differ between the two copies
        sql.check_state("s.sql", ["audit"])
    sql.check_state("s.sql", ["audit"], exclude=["audit.at"])


def test_state_setup_and_then_drive_a_trigger(checker: Factory) -> None:
    function = ("CREATE FUNCTION log_price() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "INSERT INTO audit (item_id, old_price, action) VALUES (OLD.id, OLD.price, TG_OP); "
                "RETURN NULL; END $$;")
    reference = function + "CREATE TRIGGER t AFTER UPDATE OR DELETE ON items FOR EACH ROW EXECUTE FUNCTION log_price();"
    update_only = function + "CREATE TRIGGER t AFTER UPDATE ON items FOR EACH ROW EXECUTE FUNCTION log_price();"
    then = "UPDATE items SET price = 1 WHERE id = 3; DELETE FROM items WHERE id = 5;"
    setup = "INSERT INTO items VALUES (5, 'Ladle', 3.00, 'kitchen'); UPDATE items SET name = name WHERE name LIKE 'L%';"
    right = checker(learner={"s.sql": reference}, reference={"s.sql": reference})
    right.check_state("s.sql", ["audit"], setup=setup, then=then, exclude=["audit.id", "audit.at"])
    wrong = checker(learner={"s.sql": update_only}, reference={"s.sql": reference})
    with pytest.raises(Mismatch, match=r"(?s)after s.sql, audit .*1 missing row:\n    \(5, 3, 'DELETE'\)"):
        wrong.check_state("s.sql", ["audit"], setup=setup, then=then, exclude=["audit.id", "audit.at"])


def test_state_then_failing_after_the_learner_script_is_the_learners_problem(checker: Factory) -> None:
    sql = checker(learner={"s.sql": "ALTER TABLE items DROP COLUMN kind;"},
                  reference={"s.sql": "ALTER TABLE items ALTER COLUMN kind SET DEFAULT 'misc';"})
    expected = r"(?s)after your script, the check SQL\n    UPDATE items SET kind = 'x';\n  failed: .*SQLSTATE 42703"
    with pytest.raises(Mismatch, match=expected):
        sql.check_state("s.sql", ["items"], then="UPDATE items SET kind = 'x';")


def test_state_second_run_failure_says_the_script_must_be_rerunnable(checker: Factory) -> None:
    sql = checker(learner={"s.sql": "CREATE TABLE copy AS SELECT * FROM items;"},
                  reference={"s.sql": "CREATE TABLE IF NOT EXISTS copy AS SELECT * FROM items;"})
    with pytest.raises(SubmissionProblem, match="on run 2 of 2"):
        sql.check_state("s.sql", ["copy"], repeat=2)


def test_state_a_broken_reference_is_a_grader_fault(checker: Factory) -> None:
    sql = checker(learner={"s.sql": RAISE_KITCHEN}, reference={"s.sql": "UPDATE nowhere SET x = 1;"})
    with pytest.raises(GraderFault):
        sql.check_state("s.sql", ["items"])


def test_state_a_broken_setup_is_a_grader_fault(checker: Factory) -> None:
    sql = checker(learner={"s.sql": RAISE_KITCHEN}, reference={"s.sql": RAISE_KITCHEN})
    with pytest.raises(GraderFault, match="setup SQL failed"):
        sql.check_state("s.sql", ["items"], setup="INSERT INTO nowhere VALUES (1);")


# check_after -------------------------------------------------------------------------------
VIEW = "CREATE VIEW cheap AS SELECT id, name FROM items WHERE price < 15;"


def test_after_tells_a_view_from_a_table_copy(checker: Factory) -> None:
    then = "UPDATE items SET price = 1 WHERE id = 1;"
    right = checker(learner={"v.sql": VIEW.replace("price < 15", "NOT price >= 15")}, reference={"v.sql": VIEW})
    right.check_after("v.sql", "SELECT * FROM cheap", then=then)
    copy = checker(learner={"v.sql": VIEW.replace("VIEW", "TABLE")}, reference={"v.sql": VIEW})
    copy.check_after("v.sql", "SELECT * FROM cheap")  # before any change the copy looks right
    expected = r"the check query\n    SELECT \* FROM cheap\n  gives a different result \(id, name\)"
    with pytest.raises(Mismatch, match=expected):
        copy.check_after("v.sql", "SELECT * FROM cheap", then=then)


def test_after_compares_function_results_including_null(checker: Factory) -> None:
    reference = ("CREATE FUNCTION half(x numeric) RETURNS numeric LANGUAGE plpgsql AS "
                 "$$ BEGIN RETURN coalesce(x, 0) / 2; END $$;")
    strict = "CREATE FUNCTION half(x numeric) RETURNS numeric LANGUAGE sql STRICT AS $$ SELECT x / 2 $$;"
    query = "SELECT v, half(v) AS h FROM (VALUES (4.0), (NULL)) AS t(v)"
    checker(learner={"f.sql": reference}, reference={"f.sql": reference}).check_after("f.sql", query)
    with pytest.raises(Mismatch, match=r"missing row:\n    \(NULL, 0\)"):
        checker(learner={"f.sql": strict}, reference={"f.sql": reference}).check_after("f.sql", query)


def test_relation_kind_and_function_language(checker: Factory) -> None:
    sql = checker()
    sql.expect_ok(VIEW + "CREATE TABLE snapshot AS SELECT * FROM items;"
                  "CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql AS $$ SELECT 2 * x $$;", explain="x",
                  commit=True)
    sql.expect_relation("cheap", "view")
    sql.expect_relation("items", "table")
    with pytest.raises(Mismatch, match="snapshot is a table, but it must be a view"):
        sql.expect_relation("snapshot", "view")
    with pytest.raises(Mismatch, match="nothing does not exist"):
        sql.expect_relation("nothing", "view")
    assert sql.function_languages("twice") == ["sql"]
    assert sql.function_languages("thrice") == []


# expect_ok / expect_error ------------------------------------------------------------------
def test_expect_error_passes_on_the_named_sqlstate(checker: Factory) -> None:
    sql = checker()
    sql.expect_error("INSERT INTO items VALUES (1, 'Again', 1.00, NULL)", "23505", explain="items.id is unique")
    sql.expect_error("INSERT INTO stock VALUES (99, 1)", "23503", explain="stock.item_id references items")
    sql.expect_error("UPDATE stock SET qty = -1", "23514", explain="qty is never negative")
    sql.expect_error("INSERT INTO items (id, price) VALUES (9, 1)", "23502", explain="items.name is required")


def test_expect_error_when_the_statement_succeeds_names_the_missing_rule(checker: Factory) -> None:
    sql = checker()
    with pytest.raises(Mismatch) as caught:
        sql.expect_error("INSERT INTO items VALUES (9, 'Ladle', -3, NULL)", "23514",
                         explain="items.price must be positive (a CHECK constraint)")
    message = str(caught.value)
    assert message.startswith("items.price must be positive (a CHECK constraint)")
    assert "must fail with check_violation (SQLSTATE 23514), but it succeeded" in message
    assert "INSERT INTO items VALUES (9, 'Ladle', -3, NULL)" in message
    assert sql.query("SELECT count(*) FROM items WHERE id = 9").rows == [(0,)], "expect_error must roll back"


def test_expect_error_with_another_sqlstate_says_both(checker: Factory) -> None:
    sql = checker(reveal=False)
    with pytest.raises(Mismatch) as caught:
        sql.expect_error("INSERT INTO stock VALUES (4, -1)", "23503", explain="stock needs an item")
    message = str(caught.value)
    assert "must fail with foreign_key_violation (SQLSTATE 23503), but failed with" in message
    assert "(SQLSTATE 23514)" in message
    assert "INSERT" not in message, "the statement is only quoted on public data"


def test_expect_ok_returns_the_last_result_and_rolls_back(checker: Factory) -> None:
    sql = checker()
    result = sql.expect_ok("DELETE FROM stock WHERE item_id = 1; SELECT count(*) AS n FROM stock", explain="x")
    assert result.columns == ["n"] and result.rows == [(2,)]
    assert sql.query("SELECT count(*) FROM stock").rows == [(3,)]
    sql.expect_ok("DELETE FROM stock WHERE item_id = 1", explain="x", commit=True)
    assert sql.query("SELECT count(*) FROM stock").rows == [(2,)]
    with pytest.raises(Mismatch, match=r"(?s)deleting an item with stock must work: .*failed with .*SQLSTATE 23503"):
        sql.expect_ok("DELETE FROM items WHERE id = 3", explain="deleting an item with stock must work")


def test_expect_error_quotes_a_script_a_statement_a_line(checker: Factory) -> None:
    sql = checker()
    with pytest.raises(Mismatch) as caught:
        sql.expect_error("DELETE FROM stock;\n  DELETE   FROM items WHERE id = 4", "23503", explain="x")
    quoted = "the statements\n    DELETE FROM stock;\n    DELETE FROM items WHERE id = 4\n  must fail"
    assert quoted in str(caught.value)


def test_split_statements_keeps_quoted_semicolons() -> None:
    body = "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;"
    assert split_statements(f"INSERT INTO t VALUES ('a;b', 'it''s;');\n{body} SELECT 1") == [
        "INSERT INTO t VALUES ('a;b', 'it''s;');", body, "SELECT 1"]
    assert split_statements("SELECT 1;  ") == ["SELECT 1;"]


def test_sqlstate_names() -> None:
    assert sqlstate_name("23505") == "unique_violation"
    assert sqlstate_name("23502") == "not_null_violation"
    assert sqlstate_name("99999") == "error"


# The catalog -------------------------------------------------------------------------------
SCHEMA = """
CREATE TABLE teams (id integer PRIMARY KEY, name varchar(40) NOT NULL, league text NOT NULL,
                    UNIQUE (name, league));
CREATE TABLE players (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, nick text NOT NULL UNIQUE,
                      team_id integer REFERENCES teams ON DELETE SET NULL, rating integer);
CREATE UNIQUE INDEX one_rating_per_team ON players (team_id, rating);
"""


def test_catalog_reads_columns_and_constraints(checker: Factory) -> None:
    sql = checker(empty=True)
    sql.expect_ok(SCHEMA, explain="schema", commit=True)
    columns = sql.columns("players")
    assert list(columns) == ["id", "nick", "team_id", "rating"]
    assert columns["id"].data_type == "bigint" and not columns["id"].nullable
    assert columns["team_id"].nullable
    keys = {c.kind: c for c in sql.constraints("players") if c.kind == "foreign key"}
    assert keys["foreign key"].references == "teams" and keys["foreign key"].on_delete == "SET NULL"
    assert frozenset({"team_id", "rating"}) in sql.unique_keys("players")
    assert sql.columns("nothing") == {}


def test_catalog_expectations_pass_on_a_matching_schema(checker: Factory) -> None:
    sql = checker(empty=True)
    sql.expect_ok(SCHEMA, explain="schema", commit=True)
    sql.expect_columns("teams", {"id": "integer", "name": ("text", "character varying"), "league": "text"},
                       not_null=["id", "name", "league"])
    sql.expect_primary_key("teams", ["id"])
    sql.expect_unique("teams", ["league", "name"])
    sql.expect_unique("players", ["nick"])
    sql.expect_unique("players", ["rating", "team_id"])  # a unique index counts too
    sql.expect_foreign_key("players", ["team_id"], "teams", on_delete=("SET NULL",))


def test_catalog_expectations_name_what_is_wrong(checker: Factory) -> None:
    sql = checker(empty=True)
    sql.expect_ok(SCHEMA, explain="schema", commit=True)
    with pytest.raises(Mismatch, match="table teams: name is character varying, expected text"):
        sql.expect_columns("teams", {"id": "integer", "name": "text", "league": "text"},
                           not_null=["id", "name", "league"])
    with pytest.raises(Mismatch, match="rating must be NOT NULL"):
        sql.expect_columns("players", {"id": "bigint", "nick": "text", "team_id": "integer", "rating": "integer"},
                           not_null=["id", "nick", "rating"])
    with pytest.raises(Mismatch, match="nick must allow NULL"):
        sql.expect_columns("players", {"id": "bigint", "nick": "text", "team_id": "integer", "rating": "integer"},
                           not_null=["id"])
    with pytest.raises(Mismatch, match="column coach is missing; column league is not asked for"):
        sql.expect_columns("teams", {"id": "integer", "name": "character varying", "coach": "text"},
                           not_null=["id", "name"])
    with pytest.raises(Mismatch, match=r"has PRIMARY KEY \(id\), expected PRIMARY KEY \(id, league\)"):
        sql.expect_primary_key("teams", ["id", "league"])
    with pytest.raises(Mismatch, match=r"needs UNIQUE \(name\).*unique keys now: .*\(league, name\)"):
        sql.expect_unique("teams", ["name"])
    with pytest.raises(Mismatch, match="is ON DELETE SET NULL, expected ON DELETE CASCADE"):
        sql.expect_foreign_key("players", ["team_id"], "teams", on_delete="CASCADE")
    with pytest.raises(Mismatch, match=r"foreign key players \(nick\) → teams is missing"):
        sql.expect_foreign_key("players", ["nick"], "teams")
    with pytest.raises(Mismatch, match="table coaches does not exist"):
        sql.expect_primary_key("coaches", ["id"])


def test_include_columns_of_a_unique_index_are_not_part_of_the_key(checker: Factory) -> None:
    sql = checker(empty=True)
    sql.expect_ok("CREATE TABLE members (email text NOT NULL, name text);"
                  "CREATE UNIQUE INDEX members_email ON members (email) INCLUDE (name);",
                  explain="schema", commit=True)
    assert sql.unique_keys("members") == [frozenset({"email"})]
    sql.expect_unique("members", ["email"])
    with pytest.raises(Mismatch, match=r"needs UNIQUE \(email, name\)"):
        sql.expect_unique("members", ["email", "name"])


def test_state_reports_every_differing_table(checker: Factory) -> None:
    """The first differing table may be a side effect; the real symptom can be in the next one."""
    learner = "DELETE FROM stock WHERE item_id = 2; UPDATE items SET price = 0.01 WHERE id = 1;"
    sql = checker(learner={"s.sql": learner}, reference={"s.sql": "SELECT 1;"})
    with pytest.raises(Mismatch) as caught:
        sql.check_state("s.sql", ["items", "stock"])
    message = str(caught.value)
    assert "items (" in message and "stock (" in message, message


def test_after_runs_earlier_reference_files_first_on_both_copies(checker: Factory) -> None:
    earlier = {"01_make.sql": "CREATE TABLE tags (item_id integer, tag text);"}
    reference = {**earlier, "02_fill.sql": "INSERT INTO tags SELECT id, kind FROM items WHERE kind IS NOT NULL;"}
    learner = {"02_fill.sql": "INSERT INTO tags SELECT id, kind FROM items;"}
    sql = checker(learner=learner, reference=reference)
    with pytest.raises(GraderFault, match="tags"):  # without the earlier task even the reference finds no table
        sql.check_after("02_fill.sql", "SELECT * FROM tags")
    with pytest.raises(Mismatch, match="1 unexpected row"):
        sql.check_after("02_fill.sql", "SELECT * FROM tags", after=["01_make.sql"])
    right = checker(learner={"02_fill.sql": reference["02_fill.sql"]}, reference=reference)
    right.check_after("02_fill.sql", "SELECT * FROM tags", after=["01_make.sql"])
