"""Grading a whole class (`grader batch`): the instructor's side, the grade of record.

One module per job: who the students are and where their files lie (roster, repos, layout), what is
graded and whether it was graded before (plan, cache), grading (run: `grader.runner.grade` over staged
submissions with the instructor's course and bundle, side by side with `grader.parallel.run_all`), the
late policy (late), and what comes out of it (model, gradebook, feedback, items, similarity, html,
outputs, merge). The Gradescope autograder package (gradescope_package, autograde) grades one
submission the same way.
"""
