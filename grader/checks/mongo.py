"""MongoDB checks: run the learner's declarative files and the reference's on the same seeded data.

Read-only files (queries, pipelines) run on the variant's database; write files each run on a new
copy of the seeded database, and the collections they leave behind are compared. On a real server
learner files run as a user that may only read and write the run's own database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from grader.checks import mongo_files
from grader.checks.mongo_compare import compare
from grader.checks.problems import GraderFault, Mismatch, SubmissionProblem
from grader.isolation.mongodb import Collections, MongoRun
from grader.reference_record import ReferenceAnswers

Source = Literal["submission", "reference"]
FORBIDDEN_STAGES = {"$out", "$merge"}


class MongoChecker:
    """Mongo checks against one seeded database of one variant (`db`, an administrator handle)."""

    def __init__(
        self,
        run: MongoRun,
        variant: str,
        seed: Collections,
        submission_dir: Path,
        reference_dir: Path | None,
        timeout_ms: int,
        touched: Callable[[str], None],
        answers: ReferenceAnswers | None = None,
    ) -> None:
        self.run_ = run
        self.variant = variant
        self.seed = seed
        self.submission_dir = submission_dir
        self.reference_dir = reference_dir
        self.timeout_ms = timeout_ms
        self.reveal = variant == "public"
        self._touched = touched
        self.answers = answers or ReferenceAnswers("live")  # a release replays what the reference answered
        self.db: Any = run.seeded(variant, seed)

    def reset(self) -> None:
        """Put this checker's database back to the seed data (checks that share it with learner Python)."""
        self.run_.reseed(self.db, self.seed)

    @property
    def emulated(self) -> bool:
        return self.run_.emulated

    def fresh(self) -> MongoChecker:
        """A checker on a new copy of the seed data (for checks that change data)."""
        return MongoChecker(self.run_, self.variant, self.seed, self.submission_dir, self.reference_dir,
                            self.timeout_ms, self._touched, self.answers)

    # Loading files ------------------------------------------------------------------------------
    def load(self, rel: str, source: Source = "submission") -> Any:
        if source == "reference":
            if self.reference_dir is None or not (self.reference_dir / rel).is_file():
                raise GraderFault(f"the reference solution has no {rel}")
            try:
                return mongo_files.load(self.reference_dir / rel, rel)
            except SubmissionProblem as exc:
                raise GraderFault(f"the reference {exc}") from None
        self._touched(rel)
        return mongo_files.load(self.submission_dir / rel, rel)

    def _target(self, source: Source) -> Any:
        """Learner files go through the learner's own user; the reference through the administrator."""
        return self.run_.learner_database(self.db) if source == "submission" else self.db

    def _execute(self, rel: str, source: Source, action: Callable[[], Any]) -> Any:
        """Run a server call; a server error is the learner's (or, for the reference, the grader's)."""
        from pymongo.errors import ExecutionTimeout, PyMongoError

        try:
            return action()
        except SubmissionProblem:
            raise
        except ExecutionTimeout:
            problem = f"{rel} was stopped after {self.timeout_ms} ms: make it cheaper"
        except Exception as exc:
            self._refused_on_emulator(exc, rel)
            if not isinstance(exc, (PyMongoError, ValueError, TypeError)):  # pymongo's malformed-argument errors
                raise
            detail = getattr(exc, "details", None) or {}
            message = detail.get("errmsg") if isinstance(detail, dict) else None
            problem = f"{rel} failed in MongoDB: {message or exc}"
        if source == "reference":
            raise GraderFault(f"the reference {problem}")
        raise SubmissionProblem(problem)

    def _refused_on_emulator(self, exc: BaseException, rel: str) -> None:
        """On the emulator, its refusal of valid MongoDB ends the check as `error`, never the learner's fail."""
        from grader.checks.emulator_refusals import refusal
        from grader.services.emulated_mongo import NOT_ON_EMULATOR

        gap = refusal(exc) if self.emulated or isinstance(exc, NotImplementedError) else None
        if gap is not None:
            raise GraderFault(f"{NOT_ON_EMULATOR}: mongomock could not run {rel}: it needs {gap}. "
                              "This check runs on a real MongoDB server") from None

    # Running files ------------------------------------------------------------------------------
    def query(self, rel: str, collection: str, source: Source = "submission") -> list[dict[str, Any]]:
        """Run a query file with find(); the documents in the order the cursor returns them."""
        spec = mongo_files.query_spec(self.load(rel, source), rel)
        target = self._target(source)[collection]

        def action() -> list[dict[str, Any]]:
            kwargs = dict(spec)
            if not self.emulated:
                kwargs["max_time_ms"] = self.timeout_ms
            return list(target.find(**kwargs))

        result: list[dict[str, Any]] = self._execute(rel, source, action)
        return result

    def pipeline(self, rel: str, collection: str, source: Source = "submission") -> list[dict[str, Any]]:
        """Run a pipeline file with aggregate()."""
        stages = mongo_files.pipeline_spec(self.load(rel, source), rel)
        for stage in stages:
            if set(stage) & FORBIDDEN_STAGES:
                name = next(iter(stage))
                raise SubmissionProblem(f"{rel}: {name} writes to a collection; these tasks return results")
        target = self._target(source)[collection]

        def action() -> list[dict[str, Any]]:
            options = {} if self.emulated else {"maxTimeMS": self.timeout_ms}
            return list(target.aggregate(stages, **options))

        result: list[dict[str, Any]] = self._execute(rel, source, action)
        return result

    def write(self, rel: str, collection: str, source: Source = "submission") -> dict[str, int]:
        """Run a write file on this checker's database; the counts MongoDB reports."""
        spec = mongo_files.write_spec(self.load(rel, source), rel)
        target = self._target(source)[collection]
        counts: dict[str, int] = self._execute(rel, source, lambda: mongo_files.execute_write(target, spec))
        return counts

    def documents(self, collection: str, sort: str = "_id") -> list[dict[str, Any]]:
        """A collection's documents as administrator, sorted (for state checks)."""
        return list(self.db[collection].find({}, sort=[(sort, 1)]))

    # Comparing ----------------------------------------------------------------------------------
    def check_query(self, rel: str, collection: str, *, ordered: bool = False, digits: int = 6) -> None:
        expected = self.answers.get(("query", rel, collection), lambda: self.query(rel, collection, "reference"))
        actual = self.query(rel, collection)
        self.expect_same(rel, expected, actual, ordered=ordered, digits=digits)

    def check_pipeline(self, rel: str, collection: str, *, ordered: bool = False, digits: int = 6) -> None:
        expected = self.answers.get(("pipeline", rel, collection),
                                    lambda: self.pipeline(rel, collection, "reference"))
        actual = self.pipeline(rel, collection)
        self.expect_same(rel, expected, actual, ordered=ordered, digits=digits)

    def check_write(self, rel: str, collection: str, *, setup: Callable[[MongoChecker], None] | None = None) -> None:
        """Run the reference and the learner's write file each on a fresh copy; compare the collections after."""
        def reference_after() -> list[Any]:
            reference = self.fresh()
            if setup is not None:
                setup(reference)
            reference.write(rel, collection, "reference")
            return _generated_ids(reference.documents(collection))

        expected = self.answers.get(("write", rel, collection), reference_after)
        learner = self.fresh()
        if setup is not None:
            setup(learner)
        learner.write(rel, collection)
        self.expect_same(rel, expected, _generated_ids(learner.documents(collection)), ordered=False,
                         what=f"documents in '{collection}' after your write")

    def expect_same(self, rel: str, expected: list[Any], actual: list[Any], *, ordered: bool, digits: int = 6,
                    what: str = "documents") -> None:
        outcome = compare(expected, actual, ordered=ordered, reveal=self.reveal, digits=digits, what=what)
        if not outcome.ok:
            raise Mismatch(f"{rel}: {outcome.message}")

    # Indexes, explain and validators (real-server features are gated by the `mongo` fixture) ---
    def create_indexes(self, rel: str, collection: str, source: Source = "submission") -> list[str]:
        """An index file: [{"keys": {"field": 1, ...}, "options": {"unique": true, ...}}, ...]."""
        document = self.load(rel, source)
        if not isinstance(document, list) or not document:
            raise SubmissionProblem(f"{rel}: an index file holds a JSON array: [{{\"keys\": {{\"field\": 1}}}}]")
        target = self._target(source)[collection]
        names = []
        for number, index in enumerate(document, 1):
            if not isinstance(index, dict) or not isinstance(index.get("keys"), dict) or not index["keys"]:
                raise SubmissionProblem(f"{rel}: index {number} needs \"keys\": an object such as {{\"field\": 1}}")
            options = index.get("options", {})
            if not isinstance(options, dict) or set(index) - {"keys", "options"}:
                raise SubmissionProblem(f"{rel}: index {number} holds only \"keys\" and \"options\" (an object)")
            keys = list(index["keys"].items())

            def create(keys: list[tuple[str, Any]] = keys, options: dict[str, Any] = options) -> Any:
                return target.create_index(keys, **options)

            names.append(str(self._execute(rel, source, create)))
        return names

    def create_validated(self, rel: str, collection: str, source: Source = "submission") -> dict[str, Any]:
        """A validator file (validator, validationLevel, validationAction) applied to a new collection."""
        options = self.load(rel, source)
        if not isinstance(options, dict) or not isinstance(options.get("validator"), dict):
            raise SubmissionProblem(f'{rel}: write an object with "validator": {{"$jsonSchema": {{...}}}}')
        unknown = set(options) - {"validator", "validationLevel", "validationAction"}
        if unknown:
            raise SubmissionProblem(f"{rel}: unknown key(s) {', '.join(sorted(unknown))}; allowed: validator, "
                                    "validationLevel, validationAction")
        target = self._target(source)
        self._execute(rel, source, lambda: target.create_collection(collection, **options))
        return options

    def explain(self, collection: str, spec: dict[str, Any]) -> Explained:
        """How the server runs find(spec), as administrator: winning-plan stages and execution counts."""
        if self.emulated:
            raise GraderFault("explain plans need a real MongoDB server; the emulator (mongomock) has none")
        command: dict[str, Any] = {"find": collection, "filter": spec.get("filter", {})}
        if spec.get("sort"):
            command["sort"] = dict(spec["sort"])
        if spec.get("projection"):
            command["projection"] = spec["projection"]
        explained = self.db.command("explain", command, verbosity="executionStats")
        winning = explained["queryPlanner"]["winningPlan"]
        stages: list[str] = []
        _walk_plan(winning.get("queryPlan", winning), stages)
        stats = explained.get("executionStats", {})
        return Explained(stages, int(stats.get("nReturned", -1)), int(stats.get("totalKeysExamined", -1)),
                         int(stats.get("totalDocsExamined", -1)))

    def plan_stages(self, collection: str, spec: dict[str, Any]) -> list[str]:
        """The stage names of the winning plan for find(spec) (real server only)."""
        return self.explain(collection, spec).stages


@dataclass(frozen=True)
class Explained:
    stages: list[str]
    returned: int
    keys_examined: int
    docs_examined: int

    def describe(self) -> str:
        return (f"plan {' <- '.join(self.stages)}; returned {self.returned}, examined {self.keys_examined} index "
                f"keys and {self.docs_examined} documents")


def _generated_ids(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ObjectIds made by an insert or upsert differ between two runs: compare them as 'generated'."""
    from bson import ObjectId

    return [{**d, "_id": "(generated ObjectId)"} if isinstance(d.get("_id"), ObjectId) else d for d in documents]


def _walk_plan(node: Any, stages: list[str]) -> None:
    if isinstance(node, dict):
        if "stage" in node:
            stages.append(str(node["stage"]))
        for key in ("inputStage", "outerStage", "innerStage"):
            if key in node:
                _walk_plan(node[key], stages)
        for child in node.get("inputStages", []):
            _walk_plan(child, stages)
