"""The `pg_articles` dataset for pg-full-text-search: a knowledge base of articles.

Thousands of regular articles made in SQL (so indexes matter), and hand-made ones first (lowest
ids) that carry the edge cases in both variants: a word in one article's title and only in another's
body (weights decide which ranks first), an article with both `vacuum` and `autovacuum` (a
search that excludes a word must drop it), inflected forms (running / runs / run: stemming), a NULL
body, titles in mixed case, and titles a typo away from a search (trigram similarity). `hidden`
has other ids, sizes and articles. The grader creates pg_trgm in the template (POSTGRES_EXTENSIONS).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

POSTGRES_EXTENSIONS = ["pg_trgm"]

TOPICS = ["Indexing", "Vacuum", "Backups", "Monitoring", "Caching", "Sharding", "Logging", "Queues", "Testing"]
NOUNS = ["Guide", "Basics", "Checklist", "Notes", "Patterns", "Pitfalls", "Handbook", "Primer"]
WORDS = ["server", "table", "query", "latency", "memory", "disk", "client", "network", "schema", "cluster",
         "storage", "config", "worker", "session", "metric", "snapshot", "buffer", "planner"]

# (title, body): the edge cases; the checks search for "replication", "running", "vacuum", "tuning"
SPECIAL = [
    ("Replication in Practice", "How a standby follows its primary."),
    ("Streaming Changes", "Logical replication sends row changes to a subscriber; replication slots keep WAL."),
    ("Running Postgres in Containers", "Keep the data directory on a volume."),
    ("Job Runners", "A worker runs each job once; a scheduler runs them on time."),
    ("Autovacuum Tuning", None),
    ("VACUUM and Bloat", "Dead tuples stay until vacuum removes them; tuning vacuum settings helps."),
    ("Postgres Replication Guide", "Physical replication with pg_basebackup."),
    ("Query Tuning Checklist", "Read the plan, then tune the query, not the server."),
    ("When Vacuum Is Not Enough", "Autovacuum may fall behind on a busy table."),  # `vacuum -autovacuum` drops it
]
HIDDEN_SPECIAL = [
    ("Replication Slots Explained", None),
    ("Failover Drills", "Promote the replica; replication lag decides how much you lose."),
    ("Runbook for Running Upgrades", "Run pg_upgrade with --link."),
    ("Vacuum Freeze", "Vacuum freezes old rows; run it before wraparound."),
    ("Tuning Work Mem", "Sorts spill to disk when work_mem is small; tuning it per session is safer."),
    ("Replicaton Myths", "A typo in a title is still a title."),
]


@dataclass(frozen=True)
class Shape:
    seed: int
    articles: int
    first_id: int
    special: tuple[tuple[str, str | None], ...]


VARIANTS = {
    "public": Shape(seed=71, articles=20000, first_id=1, special=tuple(SPECIAL)),
    "hidden": Shape(seed=72, articles=26000, first_id=5000, special=tuple(SPECIAL[1:] + HIDDEN_SPECIAL)),
}


def _literal(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def _array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join(_literal(v) for v in values) + "]"


def special_articles(variant: str) -> list[tuple[int, str, str | None]]:
    """The hand-made articles of `variant` as (id, title, body), lowest ids first."""
    shape = VARIANTS[variant]
    rng = random.Random(shape.seed)
    special = list(shape.special)
    rng.shuffle(special)
    return [(shape.first_id + 2 * n, title, body) for n, (title, body) in enumerate(special)]


def postgres_sql(variant: str) -> str:
    shape = VARIANTS[variant]
    special = special_articles(variant)
    rows = ",\n".join(f"({pid}, {_literal(t)}, {_literal(b)})" for pid, t, b in special)
    start = shape.first_id + 2 * len(special) + 10
    topics, nouns, words = _array(TOPICS), _array(NOUNS), _array(WORDS)
    w = len(WORDS)
    return f"""
CREATE TABLE articles (id integer PRIMARY KEY, title text NOT NULL, body text);
INSERT INTO articles (id, title, body) VALUES
{rows};
INSERT INTO articles (id, title, body)
SELECT {start} + i,
       ({topics})[1 + i % {len(TOPICS)}] || ' ' || ({nouns})[1 + (i / {len(TOPICS)}) % {len(NOUNS)}] || ' ' || i,
       'The ' || ({words})[1 + (i * 7) % {w}] || ' and the ' || ({words})[1 + (i * 11 + 3) % {w}]
           || ' of every ' || ({words})[1 + (i * 13 + 5) % {w}] || '.'
FROM generate_series(0, {shape.articles - 1}) AS i;
ANALYZE;
"""
