"""grader/checks/normal_form.py on a real server: catalog facts, their problems, refused inserts, join-back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from grader.checks.normal_form import (
    Catalog,
    LoadedCopy,
    TableSpec,
    foreign_key_problems,
    key_problems,
    refused_with,
    table_problems,
)
from grader.checks.problems import Mismatch
from grader.checks.sql import SqlChecker
from grader.isolation.postgres import PostgresIsolation
from grader.services.session import ServicePool

FLAT = """
CREATE TABLE flat (team text NOT NULL, team_city text, player text NOT NULL);
INSERT INTO flat VALUES ('Owls', 'Oslo', 'Ada'), ('Owls', 'Oslo', 'Bo'), ('Elks', NULL, 'Cy');
"""
GOOD = """
CREATE TABLE teams (team_id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE, city text);
CREATE TABLE players (name text PRIMARY KEY, team_id integer NOT NULL REFERENCES teams (team_id));
"""
LOOSE = """
CREATE TABLE teams (team_id integer PRIMARY KEY, name text, city text);
CREATE TABLE players (name text, team_id integer, team_city text);
"""
LOAD = """
INSERT INTO teams (name, city) SELECT DISTINCT team, team_city FROM flat;
INSERT INTO players SELECT f.player, t.team_id FROM flat AS f JOIN teams AS t ON t.name = f.team;
"""
TEAMS = TableSpec("teams", ("team_id", "name", "city"), ("team_id",), not_null=("name",), unique=(("name",),),
                  generated=("team_id",))
PLAYERS = TableSpec("players", ("name", "team_id"), ("name",), not_null=("team_id",),
                    references={("team_id",): ("teams", ("team_id",))})
JOIN_BACK = "SELECT t.name AS team, t.city AS team_city, p.name AS player FROM players p JOIN teams t USING (team_id)"


@pytest.fixture
def checker(pool: ServicePool, tmp_path: Path) -> Iterator[SqlChecker]:
    iso = PostgresIsolation(pool.get("postgres").url)
    iso.ensure_learner_role()
    seeded = iso.create_copy(None)
    made = [seeded]
    with psycopg.connect(iso.learner_url(seeded, 5000), autocommit=True) as conn:
        conn.execute(FLAT.encode())

    def make() -> SqlChecker:
        name = iso.create_copy(seeded)
        made.append(name)
        return SqlChecker(iso.learner_url(name, 5000), iso.admin_url_for(name), tmp_path, None, 5000, True,
                          make, lambda rel: None)

    yield make()
    for name in reversed(made):
        iso.drop(name)


def _load(checker: SqlChecker, tmp_path: Path, schema: str, load: str = "") -> LoadedCopy:
    (tmp_path / "schema.sql").write_text(schema)
    (tmp_path / "load.sql").write_text(load or "SELECT 1;")
    facts = {"flat": "SELECT * FROM flat", "teams": "SELECT DISTINCT team AS name FROM flat"}
    return LoadedCopy(checker, ["schema.sql", "load.sql"], facts)


def test_a_good_schema_has_no_problems(checker: SqlChecker, tmp_path: Path) -> None:
    copy = _load(checker, tmp_path, GOOD, LOAD)
    catalog = Catalog(copy.checker)
    for spec in (TEAMS, PLAYERS):
        assert table_problems(catalog, spec) == [] and key_problems(catalog, spec) == []
        assert foreign_key_problems(catalog, spec) == []
    copy.same_as_fact("flat", JOIN_BACK, "join back")
    copy.same_as_fact("teams", "SELECT name FROM teams", "teams")


def test_a_loose_schema_has_each_problem_named(checker: SqlChecker, tmp_path: Path) -> None:
    catalog = Catalog(_load(checker, tmp_path, LOOSE).checker)
    assert table_problems(catalog, PLAYERS) == [
        "players has a column the task does not ask for: team_city — a fact that depends on another key belongs "
        "in that key's table, stored once"]
    teams = " ".join(key_problems(catalog, TEAMS))
    assert "teams.name is not declared UNIQUE" in teams and "teams.name allows NULL" in teams
    assert "teams.team_id is not generated" in teams
    assert key_problems(catalog, PLAYERS)[0] == "players has no primary key; it needs PRIMARY KEY (name)"
    assert foreign_key_problems(catalog, PLAYERS) == [
        "players.team_id has no FOREIGN KEY referencing teams (team_id)"]
    assert table_problems(catalog, TableSpec("coaches", ("name",), ("name",))) == ["there is no table coaches"]


def test_refused_with_tells_accepted_from_the_wrong_error(checker: SqlChecker, tmp_path: Path) -> None:
    copy = _load(checker, tmp_path, GOOD, LOAD)
    duplicate = "INSERT INTO teams (name) VALUES ('Owls')"
    assert refused_with(copy.checker, duplicate, "23505") is None
    assert refused_with(copy.checker, duplicate, "23503") == (
        'failed with SQLSTATE 23505 (duplicate key value violates unique constraint "teams_name_key")')
    assert refused_with(copy.checker, "INSERT INTO teams (name) VALUES ('Yaks')", "23505") == "was accepted"
    assert copy.checker.query("SELECT count(*) FROM teams").rows == [(2,)], "every attempt is rolled back"


def test_a_load_that_drops_null_rows_fails_the_join_back(checker: SqlChecker, tmp_path: Path) -> None:
    dropping = LOAD.replace("ON t.name = f.team", "ON t.name = f.team AND t.city = f.team_city")
    copy = _load(checker, tmp_path, GOOD, dropping)
    with pytest.raises(Mismatch, match="1 missing row"):
        copy.same_as_fact("flat", JOIN_BACK, "join back")
