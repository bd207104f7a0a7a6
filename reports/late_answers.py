"""Pure: answers that come in after a report version was published, and why a new version does
not show them one by one.

A report is published in versions, and the organisations keep every version they were sent.
A survey can still take answers after version 1. If version 2 showed a distribution one answer
larger than version 1's, comparing the two would give that one answer away, whatever the
anonymity threshold: the threshold protects what one version shows, not the difference
between two.

So a published distribution moves only in steps the threshold protects: version *n + 1* shows
a statement's (or a role's) new distribution when, since the distribution last shown, at least
``threshold`` answers have been added, none taken back (a changed answer takes one back):
``moved_enough``. "Last shown" is over every version, not only the latest: a version that
withheld the distribution (the threshold raised, a role left out) does not reset it. Until
then the new version shows the distribution last shown, marked ``held_from`` with the version
it is from (withheld, if the threshold no longer lets it show), and every figure that follows
from the answers (gaps, agreement, the discussion's counts) is counted from it. Where a
distribution moves, its breakdown by organisation is shown only when every cell moved by such
a step since it was last shown, or not at all; otherwise every cell is withheld
(``Withheld.LATER``): one cell moving by one answer would give that answer away. A cell
withheld where every answer was alike is known all the same (its answers were that one), and
compared so.

The facilitator's draft is not held: it is the facilitator's own view of the live answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from workshops.domain import CHOICES, Tally, Withheld


def moved_enough(before: Tally, after: Tally, threshold: int) -> bool:
    """Whether a distribution may move from ``before`` to ``after`` in a published version
    without giving the answers in between away: at least ``threshold`` of them, none taken
    back. As with any distribution the threshold lets show, they may all be one answer.

    >>> moved_enough(Tally(yes=2, no=1), Tally(yes=3, no=1), 3)  # one more answer
    False
    >>> moved_enough(Tally(yes=2, no=1), Tally(yes=4, no=2), 3)  # three more
    True
    >>> moved_enough(Tally(yes=2, no=1), Tally(yes=5, no=1), 3)  # three more, all Yes
    True
    >>> moved_enough(Tally(yes=3, no=1), Tally(yes=2, no=5), 3)  # one answer was changed
    False
    """
    added = after - before
    return min(getattr(added, c) for c in CHOICES) >= 0 and added.total >= threshold


def last_shown(
    versions: Iterable[tuple[int, Iterable[dict[str, Any]]]],
) -> dict[str, dict[str, Any]]:
    """What the published versions (number and items, ``reports.document.iter_items``, oldest
    first) last showed of each
    distribution, by item key: its ``tally``, ``answers`` and ``breakdown`` as shown then,
    ``held_from`` (the version that showed it first) and ``cells``, each organisation's
    breakdown cell as last shown in any version (a cell withheld later keeps its anchor).

    >>> t = lambda yes, no: {"yes": yes, "no": no, "discuss": 0, "total": yes + no}
    >>> cell = lambda org, tally: {"organisation": org, "tally": tally, "withheld": None}
    >>> v1 = [{"key": "role:7", "answers": 4, "tally": t(2, 2), "breakdown": [
    ...     cell("BUP", t(2, 1))]}]
    >>> v2 = [{"key": "role:7", "answers": 5, "tally": None, "withheld": True,
    ...     "breakdown": [cell("BUP", None)]}]
    >>> shown = last_shown([(1, v1), (2, v2)])["role:7"]
    >>> shown["tally"], shown["held_from"], shown["cells"]["BUP"]["no"]
    ({'yes': 2, 'no': 2, 'discuss': 0, 'total': 4}, 1, 1)
    """
    shown: dict[str, dict[str, Any]] = {}
    for number, items in versions:
        for key, item in _distributions(items).items():
            cells = dict(shown.get(key, {}).get("cells", {}))
            cells.update(
                {c["organisation"]: c["tally"] for c in item.get("breakdown") or [] if c["tally"]}
            )
            if item.get("tally"):
                same = shown.get(key, {}).get("tally") == item["tally"]
                origin = item.get("held_from") or (shown[key]["held_from"] if same else number)
                shown[key] = {
                    "answers": item.get("answers", item["tally"]["total"]),
                    "tally": item["tally"],
                    "breakdown": item.get("breakdown") or [],
                    "held_from": origin,
                }
            if key in shown:
                shown[key]["cells"] = cells
    return shown


def _distributions(items: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["key"]: item for item in items if "tally" in item}


def held_distributions(
    shown: Mapping[str, dict[str, Any]], current: Iterable[dict[str, Any]], *, threshold: int
) -> dict[str, dict[str, Any]]:
    """The items of the next version whose distribution stays as last published
    (``last_shown``): by item key, what to show, ``held_from`` (the version that showed it
    first) and ``basis``, the distribution to count every other figure from. ``current`` are
    the items of the report as it is now. A distribution the threshold would no longer let
    show (it was raised since) is held withheld.

    >>> yes_no = lambda yes, no: {"yes": yes, "no": no, "discuss": 0, "total": yes + no}
    >>> item = lambda key, t, **more: {"key": key, "answers": t["total"], "tally": t,
    ...                                "withheld": False, "breakdown": [], **more}
    >>> shown = {"statement:1": item("statement:1", yes_no(2, 1), held_from=1),
    ...          "statement:2": item("statement:2", yes_no(2, 1), held_from=1)}
    >>> now = [item("statement:1", yes_no(3, 1)), item("statement:2", yes_no(4, 2))]
    >>> held = held_distributions(shown, now, threshold=3)
    >>> list(held), held["statement:1"]["tally"], held["statement:1"]["held_from"]
    (['statement:1'], {'yes': 2, 'no': 1, 'discuss': 0, 'total': 3}, 1)
    >>> held_distributions(shown, now, threshold=4)["statement:1"]["tally"] is None
    True

    Withheld now (too few answered): it shows how many answered, nothing to hold.

    >>> few = {"key": "statement:1", "answers": 2, "tally": None, "withheld": True}
    >>> held_distributions(shown, [few], threshold=3)
    {}
    """
    held: dict[str, dict[str, Any]] = {}
    for key, item in _distributions(current).items():
        old = shown.get(key)
        if old is None or not item.get("tally") or item["tally"] == old["tally"]:
            continue
        if moved_enough(Tally.of(old["tally"]), Tally.of(item["tally"]), threshold):
            continue
        if old["tally"]["total"] < threshold:
            held[key] = {"answers": old["answers"], "tally": None, "withheld": True}
        else:
            held[key] = {
                "answers": old["answers"],
                "tally": old["tally"],
                "withheld": False,
                "breakdown": [
                    c
                    if not c["tally"] or c["tally"]["total"] >= threshold
                    else {**c, "tally": None, "withheld": str(Withheld.FEW)}
                    for c in old.get("breakdown") or []
                ],
            }
        held[key] |= {"held_from": old["held_from"], "basis": old["tally"]}
    return held


def guard_breakdowns(
    shown: Mapping[str, dict[str, Any]], current: Iterable[dict[str, Any]], *, threshold: int
) -> None:
    """Withhold every cell (``Withheld.LATER``) of a breakdown in ``current`` where a cell
    moved since it was last shown (``last_shown``), but not by a step ``moved_enough``
    allows. Changes ``current``'s items in place; a held item (``held_from``) shows the
    breakdown it was shown with.

    >>> t = lambda yes, no: {"yes": yes, "no": no, "discuss": 0, "total": yes + no}
    >>> cell = lambda org, yes, no: {"organisation": org, "withheld": None, "tally": t(yes, no)}
    >>> shown = {"statement:1": {"cells": {"BUP": t(2, 1), "IFO": t(3, 0)}}}
    >>> now = [{"key": "statement:1", "tally": {}, "breakdown": [
    ...     cell("BUP", 4, 3), cell("IFO", 3, 1)]}]  # IFO: one answer more
    >>> guard_breakdowns(shown, now, threshold=3)
    >>> [(c["organisation"], c["tally"], c["withheld"]) for c in now[0]["breakdown"]]
    [('BUP', None, 'later'), ('IFO', None, 'later')]
    """
    for key, item in _distributions(current).items():
        if item.get("held_from") or not item.get("breakdown"):
            continue
        if all(
            Tally.of(cell["tally"]) == anchor
            or moved_enough(anchor, Tally.of(cell["tally"]), threshold)
            for cell in item["breakdown"]
            if cell["tally"] is not None
            for anchor in _anchors(shown.get(key) or {}, cell)
        ):
            continue
        for cell in item["breakdown"]:
            cell.update(tally=None, withheld=str(Withheld.LATER))


def _anchors(shown: Mapping[str, Any], cell: Mapping[str, Any]) -> list[Tally]:
    """What a reader of the published versions knows of a breakdown cell: the cell as last
    shown; and, where it was withheld when the distribution was last shown with every answer
    alike, that its answers were all that one (as many as it has of it now, at most: the most
    it could have been, so the fewest added since). Nothing if the organisation had not
    answered.

    >>> t = lambda yes, no: {"yes": yes, "no": no, "discuss": 0, "total": yes + no}
    >>> few = {"organisation": "IFO", "tally": None, "withheld": "few"}
    >>> shown = {"tally": t(5, 0), "breakdown": [few], "cells": {"BUP": t(3, 0)}}
    >>> _anchors(shown, {"organisation": "IFO", "tally": t(2, 1)})
    [Tally(yes=2, no=0, discuss=0)]
    >>> _anchors(shown, {"organisation": "BUP", "tally": t(4, 0)})
    [Tally(yes=3, no=0, discuss=0)]
    >>> _anchors(shown | {"tally": t(4, 1)}, {"organisation": "IFO", "tally": t(2, 1)})
    []
    """
    org = cell["organisation"]
    cells = shown.get("cells") or {}
    known = [Tally.of(cells[org])] if org in cells else []
    tally = shown.get("tally") or {}
    withheld = {c["organisation"] for c in shown.get("breakdown") or [] if not c["tally"]}
    alike = [c for c in CHOICES if tally.get(c) and tally[c] == tally["total"]]
    if org in withheld and alike:
        known.append(Tally(**{alike[0]: min(tally[alike[0]], cell["tally"][alike[0]])}))
    return known
