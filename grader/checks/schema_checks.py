"""Grading a schema through catalog facts: each expectation raises a Mismatch that names the fix.

Lab checks reach these through SqlChecker (`sql.expect_columns(...)`, …), which passes its catalog.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from grader.checks.catalog import Catalog, Column
from grader.checks.problems import Mismatch


def expect_relation(catalog: Catalog, name: str, kind: str) -> None:
    """`name` exists in the public schema as this kind of relation ('table', 'view', 'materialized view')."""
    found = catalog.relation_kind(name)
    if found is None:
        raise Mismatch(f"{name} does not exist: create it (unquoted, lower-case name)")
    if found != kind:
        raise Mismatch(f"{name} is a {found}, but it must be a {kind}")


def require_table(catalog: Catalog, table: str) -> dict[str, Column]:
    """The table's columns; a missing table is the learner's, named before any finer check."""
    found = catalog.columns(table)
    if not found:
        raise Mismatch(f"table {table} does not exist: create it (unquoted, lower-case name)")
    return found


def expect_columns(catalog: Catalog, table: str, types: Mapping[str, str | Sequence[str]], *,
                   not_null: Collection[str] = ()) -> None:
    """The table has exactly these columns, each of an accepted type (as information_schema spells it:
    'integer', 'text', 'character varying', 'numeric', 'date', …); `not_null` ones are NOT NULL and
    all others allow NULL."""
    found = require_table(catalog, table)
    problems = [f"column {name} is missing" for name in types if name not in found]
    problems += [f"column {name} is not asked for (remove it)" for name in found if name not in types]
    for name, accepted in types.items():
        column = found.get(name)
        if column is None:
            continue
        kinds = (accepted,) if isinstance(accepted, str) else tuple(accepted)
        if column.data_type not in kinds:
            problems.append(f"{name} is {column.data_type}, expected {' or '.join(kinds)}")
        if name in not_null and column.nullable:
            problems.append(f"{name} must be NOT NULL")
        elif name not in not_null and not column.nullable:
            problems.append(f"{name} must allow NULL (it must not be NOT NULL)")
    if problems:
        raise Mismatch(f"table {table}: " + "; ".join(problems))


def expect_primary_key(catalog: Catalog, table: str, columns: Sequence[str]) -> None:
    """The table's PRIMARY KEY is exactly this column set."""
    require_table(catalog, table)
    key = catalog.primary_key(table)
    wanted = f"PRIMARY KEY ({', '.join(columns)})"
    if not key:
        raise Mismatch(f"table {table} has no primary key: declare {wanted}")
    if set(key) != set(columns):
        raise Mismatch(f"table {table} has PRIMARY KEY ({', '.join(key)}), expected {wanted}")


def expect_unique(catalog: Catalog, table: str, columns: Sequence[str]) -> None:
    """Some unique index (PRIMARY KEY, UNIQUE constraint or unique index) covers exactly this column set."""
    require_table(catalog, table)
    keys = catalog.unique_keys(table)
    if frozenset(columns) in keys:
        return
    have = "; ".join(f"({', '.join(sorted(k))})" for k in keys) or "none"
    raise Mismatch(
        f"table {table} needs UNIQUE ({', '.join(columns)}) — one key over exactly these columns together; "
        f"its unique keys now: {have}"
    )


def expect_foreign_key(catalog: Catalog, table: str, columns: Sequence[str], references: str, *,
                       on_delete: str | Collection[str] = "NO ACTION") -> None:
    """A FOREIGN KEY from these columns to `references` exists, with an accepted ON DELETE action
    ('CASCADE', 'SET NULL', 'SET DEFAULT', 'RESTRICT', 'NO ACTION')."""
    require_table(catalog, table)
    accepted = (on_delete,) if isinstance(on_delete, str) else tuple(on_delete)
    keys = [c for c in catalog.constraints(table)
            if c.kind == "foreign key" and set(c.columns) == set(columns) and c.references == references]
    where = f"{table} ({', '.join(columns)}) → {references}"
    if not keys:
        raise Mismatch(f"foreign key {where} is missing: add REFERENCES {references}")
    if not any(k.on_delete in accepted for k in keys):
        raise Mismatch(
            f"foreign key {where} is ON DELETE {keys[0].on_delete}, expected ON DELETE {' or '.join(accepted)}"
        )
