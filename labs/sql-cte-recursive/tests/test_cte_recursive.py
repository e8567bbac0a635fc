"""Public checks for sql-cte-recursive: each runs your query and the reference on the same data and compares."""

import pytest


@pytest.mark.task(1)
@pytest.mark.points(2)
def test_org_chart(sql):
    """every employee with depth and path from the director, in the required order"""
    sql.check("queries/01_org_chart.sql", ordered=True)


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_all_reports(sql):
    """every manager/report pair, direct and indirect, with the levels between them"""
    sql.check("queries/02_all_reports.sql")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_team_salary(sql):
    """team size and salary of every manager, themselves excluded, in the required order"""
    sql.check("queries/03_team_salary.sql", ordered=True)
