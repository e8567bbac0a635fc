"""Running learner and reference SQL files and comparing their results.

Learner SQL runs on the server as the non-superuser learner role with a statement timeout, in a
transaction that is rolled back, so checks cannot disturb each other. `fresh()` gives a new copy of
the seeded database for checks that grade the state a script leaves behind: `check_state` and
`check_after` run the learner's script and the reference on two fresh copies and compare what they
leave; `expect_ok`/`expect_error` grade behaviour (a statement that must succeed, or fail with a
given SQLSTATE). The schema methods (`columns`, `expect_primary_key`, …) only delegate: catalog.py reads
the catalog, schema_checks.py grades what it reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import psycopg
from psycopg import sql as pgsql

from grader.checks import schema_checks
from grader.checks.catalog import Catalog, Column, Constraint
from grader.checks.problems import GraderFault, Mismatch, SubmissionProblem
from grader.reference_record import ReferenceAnswers
from grader.sqlcompare import MAX_ROWS_SHOWN, ResultSet, Row, Rules, compare, show_row, show_value

COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
Source = Literal["submission", "reference"]


def has_statement(text: str) -> bool:
    return bool(COMMENTS.sub("", text).replace(";", "").strip())


class SqlChecker:
    """SQL checks against one database of one variant."""

    def __init__(
        self,
        learner_url: str,
        admin_url: str,
        submission_dir: Path,
        reference_dir: Path | None,
        timeout_ms: int,
        reveal: bool,
        fresh_copy: Callable[[], SqlChecker],
        touched: Callable[[str], None],
        answers: ReferenceAnswers | None = None,
        *,
        reference_url: str | None = None,
        tainted: Callable[[], None] | None = None,
        timeouts: dict[str, str] | None = None,
        repair: Callable[[], None] | None = None,
    ) -> None:
        self.learner_url = learner_url
        self.admin_url = admin_url
        self.submission_dir = submission_dir
        self.reference_dir = reference_dir
        self.timeout_ms = timeout_ms
        self.reveal = reveal
        self._fresh_copy = fresh_copy
        self._touched = touched
        self.answers = answers or ReferenceAnswers("live")  # a release replays what the reference answered
        self.reference_url = reference_url or learner_url
        self._tainted = tainted or (lambda: None)
        self._timeouts = timeouts if timeouts is not None else {}
        self._repair = repair

    def fresh(self) -> SqlChecker:
        """A checker on a new copy of the seeded database (for scripts that change data)."""
        return self._fresh_copy()

    def _read(self, rel: str, source: Source) -> str:
        if source == "reference":
            if self.reference_dir is None or not (self.reference_dir / rel).is_file():
                raise GraderFault(f"the reference solution has no {rel}")
            return (self.reference_dir / rel).read_text(encoding="utf-8")
        self._touched(rel)
        path = self.submission_dir / rel
        if not path.is_file():
            raise SubmissionProblem(f"{rel} is missing: restore the starter file and write your query in it")
        text = path.read_text(encoding="utf-8", errors="replace")
        if not has_statement(text):
            raise SubmissionProblem(f"{rel} has no SQL yet: write your query in it")
        return text

    def run(self, rel: str, source: Source = "submission", commit: bool = False) -> ResultSet:
        """Run a file as the learner role; the result of its last statement that returns rows."""
        text = self._read(rel, source)
        if source == "submission" and rel in self._timeouts:  # one timeout per file, not one per check
            raise SubmissionProblem(self._timeouts[rel])
        with self._learner(source) as conn:
            try:
                return self._execute(conn, text, commit)
            except psycopg.errors.QueryCanceled:
                problem = f"{rel} was stopped after {self.timeout_ms} ms (statement_timeout): make the query cheaper"
                if source == "submission":
                    self._timeouts[rel] = problem
            except TransactionEnded as exc:
                self._tainted()
                if source == "reference":
                    raise GraderFault(f"the reference {rel} ends its transaction ({exc})") from None
                problem = f"{rel}: {exc}"
            except psycopg.Error as exc:
                if source == "reference":  # never the reference's SQL: only what PostgreSQL said
                    raise GraderFault(f"the reference {rel} failed: {_describe(exc)}") from None
                problem = f"{rel} failed in PostgreSQL: {_describe(exc)}"
        if source == "reference":
            raise GraderFault(f"the reference {rel} timed out")
        raise SubmissionProblem(problem)

    @staticmethod
    def _execute(conn: psycopg.Connection[Any], text: str, commit: bool) -> ResultSet:
        """Run `text` in one transaction the grader opened; unless `commit`, the transaction must still
        be the grader's afterwards (a COMMIT or ROLLBACK inside would make later statements stick)."""
        result: ResultSet | None = None
        with conn.cursor() as cursor:
            xid = None if commit else cursor.execute("SELECT pg_catalog.txid_current()").fetchone()
            cursor.execute(text.encode())  # bytes: run as written, several statements allowed
            while True:
                if cursor.description is not None:
                    result = ResultSet([d.name for d in cursor.description], [tuple(r) for r in cursor.fetchall()])
                if not cursor.nextset():
                    break
            if xid is not None:
                ended = conn.info.transaction_status != psycopg.pq.TransactionStatus.INTRANS
                if ended or cursor.execute("SELECT pg_catalog.txid_current()").fetchone() != xid:
                    conn.rollback()
                    raise TransactionEnded(
                        "it ends the grader's transaction (COMMIT, ROLLBACK or END): a query file runs in one "
                        "transaction that the grader rolls back afterwards; remove the transaction control")
        if commit:
            conn.commit()
        else:
            conn.rollback()
        return result or ResultSet([], [])

    def check(
        self,
        rel: str,
        *,
        ordered: bool = False,
        columns: Literal["name", "position"] = "name",
        round_digits: int | None = None,
        tolerance: float | None = None,
    ) -> None:
        """Run the learner's file and the reference's file of the same name and compare the results."""
        rules = Rules(ordered=ordered, columns=columns, round_digits=round_digits, tolerance=tolerance)
        expected = self.answers.get(("run", rel), lambda: self.run(rel, "reference"))
        actual = self.run(rel)
        outcome = compare(expected, actual, rules, reveal=self.reveal)
        if not outcome.ok:
            raise Mismatch(f"{rel}: {outcome.message}")

    def query(self, text: str, params: tuple[Any, ...] = ()) -> ResultSet:
        """A check's own SQL on this database (read what the learner changed, add rows for a case),
        committed, as the reference's role: never as administrator, where a learner's function, view
        or trigger would run with superuser rights."""
        with self._learner("reference") as conn:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(text, params)
                if cursor.description is None:
                    return ResultSet([], [])
                return ResultSet([d.name for d in cursor.description], [tuple(r) for r in cursor.fetchall()])

    # Scripts graded by the state they leave -------------------------------------------------
    def applied(self, rel: str, source: Source = "submission", *, setup: str | None = None,
                repeat: int = 1, after: Sequence[str] = ()) -> SqlChecker:
        """A fresh copy after `setup` (as administrator), the reference's `after` files (as the learner
        role: a task that builds on earlier ones) and the file run `repeat` times, committed."""
        copy = self.fresh()
        if setup:
            copy._admin_script(setup)
        for earlier in after:
            copy.run(earlier, "reference", commit=True)
        for number in range(1, repeat + 1):
            try:
                copy.run(rel, source, commit=True)
            except SubmissionProblem as exc:
                if number == 1:
                    raise
                raise SubmissionProblem(
                    f"{exc}\n  (on run {number} of {repeat}: the task says running the script again must be safe)"
                ) from None
        return copy

    def _admin_script(self, text: str) -> None:
        """A check's setup SQL, run as written (no placeholders: `%` is just `%`), as the reference's
        role on the fresh copy (the copy's tables belong to the learner roles' data owner)."""
        try:
            with self._learner("reference") as conn:
                conn.autocommit = True
                conn.execute(text.encode())
        except psycopg.Error as exc:
            raise GraderFault(f"the check's setup SQL failed: {exc}") from None

    def check_state(
        self,
        rel: str,
        tables: Sequence[str],
        *,
        setup: str | None = None,
        then: str | None = None,
        repeat: int = 1,
        after: Sequence[str] = (),
        exclude: Collection[str] = (),
        others: bool = True,
        round_digits: int | None = None,
        tolerance: float | None = None,
    ) -> None:
        """Run the learner's file and the reference on two fresh copies; compare the tables they leave.

        `tables` (tables or views) are compared first, in this order; with `others`, every other table
        of the schema must then match too, i.e. stay as the reference leaves it. `setup` runs as
        administrator before the script, `after` are reference files run before it (earlier tasks), `then`
        as the learner role after it (e.g. statements that fire a trigger); `repeat` runs the script that
        many times (idempotence). `exclude` leaves columns ("table.column") out, e.g. generated ids and
        timestamps. Rows are a bag, columns match by name.
        """
        question = ("state", rel, list(tables), setup, then, repeat, sorted(exclude), others, list(after))
        reference = self.answers.get(question, lambda: self._reference_state(rel, tables, setup, then, repeat,
                                                                               exclude, others, after))
        actual = self._applied_then(rel, "submission", setup, then, repeat, after)
        rules = Rules(round_digits=round_digits, tolerance=tolerance)
        differences = []  # every differing table: the real symptom may be in the second one
        for name, want, key in reference:
            skip = _excluded(exclude, name)
            got = actual._read_relation(name, "submission", skip)
            outcome = compare(want, got, rules, reveal=self.reveal)
            if not outcome.ok:
                aside = "" if name in tables else ", which this task must leave as it was"
                message = keyed_difference(want, got, key, rules, self.reveal) if key else None
                differences.append(f"{name} ({', '.join(want.columns)}){aside}: {message or outcome.message}")
        if differences:
            raise Mismatch(f"after {rel}, " + "\n".join(differences))

    def check_after(
        self,
        rel: str,
        query: str,
        *,
        setup: str | None = None,
        then: str | None = None,
        repeat: int = 1,
        after: Sequence[str] = (),
        ordered: bool = False,
        columns: Literal["name", "position"] = "name",
        round_digits: int | None = None,
        tolerance: float | None = None,
    ) -> None:
        """Like `check_state`, but compare one query's result (run as the learner role) on both copies.

        For what a script defines rather than stores: a view read after later changes, a function's results.
        """
        question = ("after", rel, query, setup, then, repeat, list(after))
        want = self.answers.get(question, lambda: self._applied_then(rel, "reference", setup, then, repeat, after)
                                ._run_check_sql(query, "reference", commit=False))
        got = self._applied_then(rel, "submission", setup, then, repeat, after)._run_check_sql(
            query, "submission", commit=False)
        if not ordered:  # stable listings of missing and unexpected rows
            want, got = (ResultSet(r.columns, sorted(r.rows, key=_sort_key)) for r in (want, got))
        outcome = compare(want, got, Rules(ordered, columns, round_digits, tolerance), reveal=self.reveal)
        if not outcome.ok:
            raise Mismatch(f"after {rel}, {self._quoted(query, 'the check query')}gives a different result "
                           f"({', '.join(want.columns)}): {outcome.message}")

    def _applied_then(self, rel: str, source: Source, setup: str | None, then: str | None,
                      repeat: int, after: Sequence[str] = ()) -> SqlChecker:
        """A fresh copy where `source`'s script ran (after `setup` and the reference files `after`), then
        the check's `then` SQL.

        Callers ask for the reference first, so a broken reference is a grader fault before the learner
        is judged."""
        copy = self.applied(rel, source, setup=setup, repeat=repeat, after=after)
        if then:
            copy._run_check_sql(then, source, commit=True)
        return copy

    def _reference_state(self, rel: str, tables: Sequence[str], setup: str | None, then: str | None, repeat: int,
                         exclude: Collection[str], others: bool, after: Sequence[str] = ()
                         ) -> list[tuple[str, ResultSet, list[str]]]:
        """The tables the reference script leaves (the named ones first): name, rows, primary key."""
        expected = self._applied_then(rel, "reference", setup, then, repeat, after)
        names = list(tables)
        if others:
            names += [t for t in expected.base_tables() if t not in names]
        return [(name, expected._read_relation(name, "reference", _excluded(exclude, name)), expected.primary_key(name))
                for name in names]

    def _run_check_sql(self, text: str, source: Source, commit: bool) -> ResultSet:
        """A check's own SQL as the learner role, on a copy where `source`'s script ran."""
        try:
            return self._learner_execute(text, commit, source)
        except psycopg.Error as exc:
            if source == "reference":
                raise GraderFault(f"the check's SQL failed after the reference script: {_describe(exc)}") from None
            raise Mismatch(
                f"after your script, {self._quoted(text, 'the check SQL')}failed: {_describe(exc)}"
            ) from None

    def relation(self, name: str, exclude: Collection[str] = ()) -> ResultSet:
        """Every row of a table or view (read as the learner role), sorted, without the `exclude` columns."""
        return self._read_relation(name, "submission", set(exclude))

    def _read_relation(self, name: str, source: Source, exclude: Collection[str]) -> ResultSet:
        statement = pgsql.SQL("SELECT * FROM {}").format(pgsql.Identifier(name))
        try:
            with self._learner(source) as conn, conn.cursor() as cursor:
                cursor.execute(statement)
                assert cursor.description is not None
                names = [d.name for d in cursor.description]
                rows = [tuple(r) for r in cursor.fetchall()]
                conn.rollback()
        except psycopg.Error as exc:
            if source == "reference":
                raise GraderFault(f"cannot read {name} after the reference script: {exc}") from None
            raise Mismatch(f"cannot read {name} after your script: {_describe(exc)}") from None
        keep = [i for i, column in enumerate(names) if column not in exclude]
        projected = [tuple(row[i] for i in keep) for row in rows]
        return ResultSet([names[i] for i in keep], sorted(projected, key=_sort_key))

    # Behaviour: statements that must succeed or fail -----------------------------------------
    def expect_ok(self, statement: str, *, explain: str, commit: bool = False) -> ResultSet:
        """The check's statement(s), run as the learner role, must succeed; returns the last result.

        Rolled back unless `commit`. A failure is the learner's: `explain` says what the schema must allow.
        """
        try:
            return self._learner_execute(statement, commit)
        except psycopg.Error as exc:
            shown = self._quoted(statement, "the statement")
            raise Mismatch(f"{explain}: {shown}failed with {_describe(exc)}") from None

    def expect_error(self, statement: str, sqlstate: str, *, explain: str) -> None:
        """The check's statement(s), run as the learner role, must fail with `sqlstate`; always rolled back.

        Statements before the last may set up rows: the first error ends the run, and its SQLSTATE is the
        one compared. `explain` names the rule (the constraint) that should have stopped the statement.
        """
        wanted = f"{sqlstate_name(sqlstate)} (SQLSTATE {sqlstate})"
        error = self.attempt(statement)
        if error is not None and error.sqlstate == sqlstate:
            return
        shown = self._quoted(statement, "the statement")
        outcome = "it succeeded" if error is None else f"failed with {_describe(error)}"
        raise Mismatch(f"{explain}: {shown}must fail with {wanted}, but {outcome}")

    def attempt(self, statement: str) -> psycopg.Error | None:
        """Run the statement(s) as the learner role, rolled back: the error PostgreSQL reported, or None."""
        try:
            self._learner_execute(statement, commit=False)
        except psycopg.Error as exc:
            return exc
        return None

    def _quoted(self, statement: str, label: str) -> str:
        """The check's SQL quoted for the learner on public data, a statement a line; only named on hidden data."""
        if not self.reveal:
            return f"{label} "
        lines = split_statements(statement)
        plural = "s" if len(lines) > 1 and label.endswith("statement") else ""
        return f"{label}{plural}\n" + "".join(f"    {line}\n" for line in lines) + "  "

    def _learner(self, source: Source = "submission") -> psycopg.Connection[Any]:
        url = self.reference_url if source == "reference" else self.learner_url
        for attempt in (1, 2):
            try:
                return psycopg.connect(url, connect_timeout=10)
            except psycopg.OperationalError as exc:
                # a learner may change their own role's password: the grader sets it back and goes on
                if attempt == 1 and self._repair is not None and "password authentication failed" in str(exc):
                    self._repair()
                    continue
                raise GraderFault(f"cannot connect as the learner role: {exc}") from None
        raise AssertionError("unreachable")

    def _learner_execute(self, text: str, commit: bool, source: Source = "submission") -> ResultSet:
        """Raises psycopg.Error for errors PostgreSQL reports; a lost connection is a grader fault."""
        with self._learner(source) as conn:
            try:
                return self._execute(conn, text, commit)
            except psycopg.Error as exc:
                if exc.sqlstate is None:
                    raise GraderFault(f"lost the connection to PostgreSQL: {exc}") from None
                raise

    # The schema, through the catalog (readers: catalog.py; expectations: schema_checks.py) --------
    @property
    def catalog(self) -> Catalog:
        """The catalog of this database, read as administrator (search_path pinned, names qualified)."""
        return Catalog(AdminReader(self.admin_url))

    def base_tables(self) -> list[str]:
        return self.catalog.base_tables()

    def relation_kind(self, name: str) -> str | None:
        return self.catalog.relation_kind(name)

    def function_languages(self, name: str) -> list[str]:
        return self.catalog.function_languages(name)

    def columns(self, table: str) -> dict[str, Column]:
        return self.catalog.columns(table)

    def constraints(self, table: str) -> list[Constraint]:
        return self.catalog.constraints(table)

    def unique_keys(self, table: str) -> list[frozenset[str]]:
        return self.catalog.unique_keys(table)

    def primary_key(self, table: str) -> list[str]:
        return self.catalog.primary_key(table)

    def _require_table(self, table: str) -> dict[str, Column]:
        return schema_checks.require_table(self.catalog, table)

    def expect_relation(self, name: str, kind: str) -> None:
        schema_checks.expect_relation(self.catalog, name, kind)

    def expect_columns(self, table: str, types: Mapping[str, str | Sequence[str]], *,
                       not_null: Collection[str] = ()) -> None:
        schema_checks.expect_columns(self.catalog, table, types, not_null=not_null)

    def expect_primary_key(self, table: str, columns: Sequence[str]) -> None:
        schema_checks.expect_primary_key(self.catalog, table, columns)

    def expect_unique(self, table: str, columns: Sequence[str]) -> None:
        schema_checks.expect_unique(self.catalog, table, columns)

    def expect_foreign_key(self, table: str, columns: Sequence[str], references: str, *,
                           on_delete: str | Collection[str] = "NO ACTION") -> None:
        schema_checks.expect_foreign_key(self.catalog, table, columns, references, on_delete=on_delete)


def _excluded(exclude: Collection[str], table: str) -> set[str]:
    """The columns of `table` among "table.column" exclusions."""
    return {c.split(".", 1)[1] for c in exclude if c.split(".", 1)[0] == table}


class TransactionEnded(SubmissionProblem):
    """Learner SQL ended the transaction the grader opened for it."""


class AdminReader:
    """Catalog queries as administrator, on a connection whose search_path is pinned to pg_catalog
    (PostgresIsolation.admin_url_for): no learner schema, function or operator is ever resolved."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url

    def query(self, text: str, params: tuple[Any, ...] = ()) -> ResultSet:
        with psycopg.connect(self.admin_url, autocommit=True) as conn, conn.cursor() as cursor:
            cursor.execute("SET search_path = pg_catalog, pg_temp")
            cursor.execute(text, params)
            if cursor.description is None:
                return ResultSet([], [])
            return ResultSet([d.name for d in cursor.description], [tuple(r) for r in cursor.fetchall()])


def split_statements(text: str) -> list[str]:
    """Statements of a script for display, whitespace collapsed; `;` inside quotes or $$ bodies does not split."""
    statements, current, quote = [], [], ""
    i = 0
    while i < len(text):
        if text.startswith("$$", i) and quote in ("", "$$"):
            quote = "" if quote else "$$"
            current.append("$$")
            i += 2
            continue
        char = text[i]
        if char == "'" and quote in ("", "'"):
            quote = "" if quote else "'"
        if char == ";" and not quote:
            statements.append("".join(current) + ";")
            current = []
        else:
            current.append(char)
        i += 1
    statements.append("".join(current))
    return [" ".join(s.split()) for s in statements if s.strip(" \n\t;")]


def keyed_difference(expected: ResultSet, actual: ResultSet, key: Sequence[str], rules: Rules,
                     reveal: bool) -> str | None:
    """Table contents compared row by row through the primary key: which rows changed in which columns,
    which are missing, which are new. None when that pairing is impossible (other columns, a key
    column left out, duplicate keys); the caller then keeps the plain bag comparison."""
    columns = expected.columns
    if sorted(columns) != sorted(actual.columns) or not set(key) <= set(columns):
        return None
    order = [actual.columns.index(c) for c in columns]
    positions = [columns.index(c) for c in key]
    want = {tuple(row[i] for i in positions): row for row in expected.rows}
    have = {tuple(row[order[i]] for i in positions): tuple(row[i] for i in order) for row in actual.rows}
    if len(want) != len(expected.rows) or len(have) != len(actual.rows):
        return None
    missing = [row for k, row in want.items() if k not in have]
    extra = [row for k, row in have.items() if k not in want]
    changed: list[tuple[tuple[Any, ...], list[tuple[str, Any, Any]]]] = []
    for k, row in want.items():
        if k in have:
            diffs = [(c, row[i], have[k][i]) for i, c in enumerate(columns) if not _same(row[i], have[k][i], rules)]
            if diffs:
                changed.append((k, diffs))
    parts = [f"expected {len(expected.rows)} rows, got {len(actual.rows)}"]
    if changed:
        touched = sorted({c for _, diffs in changed for c, _, _ in diffs}, key=columns.index)
        line = (f"{_count(len(changed), 'row')} with the same {', '.join(key)} "
                f"{'has' if len(changed) == 1 else 'have'} other values in {', '.join(touched)}")
        if reveal:
            shown = [
                "    " + ", ".join(f"{c} {show_value(v)}" for c, v in zip(key, k, strict=True)) + ": "
                + "; ".join(f"{c} expected {show_value(w)}, got {show_value(h)}" for c, w, h in diffs)
                for k, diffs in changed[:MAX_ROWS_SHOWN]
            ]
            more = [f"    … and {len(changed) - MAX_ROWS_SHOWN} more"] if len(changed) > MAX_ROWS_SHOWN else []
            line += ":\n" + "\n".join(shown + more)
        parts.append(line)
    for rows, label in ((missing, "missing"), (extra, "unexpected")):
        if rows:
            line = f"{_count(len(rows), label + ' row')}"
            if reveal:
                shown = [f"    {show_row(r)}" for r in rows[:MAX_ROWS_SHOWN]]
                more = [f"    … and {len(rows) - MAX_ROWS_SHOWN} more"] if len(rows) > MAX_ROWS_SHOWN else []
                line += ":\n" + "\n".join(shown + more)
            parts.append(line)
    return "\n".join(parts) if len(parts) > 1 else None


def _same(a: Any, b: Any, rules: Rules) -> bool:
    """Two values equal under the check's rules (the comparison module decides, not a second copy of it)."""
    return compare(ResultSet(["v"], [(a,)]), ResultSet(["v"], [(b,)]), rules, reveal=False).ok


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def sqlstate_name(sqlstate: str) -> str:
    """'23505' -> 'unique_violation', as PostgreSQL's error code table names it."""
    try:
        name = psycopg.errors.lookup(sqlstate).__name__
    except KeyError:
        return "error"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _sort_key(row: Row) -> tuple[tuple[bool, str, Any], ...]:
    """A total order over rows of mixed values, so listings of table contents are stable."""
    return tuple(
        (v is None, type(v).__name__, v if isinstance(v, (int, float, Decimal, str)) else str(v)) for v in row
    )


def _describe(exc: psycopg.Error) -> str:
    diag = exc.diag
    text = diag.message_primary or str(exc).strip()
    if diag.sqlstate:
        text += f" (SQLSTATE {diag.sqlstate})"
    if diag.message_hint:
        text += f"\n  hint: {diag.message_hint}"
    return text
