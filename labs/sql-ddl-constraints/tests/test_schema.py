"""Public checks for sql-ddl-constraints: your schema.sql runs on an empty database, then the catalog
is read and statements that must succeed or fail are run (each in a transaction that is rolled back)."""

import datetime as dt
import re

import pytest

INTEGER = ("integer", "bigint", "smallint")
TEXT = ("text", "character varying")

# OVERRIDING SYSTEM VALUE: the checks give ids themselves, also to an id GENERATED ALWAYS AS IDENTITY
TEACHER = ("INSERT INTO teachers (id, name, email) OVERRIDING SYSTEM VALUE "
           "VALUES (1, 'Ines Duarte', 'ines@school.test');")
STUDENTS = ("INSERT INTO students (id, name, email) OVERRIDING SYSTEM VALUE VALUES "
            "(10, 'Ola Berg', 'ola@school.test'), (11, 'Kai Lund', 'kai@school.test');")
COURSE = "INSERT INTO courses (code, title, term, teacher_id) VALUES ('DB101', 'Databases', '2025-spring', 1);"
ENROL = "INSERT INTO enrolments (student_id, course_code) VALUES (10, 'DB101');"
SCHOOL = TEACHER + STUDENTS + COURSE


@pytest.fixture
def db(sql):
    """A fresh empty database with your schema.sql applied."""
    return sql.applied("schema.sql")


# 1. Teachers and students -----------------------------------------------------------------
def _person_table_in_catalog(db, table):
    db.expect_columns(table, {"id": INTEGER, "name": TEXT, "email": TEXT}, not_null=["id", "name", "email"])
    db.expect_primary_key(table, ["id"])
    db.expect_unique(table, ["email"])


def _person_rules_hold(db, table):
    given = f"INSERT INTO {table} (id, name, email) OVERRIDING SYSTEM VALUE VALUES"
    first = f"{given} (1, 'Ada Lind', 'ada@school.test');"
    db.expect_error(first + f"{given} (2, 'Ada Moe', 'ada@school.test')",
                    "23505", explain=f"{table}.email must be UNIQUE")
    db.expect_error(f"INSERT INTO {table} (id, email) OVERRIDING SYSTEM VALUE VALUES (3, 'x@school.test')",
                    "23502", explain=f"{table}.name must be NOT NULL")


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_teachers_in_the_catalog(db):
    """teachers: columns, NOT NULL, PRIMARY KEY (id), UNIQUE (email)"""
    _person_table_in_catalog(db, "teachers")


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_students_in_the_catalog(db):
    """students: columns, NOT NULL, PRIMARY KEY (id), UNIQUE (email)"""
    _person_table_in_catalog(db, "students")


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_teacher_rules_hold(db):
    """teachers: a duplicate email and a missing name are refused"""
    _person_rules_hold(db, "teachers")


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_student_rules_hold(db):
    """students: a duplicate email and a missing name are refused; a teacher's email is not taken"""
    _person_rules_hold(db, "students")
    db.expect_ok("INSERT INTO teachers (id, name, email) OVERRIDING SYSTEM VALUE "
                 "VALUES (1, 'Ada Lind', 'ada@school.test');"
                 "INSERT INTO students (id, name, email) OVERRIDING SYSTEM VALUE "
                 "VALUES (1, 'Ada Lind', 'ada@school.test')",
                 explain="a teacher and a student may share an email (UNIQUE is per table)")


# 2. Courses ------------------------------------------------------------------------------
@pytest.mark.task(2)
@pytest.mark.points(2)
def test_courses_in_the_catalog(db):
    """courses: columns, NOT NULL, primary key, UNIQUE (title, term), teacher foreign key ON DELETE SET NULL"""
    db.expect_columns("courses", {"code": TEXT, "title": TEXT, "term": TEXT, "teacher_id": INTEGER,
                                  "capacity": INTEGER}, not_null=["code", "title", "term", "capacity"])
    db.expect_primary_key("courses", ["code"])
    db.expect_unique("courses", ["title", "term"])
    db.expect_foreign_key("courses", ["teacher_id"], "teachers", on_delete="SET NULL")


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_course_capacity_default_and_range(db):
    """capacity defaults to 30 and stays between 1 and 500"""
    stored = db.expect_ok(TEACHER + "INSERT INTO courses (code, title, term) VALUES ('X1', 'Art', '2025-spring') "
                          "RETURNING capacity", explain="a course without capacity must be accepted")
    assert stored.rows == [(30,)], "courses.capacity must default to 30 (DEFAULT 30)"
    for capacity in (0, 501):
        db.expect_error(f"INSERT INTO courses (code, title, term, capacity) VALUES ('X2', 'Art', '2025', {capacity})",
                        "23514", explain=f"capacity {capacity} must be refused: CHECK (capacity BETWEEN 1 AND 500)")
    db.expect_ok("INSERT INTO courses (code, title, term, capacity) VALUES ('X3', 'Art', '2025', 1), "
                 "('X4', 'Music', '2026', 500)", explain="capacities 1 and 500 are allowed")


@pytest.mark.task(2)
@pytest.mark.points(2)
def test_course_keys_behave(db):
    """title once per term; unknown teachers refused; deleting a teacher keeps the course"""
    db.expect_error(SCHOOL + "INSERT INTO courses (code, title, term) VALUES ('DB102', 'Databases', '2025-spring')",
                    "23505", explain="the same title twice in one term must be refused: UNIQUE (title, term)")
    db.expect_ok(SCHOOL + "INSERT INTO courses (code, title, term) VALUES ('DB201', 'Databases', '2025-autumn')",
                 explain="the same title in another term is allowed: the unique key is (title, term) together")
    db.expect_error("INSERT INTO courses (code, title, term, teacher_id) VALUES ('Z1', 'Art', '2025', 99)",
                    "23503", explain="courses.teacher_id must reference teachers (id)")
    db.expect_ok("INSERT INTO courses (code, title, term) VALUES ('Z2', 'Art', '2025')",
                 explain="a course without a teacher is allowed (teacher_id is optional)")
    left = db.expect_ok(SCHOOL + "DELETE FROM teachers WHERE id = 1; SELECT code, teacher_id FROM courses",
                        explain="deleting a teacher must keep their courses: ON DELETE SET NULL")
    assert left.rows == [("DB101", None)], "after deleting its teacher, a course must stay with teacher_id NULL"


# 3. Enrolments ---------------------------------------------------------------------------
@pytest.mark.task(3)
@pytest.mark.points(2)
def test_enrolments_in_the_catalog(db):
    """enrolments: columns, NOT NULL, composite primary key, both foreign keys with their ON DELETE"""
    db.expect_columns("enrolments", {"student_id": INTEGER, "course_code": TEXT, "enrolled_on": "date",
                                     "grade": INTEGER}, not_null=["student_id", "course_code", "enrolled_on"])
    db.expect_primary_key("enrolments", ["student_id", "course_code"])
    db.expect_foreign_key("enrolments", ["student_id"], "students", on_delete="CASCADE")
    db.expect_foreign_key("enrolments", ["course_code"], "courses", on_delete=("RESTRICT", "NO ACTION"))


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_enrolment_keys_behave(db):
    """one enrolment per student and course; unknown students and courses refused; default date"""
    db.expect_error(SCHOOL + ENROL + ENROL, "23505",
                    explain="enrolling twice in one course must be refused: PRIMARY KEY (student_id, course_code)")
    db.expect_ok(SCHOOL + ENROL + "INSERT INTO courses (code, title, term) VALUES ('WEB1', 'Web', '2025-spring');"
                 "INSERT INTO enrolments (student_id, course_code) VALUES (10, 'WEB1'), (11, 'DB101')",
                 explain="a student may take several courses, and a course has several students")
    db.expect_error(SCHOOL + "INSERT INTO enrolments (student_id, course_code) VALUES (99, 'DB101')",
                    "23503", explain="enrolments.student_id must reference students (id)")
    db.expect_error(SCHOOL + "INSERT INTO enrolments (student_id, course_code) VALUES (10, 'NOPE')",
                    "23503", explain="enrolments.course_code must reference courses (code)")
    stored = db.expect_ok(SCHOOL + ENROL.rstrip(";") + " RETURNING enrolled_on",
                          explain="an enrolment without a date must be accepted")
    today = db.query("SELECT CURRENT_DATE").rows[0][0]
    assert isinstance(today, dt.date)
    assert stored.rows == [(today,)], "enrolments.enrolled_on must default to today (DEFAULT CURRENT_DATE)"
    default = db.query("SELECT column_default FROM information_schema.columns "
                       "WHERE table_schema = 'public' AND table_name = 'enrolments' AND column_name = 'enrolled_on'")
    written = str(default.rows[0][0]) if default.rows else ""
    assert not re.fullmatch(r"'[^']*'::date", written), (
        "enrolments.enrolled_on defaults to a fixed date: DEFAULT 'today' is read once, when the table is "
        "created, and stays that day forever; DEFAULT CURRENT_DATE is evaluated at every insert")


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_grades_stay_in_range(db):
    """grades are NULL or between 0 and 100"""
    for grade in (-1, 101):
        db.expect_error(SCHOOL + "INSERT INTO enrolments (student_id, course_code, grade) "
                        f"VALUES (10, 'DB101', {grade})",
                        "23514", explain=f"grade {grade} must be refused: CHECK (grade BETWEEN 0 AND 100)")
    db.expect_ok(SCHOOL + "INSERT INTO courses (code, title, term) VALUES ('WEB1', 'Web', '2025-spring');"
                 "INSERT INTO enrolments (student_id, course_code, grade) VALUES "
                 "(10, 'DB101', 0), (11, 'DB101', 100), (10, 'WEB1', NULL)",
                 explain="grades 0, 100 and NULL (not graded yet) are allowed")


@pytest.mark.task(3)
@pytest.mark.points(2)
def test_deletes_follow_the_rules(db):
    """deleting a student removes their enrolments; a course with enrolments cannot be deleted"""
    left = db.expect_ok(SCHOOL + ENROL + "DELETE FROM students WHERE id = 10; SELECT count(*) FROM enrolments",
                        explain="deleting a student must delete their enrolments: ON DELETE CASCADE")
    assert left.rows == [(0,)], "deleting a student must delete their enrolments (ON DELETE CASCADE)"
    db.expect_error(SCHOOL + ENROL + "DELETE FROM courses WHERE code = 'DB101'", "23503",
                    explain="a course with enrolments must not be deleted: ON DELETE RESTRICT")
