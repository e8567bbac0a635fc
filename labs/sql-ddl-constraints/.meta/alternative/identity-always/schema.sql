CREATE TABLE teachers (
    id    integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name  text NOT NULL,
    email text NOT NULL UNIQUE
);

CREATE TABLE students (
    id    integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name  text NOT NULL,
    email text NOT NULL UNIQUE
);

CREATE TABLE courses (
    code       text PRIMARY KEY,
    title      text NOT NULL,
    term       text NOT NULL,
    teacher_id integer REFERENCES teachers (id) ON DELETE SET NULL,
    capacity   integer NOT NULL DEFAULT 30 CHECK (capacity BETWEEN 1 AND 500),
    UNIQUE (title, term)
);

CREATE TABLE enrolments (
    student_id  integer NOT NULL REFERENCES students (id) ON DELETE CASCADE,
    course_code text NOT NULL REFERENCES courses (code) ON DELETE RESTRICT,
    enrolled_on date NOT NULL DEFAULT CURRENT_DATE,
    grade       integer CHECK (grade BETWEEN 0 AND 100),
    PRIMARY KEY (student_id, course_code)
);
