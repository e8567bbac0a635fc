"""Facts about a learner's schema, read from the PostgreSQL catalog.

Correct schemas differ in constraint names, identity versus serial, inline versus table constraints,
so checks never compare DDL text: they ask this one reader for the facts that matter. It reads the
public schema (where learner scripts create their tables) through any object with a `query` method,
normally the SqlChecker, whose `query` runs as administrator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from grader.sqlcompare import ResultSet

CONTYPES = {"p": "primary key", "u": "unique", "f": "foreign key", "c": "check"}
FK_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
RELKINDS = {"r": "table", "p": "table", "v": "view", "m": "materialized view", "f": "foreign table"}

COLUMNS = """
SELECT c.column_name::text, c.data_type::text, c.is_nullable = 'YES', c.column_default, c.is_identity = 'YES',
       format_type(a.atttypid, a.atttypmod)
FROM information_schema.columns c
JOIN pg_attribute a ON a.attrelid = format('%%I.%%I', c.table_schema, c.table_name)::regclass
                   AND a.attname = c.column_name
WHERE c.table_schema = 'public' AND c.table_name = %s
ORDER BY c.ordinal_position
"""

CONSTRAINTS = """
SELECT con.contype::text, con.conname::text,
       ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY AS k(num, pos)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.pos),
       ref.relname::text,
       ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY AS k(num, pos)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.pos),
       con.confdeltype::text, pg_catalog.pg_get_constraintdef(con.oid)
FROM pg_catalog.pg_constraint con
JOIN pg_catalog.pg_class rel ON rel.oid = con.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = rel.relnamespace
LEFT JOIN pg_catalog.pg_class ref ON ref.oid = con.confrelid
WHERE n.nspname = 'public' AND rel.relname = %s AND con.contype IN ('p', 'u', 'f', 'c')
ORDER BY con.conname
"""

UNIQUE_KEYS = """
SELECT ARRAY(SELECT a.attname::text FROM pg_catalog.unnest(i.indkey::int2[]) WITH ORDINALITY AS k(num, pos)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num
             WHERE k.pos <= i.indnkeyatts)  -- INCLUDE columns are carried, not part of the key
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class rel ON rel.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = rel.relnamespace
WHERE n.nspname = 'public' AND rel.relname = %s AND i.indisunique
  AND i.indpred IS NULL AND i.indexprs IS NULL
"""

BASE_TABLES = """
SELECT table_name::text FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name
"""

RELATION_KIND = """
SELECT c.relkind::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relname = %s
"""

FUNCTION_LANGUAGES = """
SELECT l.lanname::text FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
WHERE n.nspname = 'public' AND p.proname = %s ORDER BY p.oid
"""


class Queries(Protocol):
    """What the catalog reader needs: run a query with parameters, get rows back (e.g. SqlChecker)."""

    def query(self, text: str, params: tuple[Any, ...]) -> ResultSet: ...


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str  # as information_schema.columns spells it: 'integer', 'text', 'character varying', …
    nullable: bool
    default: str | None
    identity: bool = False  # GENERATED … AS IDENTITY (its default is not in column_default)
    declared: str = ""  # with its modifiers, as format_type prints it: 'numeric(10,2)', 'character varying(80)'

    @property
    def filled_by_database(self) -> bool:
        """An INSERT that leaves this column out still gets a value (a default, serial or identity)."""
        return self.default is not None or self.identity


@dataclass(frozen=True)
class Constraint:
    kind: str  # 'primary key', 'unique', 'foreign key', 'check'
    name: str
    columns: tuple[str, ...]  # in key order
    references: str | None = None  # the referenced table of a foreign key
    ref_columns: tuple[str, ...] = ()
    on_delete: str | None = None  # a foreign key's ON DELETE action, e.g. 'CASCADE'
    definition: str = ""  # as pg_get_constraintdef prints it


class Catalog:
    """Facts about the tables, views and functions of the public schema."""

    def __init__(self, source: Queries) -> None:
        self.source = source

    def columns(self, table: str) -> dict[str, Column]:
        """The columns of a table by name, in order; empty when the table does not exist."""
        rows = self.source.query(COLUMNS, (table,)).rows
        return {str(r[0]): Column(str(r[0]), str(r[1]), bool(r[2]), r[3], bool(r[4]), str(r[5])) for r in rows}

    def constraints(self, table: str) -> list[Constraint]:
        """Primary key, unique, foreign key and check constraints of a table, by constraint name."""
        rows = self.source.query(CONSTRAINTS, (table,)).rows
        return [
            Constraint(CONTYPES[kind], str(name), tuple(cols or ()), ref, tuple(ref_cols or ()),
                       FK_ACTIONS.get(action) if kind == "f" else None, str(definition))
            for kind, name, cols, ref, ref_cols, action, definition in rows
        ]

    def primary_key(self, table: str) -> list[str]:
        """The primary key columns of a table, in key order; empty when it has none."""
        keys = [c for c in self.constraints(table) if c.kind == "primary key"]
        return list(keys[0].columns) if keys else []

    def unique_keys(self, table: str) -> list[frozenset[str]]:
        """Column sets that a unique index (a PRIMARY KEY, UNIQUE constraint or unique index) enforces."""
        return [frozenset(row[0]) for row in self.source.query(UNIQUE_KEYS, (table,)).rows]

    def base_tables(self) -> list[str]:
        """The tables (not views) by name."""
        return [str(row[0]) for row in self.source.query(BASE_TABLES, ()).rows]

    def relation_kind(self, name: str) -> str | None:
        """'table', 'view', 'materialized view', … for a relation; None if absent."""
        found = self.source.query(RELATION_KIND, (name,)).rows
        return RELKINDS.get(str(found[0][0]), "other") if found else None

    def function_languages(self, name: str) -> list[str]:
        """The languages of the functions called `name` (one per overload); empty when none exists."""
        return [str(row[0]) for row in self.source.query(FUNCTION_LANGUAGES, (name,)).rows]
