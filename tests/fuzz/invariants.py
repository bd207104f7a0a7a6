"""What must hold in the database whatever a client sends: checked after every fuzzed input.

The checks are generic over the schema (every foreign key of every table), so a new table is
covered without touching this module: a row's workshop is its own ``workshop_id``, or the
workshop of the row it belongs to (a vote through its statement, a reaction through its
placement, …), and no foreign key may point at a row of another workshop.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import select

from db import Base, session_scope

# Tables that hold no workshop's data and change with any request (rate-limit counters).
VOLATILE = {"rate_limit_hits"}
# A row that belongs to a workshop through another row: table -> (column, table it points at).
OWNED_THROUGH = {
    "votes": ("statement_id", "statements"),
    "vote_events": ("statement_id", "statements"),
    "survey_answers": ("statement_id", "statements"),
    "placement_reactions": ("placement_id", "role_placements"),
    "transition_owners": ("transition_id", "journey_transitions"),
    "role_revisions": ("role_id", "workshop_roles"),
}

Rows = dict[str, list[dict[str, Any]]]


def load(app: Flask) -> Rows:
    """Every row of every table, as plain dicts (the fuzzed databases are small)."""
    with session_scope(app) as s:
        return {
            table.name: [dict(row._mapping) for row in s.execute(select(table))]
            for table in Base.metadata.sorted_tables
        }


def _by_id(rows: Rows) -> dict[str, dict[Any, dict[str, Any]]]:
    return {name: {r["id"]: r for r in table if "id" in r} for name, table in rows.items()}


def owner(rows_by_id: dict[str, dict[Any, dict[str, Any]]], table: str, row: dict[str, Any]) -> Any:
    """The workshop a row belongs to, or None for rows of no workshop (accounts, projects)."""
    if table == "workshops":
        return row["id"]
    if "workshop_id" in row:
        return row["workshop_id"]
    if table in OWNED_THROUGH:
        column, parent = OWNED_THROUGH[table]
        target = rows_by_id[parent].get(row[column])
        return None if target is None else owner(rows_by_id, parent, target)
    return None


Frozen = tuple[str, tuple[tuple[str, Any], ...]]


def _freeze(table: str, row: dict[str, Any]) -> Frozen:
    items = tuple(
        sorted(
            (k, v if isinstance(v, int | str | float | None) else repr(v)) for k, v in row.items()
        )
    )
    return table, items


def by_workshop(rows: Rows) -> dict[Any, Counter[Frozen]]:
    """Each workshop's rows (None: rows of no workshop) as a multiset of (table, row)."""
    ids = _by_id(rows)
    grouped: dict[Any, Counter[Frozen]] = {}
    for table, table_rows in rows.items():
        if table in VOLATILE:
            continue
        for row in table_rows:
            grouped.setdefault(owner(ids, table, row), Counter())[_freeze(table, row)] += 1
    return grouped


def changed_rows(before: Counter[Frozen], after: Counter[Frozen]) -> list[Frozen]:
    """Rows added, removed or changed between two snapshots of one workshop."""
    return list(((before - after) + (after - before)).elements())


def participant_counts(rows: Rows) -> dict[int, int]:
    return dict(Counter(p["workshop_id"] for p in rows["participants"]))


def problems(app: Flask, rows: Rows, *, count_tallies: bool = True) -> list[str]:
    """Every broken invariant, as sentences; an empty list when the database is sound.
    ``count_tallies=False`` skips recounting the tallies (when no vote row changed)."""
    ids = _by_id(rows)
    found: list[str] = []

    for table in Base.metadata.sorted_tables:
        for row in rows[table.name]:
            mine = owner(ids, table.name, row)
            for fk in table.foreign_keys:
                value = row[fk.parent.name]
                if value is None:
                    continue
                target_table = fk.column.table.name
                target = ids[target_table].get(value)
                if target is None:
                    found.append(f"{table.name} {row.get('id')} points at missing {target_table}")
                    continue
                theirs = owner(ids, target_table, target)
                if mine is not None and theirs is not None and mine != theirs:
                    found.append(
                        f"{table.name} {row.get('id')} (workshop {mine}) points at "
                        f"{target_table} {value} of workshop {theirs}"
                    )

    per_ballot = Counter((v["statement_id"], v["participant_id"]) for v in rows["votes"])
    found += [
        f"participant {p} has {n} votes on statement {s}"
        for (s, p), n in per_ballot.items()
        if n > 1
    ]
    for name in ("votes", "survey_answers"):
        found += [
            f"{name} {r['id']} has choice {r['choice']!r}"
            for r in rows[name]
            if r["choice"] not in ("yes", "no", "discuss")
        ]
    if count_tallies:
        found += _tally_problems(app, rows)
    return found


def _tally_problems(app: Flask, rows: Rows) -> list[str]:
    """Counted tallies (results pages, live state) equal the Vote rows."""
    from workshops import results

    expected: dict[int, Counter[str]] = {}
    for v in rows["votes"]:
        expected.setdefault(v["statement_id"], Counter())[v["choice"]] += 1
    found: list[str] = []
    with session_scope(app) as s:
        for w in rows["workshops"]:
            for r in results.statement_results(s, w["id"], include_roles=True):
                counted = Counter(yes=r.tally.yes, no=r.tally.no, discuss=r.tally.discuss)
                rows_say = expected.get(r.id, Counter())
                if +counted != +rows_say:
                    found.append(
                        f"statement {r.id}: tally {dict(counted)} but rows {dict(rows_say)}"
                    )
    return found


@dataclass
class Step:
    """What one fuzzed input did: broken invariants, changed rows per workshop, participants."""

    problems: list[str]
    changes: dict[Any, list[Frozen]]
    participants_before: dict[int, int]
    participants_after: dict[int, int]


class Watch:
    """Snapshots the database before the first input and after each one."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.rows = load(app)
        self.grouped = by_workshop(self.rows)
        assert problems(app, self.rows) == [], "the seeded database is already broken"

    def step(self) -> Step:
        after = load(self.app)
        grouped = by_workshop(after)
        found = problems(self.app, after, count_tallies=after["votes"] != self.rows["votes"])
        changes = {
            w: changed
            for w in set(self.grouped) | set(grouped)
            if (changed := changed_rows(self.grouped.get(w, Counter()), grouped.get(w, Counter())))
        }
        step = Step(found, changes, participant_counts(self.rows), participant_counts(after))
        self.rows, self.grouped = after, grouped
        return step
