"""Grading a learner's normalised schema by loading it and querying it.

A schema cannot be compared with a reference text: names of constraints, identity versus serial,
inline versus table constraints all differ between correct answers. So the checks read the
catalog for the facts that matter (which columns each table has, its primary key, unique keys,
NOT NULL, foreign keys), load the data with the learner's own script, query it back, and try
inserts that a correct schema must refuse with a given SQLSTATE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

from grader.checks.problems import GraderFault, Mismatch
from grader.checks.sql import SqlChecker
from grader.sqlcompare import ResultSet, Rules, compare


@dataclass(frozen=True)
class TableSpec:
    """What a README requires of one table."""

    name: str
    columns: tuple[str, ...]
    primary_key: tuple[str, ...]
    not_null: tuple[str, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()
    generated: tuple[str, ...] = ()  # filled by the database when an INSERT leaves them out
    references: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = field(default_factory=dict)


KEYS = """
SELECT c.contype, array(SELECT a.attname::text FROM unnest(c.conkey) AS k
                        JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = k ORDER BY a.attname),
       c.confrelid::regclass::text,
       array(SELECT a.attname::text FROM unnest(c.confkey) AS k
             JOIN pg_attribute AS a ON a.attrelid = c.confrelid AND a.attnum = k ORDER BY a.attname)
FROM pg_constraint AS c
WHERE c.conrelid = to_regclass(%s) AND c.contype IN ('p', 'u', 'f')
UNION ALL
SELECT 'u', array(SELECT a.attname::text FROM unnest(i.indkey) AS k
                  JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k ORDER BY a.attname),
       NULL, NULL
FROM pg_index AS i
WHERE i.indrelid = to_regclass(%s) AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL
"""

COLUMNS = """
SELECT column_name::text, is_nullable = 'YES', column_default IS NOT NULL OR is_identity = 'YES'
FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = %s
ORDER BY ordinal_position
"""


class Catalog:
    """Facts about the learner's tables, read as administrator."""

    def __init__(self, checker: SqlChecker) -> None:
        self.checker = checker

    def columns(self, table: str) -> dict[str, tuple[bool, bool]]:
        """column -> (nullable, filled by the database)."""
        return {str(r[0]): (bool(r[1]), bool(r[2])) for r in self.checker.query(COLUMNS, (table,)).rows}

    def keys(self, table: str) -> list[tuple[str, tuple[str, ...], str | None, tuple[str, ...]]]:
        """(kind p/u/f, columns sorted, referenced table, referenced columns sorted)."""
        rows = self.checker.query(KEYS, (table, table)).rows
        return [(str(r[0]), tuple(r[1]), r[2], tuple(r[3] or ())) for r in rows]


def table_problems(catalog: Catalog, spec: TableSpec) -> list[str]:
    """Missing table, missing or extra columns (an extra column is usually a repeated attribute)."""
    found = catalog.columns(spec.name)
    if not found:
        return [f"there is no table {spec.name}"]
    problems = []
    missing = [c for c in spec.columns if c not in found]
    extra = [c for c in found if c not in spec.columns]
    if missing:
        problems.append(f"{spec.name} lacks column(s) {', '.join(missing)}")
    if extra:
        problems.append(f"{spec.name} has column(s) the task does not ask for: {', '.join(extra)} — a fact that "
                        "depends on another key belongs in that key's table, stored once")
    return problems


def key_problems(catalog: Catalog, spec: TableSpec) -> list[str]:
    """Primary key, unique keys, NOT NULL and database-filled columns as the spec says."""
    found = catalog.columns(spec.name)
    if not found:
        return [f"there is no table {spec.name}"]
    keys = catalog.keys(spec.name)
    problems = []
    primary = [cols for kind, cols, _, _ in keys if kind == "p"]
    if not primary:
        problems.append(f"{spec.name} has no primary key; it needs PRIMARY KEY ({', '.join(spec.primary_key)})")
    elif primary[0] != tuple(sorted(spec.primary_key)):
        problems.append(f"the primary key of {spec.name} is ({', '.join(primary[0])}); it must be "
                        f"({', '.join(spec.primary_key)})")
    uniques = {cols for kind, cols, _, _ in keys if kind in ("p", "u")}
    for wanted in spec.unique:
        if tuple(sorted(wanted)) not in uniques:
            problems.append(f"{spec.name}.{', '.join(wanted)} is not declared UNIQUE, so duplicates can be stored")
    for column in spec.not_null:
        if column in found and found[column][0] and column not in spec.primary_key:
            problems.append(f"{spec.name}.{column} allows NULL; declare it NOT NULL")
    for column in spec.generated:
        if column in found and not found[column][1]:
            problems.append(f"{spec.name}.{column} is not generated by the database; use GENERATED ALWAYS AS "
                            "IDENTITY (or serial)")
    return problems


def foreign_key_problems(catalog: Catalog, spec: TableSpec) -> list[str]:
    keys = catalog.keys(spec.name)
    declared = {(cols, str(ref).split(".")[-1].strip('"'), ref_cols)
                for kind, cols, ref, ref_cols in keys if kind == "f"}
    problems = []
    for columns, (ref_table, ref_columns) in spec.references.items():
        if (tuple(sorted(columns)), ref_table, tuple(sorted(ref_columns))) not in declared:
            problems.append(f"{spec.name}.{', '.join(columns)} has no FOREIGN KEY referencing "
                            f"{ref_table} ({', '.join(ref_columns)})")
    return problems


class LoadedCopy:
    """A fresh copy where the facts are read first, then the learner's scripts run in order (committed)."""

    def __init__(self, sql: SqlChecker, scripts: Sequence[str], facts: dict[str, str], setup: str = "") -> None:
        self.checker = sql.fresh()
        self.reveal = sql.reveal
        if setup:  # the check's own rows, added as administrator before anything is read
            self.checker.query(setup)
        self.facts = {label: self.checker.query(text) for label, text in facts.items()}
        for script in scripts:
            self.checker.run(script, commit=True)

    def same_as_fact(self, label: str, query: str, what: str) -> None:
        """The learner's tables, queried, give back a fact of the original data (as a bag of rows)."""
        try:
            actual: ResultSet = self.checker.query(query)
        except psycopg.Error as exc:
            raise Mismatch(f"{what}: the query over your tables failed: {exc.diag.message_primary}") from None
        outcome = compare(self.facts[label], actual, Rules(), reveal=self.reveal)
        if not outcome.ok:
            raise Mismatch(f"{what}: {outcome.message}")


def refused_with(checker: SqlChecker, statement: str, sqlstate: str) -> str | None:
    """Run a statement as the learner, rolled back; None if it failed with `sqlstate`, else what happened."""
    try:
        conn = psycopg.connect(checker.learner_url, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise GraderFault(f"cannot connect as the learner role: {exc}") from None
    with conn:
        try:
            conn.execute(statement)
        except psycopg.Error as exc:
            got: Any = exc.diag.sqlstate
            conn.rollback()
            return None if got == sqlstate else f"failed with SQLSTATE {got} ({exc.diag.message_primary})"
        conn.rollback()
    return "was accepted"
