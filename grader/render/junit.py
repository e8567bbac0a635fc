"""JUnit XML, the format CI dashboards read: testsuites > one testsuite per lab > one testcase per check.

Uses only the commonly documented elements and attributes (Ant/Jenkins/Surefire conventions):
testsuites(name, tests, failures, errors, skipped, time), testsuite(name, tests, failures, errors,
skipped, time), testcase(classname, name, time), failure/error(message, type) with the full text.
A lab the grader could not grade at all gets one extra testcase named "grading" with an <error>.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from grader.render import disclosure
from grader.results import CheckResult, LabResult, RunResult

# XML 1.0 forbids most control characters even when escaped; learner output may contain them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
LAB_ERROR_CASE = "grading"


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _testcase(parent: ET.Element, lab: LabResult, check: CheckResult) -> None:
    case = ET.SubElement(parent, "testcase", classname=lab.id, name=_clean(disclosure.label(check)),
                         time=_seconds(check.duration))
    if check.status == "pass":
        return
    body = disclosure.message(check)
    tip = disclosure.hint(check)
    full = f"{body}\nhint: {tip}" if tip else body
    tag = "failure" if check.status == "fail" else "error"
    problem = ET.SubElement(case, tag, message=_clean(_first_line(body)), type=tag)
    problem.text = _clean(full)


def _suite(parent: ET.Element, lab: LabResult, course: str) -> tuple[int, int, int]:
    checks = len(lab.tests) + (1 if lab.message or not lab.tests else 0)
    failures = sum(t.status == "fail" for t in lab.tests)
    errors = checks - len(lab.tests) + sum(t.status == "error" for t in lab.tests)
    suite = ET.SubElement(parent, "testsuite", name=lab.id, tests=str(checks), failures=str(failures),
                          errors=str(errors), skipped="0", time=_seconds(lab.duration))
    properties = ET.SubElement(suite, "properties")
    for name, value in (("title", lab.title), ("score", disclosure.points(lab.score)),
                        ("max_score", disclosure.points(lab.max_score)), ("course", course)):
        if value:
            ET.SubElement(properties, "property", name=name, value=_clean(value))
    for check in lab.tests:
        _testcase(suite, lab, check)
    if lab.message or not lab.tests:
        case = ET.SubElement(suite, "testcase", classname=lab.id, name=LAB_ERROR_CASE, time=_seconds(0))
        text = lab.message or "the lab produced no checks"
        error = ET.SubElement(case, "error", message=_clean(_first_line(text)), type="grader")
        error.text = _clean(f"{text}\n(a grader problem, not a problem with the submission)")
    return checks, failures, errors


def render(run: RunResult) -> str:
    root = ET.Element("testsuites", name="backend-labs")
    totals = [_suite(root, lab, run.course) for lab in run.labs]
    root.set("tests", str(sum(t[0] for t in totals)))
    root.set("failures", str(sum(t[1] for t in totals)))
    root.set("errors", str(sum(t[2] for t in totals)))
    root.set("skipped", "0")
    root.set("time", _seconds(sum(lab.duration for lab in run.labs)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
