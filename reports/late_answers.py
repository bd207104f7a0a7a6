"""Pure: answers that come in after a report version was published, and why a new version does
not show them one by one.

A report is published in versions, and the organisations keep every version they were sent.
A survey can still take answers after version 1. If version 2 showed a distribution one answer
larger than version 1's, comparing the two would give that one answer away, whatever the
anonymity threshold: the threshold protects what one version shows, not the difference
between two.

So a published distribution moves only in steps the threshold protects: version *n + 1* shows
a statement's (or a role's) new distribution when, since the distribution last shown, at least
``threshold`` answers have been added, none taken back (a changed answer takes one back), and
they are not all one answer unless every answer to it is (``moved_enough``, the rule
``workshops.domain.suppress_cells`` applies to a breakdown's withheld cells). Until then the
new version shows the distribution last shown, marked ``held_from`` with the version it is from,
and every figure that follows from the answers (gaps, agreement, the discussion's counts) is
counted from it. Where a distribution moves, its breakdown by organisation is shown only when
every cell shown before moved by such a step or not at all; otherwise every cell is withheld
(``Withheld.LATER``): one cell moving by one answer would give that answer away.

The facilitator's draft is not held: it is the facilitator's own view of the live answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workshops.domain import CHOICES, Tally, Withheld


def moved_enough(before: Tally, after: Tally, threshold: int) -> bool:
    """Whether a distribution may move from ``before`` to ``after`` in a published version
    without giving the answers in between away.

    >>> moved_enough(Tally(yes=2, no=1), Tally(yes=3, no=1), 3)  # one more answer
    False
    >>> moved_enough(Tally(yes=2, no=1), Tally(yes=4, no=2), 3)  # three more, mixed
    True
    >>> moved_enough(Tally(yes=2, no=1), Tally(yes=5, no=1), 3)  # three more, all Yes
    False
    >>> moved_enough(Tally(yes=3), Tally(yes=6), 3)  # everyone said Yes: the total says so
    True
    >>> moved_enough(Tally(yes=3, no=1), Tally(yes=2, no=5), 3)  # one answer was changed
    False
    """
    added = after - before
    counts = [getattr(added, c) for c in CHOICES]
    if min(counts) < 0 or added.total < threshold:
        return False
    mixed = sum(1 for n in counts if n) >= 2
    return mixed or sum(1 for c in CHOICES if getattr(after, c)) == 1


def _distributions(items: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["key"]: item for item in items if "tally" in item}


def held_distributions(
    previous: Iterable[dict[str, Any]],
    current: Iterable[dict[str, Any]],
    *,
    threshold: int,
    version: int,
) -> dict[str, dict[str, Any]]:
    """The items of the next version whose distribution stays as last published: by item key,
    what to show (the previous version's answers, tally and breakdown) and ``held_from``, the
    version that distribution is from. ``previous`` and ``current`` are the items of the
    latest published version (number ``version``) and of the report as it is now.

    >>> yes_no = lambda yes, no: {"yes": yes, "no": no, "discuss": 0, "total": yes + no}
    >>> item = lambda key, t, **more: {"key": key, "answers": t["total"], "tally": t,
    ...                                "withheld": False, "breakdown": [], **more}
    >>> before = [item("statement:1", yes_no(2, 1)), item("statement:2", yes_no(2, 1))]
    >>> now = [item("statement:1", yes_no(3, 1)), item("statement:2", yes_no(4, 2))]
    >>> held = held_distributions(before, now, threshold=3, version=1)
    >>> list(held), held["statement:1"]["tally"], held["statement:1"]["held_from"]
    (['statement:1'], {'yes': 2, 'no': 1, 'discuss': 0, 'total': 3}, 1)

    A distribution held in version 2 is still version 1's when version 3 is made:

    >>> kept = item("statement:1", yes_no(2, 1), held_from=1)
    >>> again = held_distributions([kept], now, threshold=3, version=2)
    >>> again["statement:1"]["held_from"]
    1

    Withheld before (too few answered) or now: nothing to compare, nothing held.

    >>> few = {"key": "statement:3", "answers": 2, "tally": None, "withheld": True}
    >>> held_distributions([few], [item("statement:3", yes_no(2, 1))], threshold=3, version=1)
    {}
    """
    before = _distributions(previous)
    held: dict[str, dict[str, Any]] = {}
    for key, item in _distributions(current).items():
        old = before.get(key)
        if old is None or not old.get("tally") or not item.get("tally"):
            continue
        if item["tally"] == old["tally"] or moved_enough(
            Tally.of(old["tally"]), Tally.of(item["tally"]), threshold
        ):
            continue
        held[key] = {
            "answers": old.get("answers", old["tally"]["total"]),
            "tally": old["tally"],
            "withheld": False,
            "breakdown": old.get("breakdown") or [],
            "held_from": old.get("held_from") or version,
        }
    return held


def guard_breakdowns(
    previous: Iterable[dict[str, Any]], current: Iterable[dict[str, Any]], *, threshold: int
) -> None:
    """Withhold every cell (``Withheld.LATER``) of a breakdown in ``current`` where a cell shown
    in ``previous`` moved, but not by a step ``moved_enough`` allows. Changes ``current``'s
    items in place; a held item (``held_from``) shows the previous breakdown as it was.

    >>> cell = lambda org, yes, no: {"organisation": org, "withheld": None,
    ...     "tally": {"yes": yes, "no": no, "discuss": 0, "total": yes + no}}
    >>> before = [{"key": "statement:1", "tally": {}, "breakdown": [
    ...     cell("BUP", 2, 1), cell("IFO", 3, 0)]}]
    >>> now = [{"key": "statement:1", "tally": {}, "breakdown": [
    ...     cell("BUP", 4, 3), cell("IFO", 3, 1)]}]  # IFO: one answer more
    >>> guard_breakdowns(before, now, threshold=3)
    >>> [(c["organisation"], c["tally"], c["withheld"]) for c in now[0]["breakdown"]]
    [('BUP', None, 'later'), ('IFO', None, 'later')]
    """
    before = _distributions(previous)
    for key, item in _distributions(current).items():
        old = before.get(key)
        if old is None or item.get("held_from") or not item.get("breakdown"):
            continue
        shown = {c["organisation"]: c["tally"] for c in old.get("breakdown") or [] if c["tally"]}
        if all(
            cell["tally"] is None
            or cell["organisation"] not in shown
            or cell["tally"] == shown[cell["organisation"]]
            or moved_enough(
                Tally.of(shown[cell["organisation"]]), Tally.of(cell["tally"]), threshold
            )
            for cell in item["breakdown"]
        ):
            continue
        for cell in item["breakdown"]:
            cell.update(tally=None, withheld=str(Withheld.LATER))
