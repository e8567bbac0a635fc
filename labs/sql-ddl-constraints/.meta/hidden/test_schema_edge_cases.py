"""Hidden checks: the rules again, on the cases a partial schema gets wrong."""

import pytest

TEACHER = "INSERT INTO teachers (id, name, email) OVERRIDING SYSTEM VALUE VALUES (7, 'Rui Sousa', 'rui@school.test');"
STUDENTS = ("INSERT INTO students (id, name, email) OVERRIDING SYSTEM VALUE VALUES "
            "(20, 'Eva Holm', 'eva@school.test'), (21, 'Jon Aas', 'jon@school.test');")
COURSES = ("INSERT INTO courses (code, title, term, teacher_id) VALUES "
           "('SQL1', 'SQL', '2025-spring', 7), ('SQL2', 'SQL Tuning', '2025-autumn', 7), "
           "('ART', 'Art', '2025-spring', NULL);")
SCHOOL = TEACHER + STUDENTS + COURSES


@pytest.fixture
def db(sql):
    return sql.applied("schema.sql")


@pytest.mark.task(1)
@pytest.mark.points(1)
def test_people_need_an_email(db):
    """teachers and students without an email are refused"""
    for table in ("teachers", "students"):
        db.expect_error(f"INSERT INTO {table} (id, name) OVERRIDING SYSTEM VALUE VALUES (1, 'No Mail')", "23502",
                        explain=f"{table}.email must be NOT NULL")


@pytest.mark.task(2)
@pytest.mark.points(1)
def test_course_required_columns_and_teacher_with_two_courses(db):
    """title, term and capacity are required; a deleted teacher's courses all stay"""
    for column, value in (("title", "NULL"), ("term", "NULL"), ("capacity", "NULL")):
        other = {"title": "'T'", "term": "'2025'", "capacity": "10"}
        other[column] = value
        db.expect_error(f"INSERT INTO courses (code, title, term, capacity) VALUES "
                        f"('N1', {other['title']}, {other['term']}, {other['capacity']})",
                        "23502", explain=f"courses.{column} must be NOT NULL")
    left = db.expect_ok(SCHOOL + "DELETE FROM teachers WHERE id = 7; "
                        "SELECT count(*) FILTER (WHERE teacher_id IS NULL), count(*) FROM courses",
                        explain="deleting a teacher must keep all their courses: ON DELETE SET NULL")
    assert left.rows == [(3, 3)], "after deleting a teacher, all courses must stay, without a teacher"


@pytest.mark.task(3)
@pytest.mark.points(1)
def test_deleting_one_student_keeps_the_others(db):
    """a deleted student's enrolments go, other students' stay; a course without enrolments can be deleted"""
    enrol = ("INSERT INTO enrolments (student_id, course_code, grade) VALUES "
             "(20, 'SQL1', 55), (20, 'SQL2', NULL), (21, 'SQL1', 70);")
    left = db.expect_ok(SCHOOL + enrol + "DELETE FROM students WHERE id = 20; "
                        "SELECT student_id, course_code FROM enrolments",
                        explain="deleting a student must delete their enrolments: ON DELETE CASCADE")
    assert left.rows == [(21, "SQL1")], "deleting a student must remove exactly their enrolments"
    db.expect_ok(SCHOOL + enrol + "DELETE FROM courses WHERE code = 'ART'",
                 explain="a course without enrolments can be deleted")
    db.expect_error(SCHOOL + "INSERT INTO enrolments (student_id, course_code) VALUES (20, NULL)", "23502",
                    explain="enrolments.course_code must be NOT NULL")
