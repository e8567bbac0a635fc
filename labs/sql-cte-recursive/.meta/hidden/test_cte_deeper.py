"""Hidden checks: the hidden hierarchy made deeper still, with two managers whose teams cost the same."""

import pytest


@pytest.fixture
def org(sql):
    """A fresh copy with a chain of three more levels under the deepest employee and a salary tie."""
    fresh = sql.fresh()
    deepest = fresh.query(
        "WITH RECURSIVE d AS (SELECT id, 0 AS depth FROM employees WHERE manager_id IS NULL"
        " UNION ALL SELECT e.id, d.depth + 1 FROM employees AS e JOIN d ON e.manager_id = d.id)"
        " SELECT id FROM d ORDER BY depth DESC, id DESC LIMIT 1"
    ).rows[0][0]
    director = fresh.query("SELECT id FROM employees WHERE manager_id IS NULL").rows[0][0]
    fresh.query(
        "INSERT INTO employees VALUES (999001, 'Ola Berg', %s, 'Engineer', 4000),"
        " (999002, 'Pia Lund', 999001, 'Engineer', 3900),"
        " (999003, 'Ravi Menon', 999002, 'Analyst', 3800),"
        # two managers under the director, each with one report on the same salary
        " (999011, 'Sami Noor', %s, 'Engineer', 6000), (999012, 'Tove Aas', %s, 'Engineer', 6100),"
        " (999021, 'Uli Roth', 999012, 'Designer', 4500), (999022, 'Vik Shah', 999011, 'Designer', 4500)",
        (deepest, director, director),
    )
    return fresh


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_org_chart_three_levels_deeper(org):
    """depth and path reach the new bottom of a deeper hierarchy"""
    org.check("queries/01_org_chart.sql", ordered=True)


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_all_reports_three_levels_deeper(org):
    """every pair down to the new bottom, with its levels"""
    org.check("queries/02_all_reports.sql")


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_team_salary_with_a_tie(org):
    """totals include the new levels; equal team salaries come by employee_id"""
    org.check("queries/03_team_salary.sql", ordered=True)
