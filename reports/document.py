"""The workshop report as plain data: what the documentation sent for verification says.

The document is built from the database, holds no Flask and no language (labels belong to the
template; the texts the workshop wrote stay as written) and is JSON-ready, so that a published
version can be frozen as it is and compared with a later one item by item.

Every part a verifier can comment on is an *item*: a dict with a stable ``key`` (for example
``statement:12``, ``discussion:12``, ``role:5B``, ``finding:s1>s2:unbridged``) and a ``text``.
An accepted correction replaces an item's text and keeps the original in ``corrected_from``; on
an item people answered it stands beside the text they answered, in ``corrected_to``.

Anonymity: a distribution (a statement's answers, one organisation's cell in a breakdown) is
present only when at least the workshop's threshold answered; otherwise the item says
``withheld`` and carries how many answered, never how.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from journey_maps.analysis import gap_report
from journey_maps.board import journey_document
from journey_maps.format import parse_journey
from journey_maps.messages import HONESTY_EN, HONESTY_SV
from journey_maps.report import figures_to_dict, report_to_dict
from journey_maps.stages import has_stages
from journey_maps.triage import triage_map
from reports.models import VerificationLink, VerificationNote
from roles.services import validation_outcomes
from workshops import domain
from workshops.domain import StatementResult, Tally
from workshops.models import Organisation, Participant
from workshops.results import organisation_breakdown, workshop_results
from workshops.services import get_workshop

FORMAT = "brygga.report/1"


def build_report(
    session: Session,
    workshop_id: int,
    *,
    today: dt.date | None = None,
    held: Mapping[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The report of a workshop as it stands now, with the accepted verification notes.
    ``held`` (by item key, ``reports.late_answers.held_distributions``) keeps distributions
    as a published version showed them; every figure that follows from answers is then
    counted from those."""
    held = held or {}
    workshop = get_workshop(session, workshop_id)
    threshold = workshop.anonymity_threshold
    document: dict[str, Any] = {
        "format": FORMAT,
        "workshop": {
            "id": workshop.id,
            "title": workshop.title,
            "date": workshop.date.isoformat() if workshop.date else None,
            "kind": workshop.kind,
            "target_group": workshop.target_group,
            "anonymity_threshold": threshold,
        },
        "generated": (today or dt.date.today()).isoformat(),
        "honesty": {"sv": HONESTY_SV, "en": HONESTY_EN},
        "attendance": _attendance(session, workshop_id),
        "ws1": _ws1(session, workshop_id, threshold, held),
        "roles": _roles(session, workshop_id, threshold, held),
        "journey": _journey(session, workshop_id),
    }
    _apply_verification(session, workshop_id, document)
    return document


# --- Sections ---------------------------------------------------------------------------------


def _attendance(session: Session, workshop_id: int) -> dict[str, Any]:
    counts = dict(
        session.execute(
            select(Participant.organisation_id, func.count())
            .where(Participant.workshop_id == workshop_id, Participant.attended)
            .group_by(Participant.organisation_id)
        ).all()
    )
    organisations = [
        {"name": o.name, "principal": o.principal, "participants": counts.get(o.id, 0)}
        for o in session.scalars(
            select(Organisation)
            .where(Organisation.workshop_id == workshop_id)
            .order_by(Organisation.name)
        )
    ]
    principals: dict[str, int] = {}
    for o in session.scalars(select(Organisation).where(Organisation.workshop_id == workshop_id)):
        principals[o.principal] = principals.get(o.principal, 0) + counts.get(o.id, 0)
    return {
        "key": "attendance",
        "text": "",
        "participants": sum(counts.values()),
        "organisations": organisations,
        "represented": [o["name"] for o in organisations if o["participants"]],
        "principals": dict(sorted(principals.items())),
    }


def _distribution(t: Tally, threshold: int) -> dict[str, Any]:
    """How many answered, and how, when at least ``threshold`` did.

    >>> _distribution(Tally(yes=1, no=1), 3)
    {'answers': 2, 'withheld': True, 'tally': None}
    >>> _distribution(Tally(yes=2, no=1), 3)["tally"]
    {'yes': 2, 'no': 1, 'discuss': 0, 'total': 3}
    """
    shown = domain.disclosed(t, threshold)
    return {
        "answers": t.total,
        "withheld": t.total > 0 and not shown,
        "tally": t.as_dict() if shown else None,
    }


def _held_tallies(held: Mapping[str, dict[str, Any]], prefix: str) -> dict[int, Tally]:
    """The held distributions of one kind of item, by its id.

    >>> held = {"statement:4": {"basis": {"yes": 3, "total": 3}}, "role:5": {}}
    >>> _held_tallies(held, "statement:")
    {4: Tally(yes=3, no=0, discuss=0)}
    """
    return {
        int(key.removeprefix(prefix)): Tally.of(item["basis"])
        for key, item in held.items()
        if key.startswith(prefix)
    }


def _held_part(item: dict[str, Any] | None, *, breakdown: bool = True) -> dict[str, Any]:
    """What a held item (``reports.late_answers.held_distributions``) keeps from the version
    that showed it: its distribution (or that it is withheld), its breakdown when it has one,
    and which version that was; nothing for an item not held.

    >>> kept = {"answers": 3, "withheld": False, "tally": {"yes": 3}, "held_from": 1, "basis": {}}
    >>> _held_part(kept, breakdown=False)
    {'answers': 3, 'withheld': False, 'tally': {'yes': 3}, 'held_from': 1}
    """
    if item is None:
        return {}
    part = {k: item[k] for k in ("answers", "withheld", "tally", "held_from")}
    return part | {"breakdown": item.get("breakdown") or []} if breakdown else part


def _ws1(
    session: Session, workshop_id: int, threshold: int, held: Mapping[str, dict[str, Any]]
) -> dict[str, Any]:
    tallies = _held_tallies(held, "statement:")
    results = workshop_results(session, workshop_id, tallies=tallies)
    rows = results.statements  # hidden ones are out of the report
    breakdown = organisation_breakdown(session, [r.id for r in rows], threshold)
    gap_ids = {r.id for r in results.gaps}
    split_ids = {r.id for r in results.split}

    def item(r: StatementResult) -> dict[str, Any]:
        cells = breakdown.get(r.id, {})
        return {
            "key": f"statement:{r.id}",
            "text": r.text,
            "organisation": r.organisation,
            "topic": r.topic,
            "perspective": r.perspective,
            **_distribution(r.tally, threshold),
            # how each answering organisation answered: only where several answered it
            "breakdown": [
                {
                    "organisation": org,
                    "tally": t.as_dict() if isinstance(t, Tally) else None,
                    "withheld": None if isinstance(t, Tally) else str(t),
                }
                for org, t in cells.items()
            ]
            if len(cells) > 1
            else [],
            "gap": r.id in gap_ids,
            "split": r.id in split_ids,
            "outcome": r.outcome,
            "reworded": r.id in results.superseded,
            # reworded in the discussion: its answers stay with it, the new wording follows
            "reworded_as": results.reworded_as(r.id),
            **_held_part(held.get(f"statement:{r.id}")),
        }

    by_org: dict[str, dict[str, Any]] = {}
    agreement = {o.organisation: o.agreement for o in results.organisations}
    for r in rows:
        org = by_org.setdefault(
            r.organisation,
            {
                "name": r.organisation,
                "agreement": agreement.get(r.organisation),
                "own": [],
                "others": [],
            },
        )
        org["own" if r.perspective == "own" else "others"].append(item(r))
    # raised to discuss, most raised first where the anonymity threshold lets the count show;
    # then, in running order, any other with the facilitator's note or outcome. A statement
    # answered by too few is listed only so: were it listed for being raised, a statement one
    # person answered would be in the list exactly when that person chose "Let's discuss"
    counted = [entry.result for entry in results.queue if entry.disclosed]
    raised = {r.id: r.tally.discuss for r in counted}
    rest = [r for r in rows if r.id not in raised and (results.states[r.id].note or r.outcome)]
    discussion = [
        {
            "key": f"discussion:{r.id}",
            "text": results.states[r.id].note or "",
            "statement": r.text,
            "organisation": r.organisation,
            "outcome": r.outcome,
            "raised": raised.get(r.id),
            "reworded_as": results.reworded_as(r.id),
        }
        for r in [*counted, *rest]
    ]
    return {
        "organisations": list(by_org.values()),
        "gaps": [
            {"key": f"statement:{r.id}", "organisation": r.organisation, "text": r.text}
            for r in results.gaps
        ],
        "recurring": [{"text": t, "organisations": orgs} for t, orgs in results.recurring],
        "discussion": discussion,
        "withheld": len(results.withheld),
        "answered": results.voted_statements + len(results.withheld),
    }


def _roles(
    session: Session, workshop_id: int, threshold: int, held: Mapping[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    outcomes = validation_outcomes(session, workshop_id=workshop_id)
    if not any(o.statement_id for o in outcomes):
        return []

    return [
        {
            "key": f"role:{o.role['code']}",
            "text": o.role["does"]["sv"],
            "code": o.role["code"],
            "name": o.role["name"],
            "does": o.role["does"],
            **_distribution(o.tally, threshold),
            **_held_part(held.get(f"role:{o.role['code']}"), breakdown=False),
            "outcome": o.outcome,
            "note": o.note,
            "revised": o.revised,
            # the comments, never the answer each came with
            "comments": list(o.comment_texts),
        }
        for o in outcomes
        if o.statement_id is not None
    ]


def _journey(session: Session, workshop_id: int) -> dict[str, Any] | None:
    if not has_stages(session, workshop_id):
        return None
    document = journey_document(session, workshop_id)
    report = gap_report(parse_journey(document))
    verdicts = triage_map(session, workshop_id)
    return {
        "map": document,
        # the analysis as it is now, so that a published version keeps it (reports.journey_part);
        # the figures and findings below repeat part of it as the report's items, and stand on
        # their own in versions stored before documents kept the analysis
        "analysis": report_to_dict(report),
        "figures": figures_to_dict(report.figures),
        "findings": [
            {
                "key": f"finding:{f.fingerprint}",
                "text": f.message_sv,
                "text_en": f.message_en,
                "code": f.code,
                "severity": f.severity,
                "triage": verdicts.get(f.fingerprint),
            }
            for f in report.findings
        ],
    }


# --- Items and verification -------------------------------------------------------------------


def iter_items(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every item of a report that a verifier can comment on, in reading order.

    >>> doc = {"attendance": {"key": "attendance", "text": ""}, "ws1": {"organisations": [
    ...     {"own": [{"key": "statement:1", "text": "a"}], "others": []}], "discussion": []},
    ...     "roles": [], "journey": None}
    >>> [i["key"] for i in iter_items(doc)]
    ['attendance', 'statement:1']
    """
    yield document["attendance"]
    ws1 = document.get("ws1") or {}
    for org in ws1.get("organisations", []):
        yield from org["own"]
        yield from org["others"]
    yield from ws1.get("discussion", [])
    yield from document.get("roles") or []
    journey = document.get("journey") or {}
    yield from journey.get("findings", [])


def item_keys(document: dict[str, Any]) -> set[str]:
    return {item["key"] for item in iter_items(document)}


def _comparable(item: dict[str, Any]) -> dict[str, Any]:
    """An item as a reader sees it, whatever version of Brygga stored it: keys a later
    version added are left out while empty, and a withheld cell is withheld, whatever reason
    the document gives (a version stored before the reasons were given says only ``True``);
    a role's comments in any order.

    >>> _comparable({"text": "a", "reworded_as": None, "breakdown": [
    ...     {"organisation": "BUP", "tally": None, "withheld": "protects"}]})
    {'text': 'a', 'breakdown': [{'organisation': 'BUP', 'tally': None, 'withheld': True}]}
    >>> _comparable({"comments": ["bra", "Saknar"]}) == _comparable({"comments": ["Saknar", "bra"]})
    True
    """
    out = {k: v for k, v in item.items() if not (k == "reworded_as" and v is None)}
    # how many raised a discussion point is its statement's count, compared there
    out.pop("raised", None)
    if "comments" in out:  # their order is presentation, and has changed between versions
        out["comments"] = sorted(out["comments"])
    if "breakdown" in out:
        out["breakdown"] = [
            {**cell, "withheld": bool(cell.get("withheld"))} for cell in out["breakdown"]
        ]
    return out


def protect_breakdowns(document: dict[str, Any]) -> dict[str, Any]:
    """The document with every breakdown checked again against the rule that no small group's
    answers can be worked out from the total minus the cells shown (``domain.withhold_also``):
    a version stored before that rule may show a cell the rule withholds. A copy; the stored
    document is left as it was.

    BUP's three Yes shown beside one withheld answer: the total (Yes 3 · No 1) minus BUP's
    gives that one's No away, so BUP's cell is withheld too.

    >>> cell = lambda org, t: {"organisation": org, "tally": t, "withheld": t is None}
    >>> item = {"key": "statement:1", "tally": {"yes": 3, "no": 1, "discuss": 0, "total": 4},
    ...         "breakdown": [cell("BUP", {"yes": 3, "no": 0, "discuss": 0, "total": 3}),
    ...                       cell("Elevhälsa", None)]}
    >>> doc = {"attendance": {"key": "attendance"}, "ws1": {"organisations": [
    ...     {"own": [item], "others": []}]}}
    >>> checked = protect_breakdowns(doc)["ws1"]["organisations"][0]["own"][0]["breakdown"]
    >>> [(c["organisation"], c["tally"], c["withheld"]) for c in checked]
    [('BUP', None, 'protects'), ('Elevhälsa', None, True)]
    """
    document = copy.deepcopy(document)
    for item in iter_items(document):
        cells, total = item.get("breakdown") or [], item.get("tally")
        if not total or not any(c["tally"] is None for c in cells):
            continue
        shown = {c["organisation"]: Tally.of(c["tally"]) for c in cells if c["tally"] is not None}
        hidden = Tally.of(total) - sum(shown.values(), Tally())
        hidden_cells = sum(1 for c in cells if c["tally"] is None)
        for org in domain.withhold_also(shown, hidden, hidden_cells):
            cell = next(c for c in cells if c["organisation"] == org)
            cell.update(tally=None, withheld=str(domain.Withheld.PROTECTS))
    return document


def changed_items(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, str]:
    """What changed between two versions of a report, by item key: "added", "changed" or
    "removed" (a removed item is no longer in ``after``).

    >>> old = {"attendance": {"key": "attendance", "text": "", "participants": 3}, "ws1": {
    ...     "organisations": [{"own": [{"key": "statement:1", "text": "a"},
    ...     {"key": "statement:2", "text": "b"}], "others": []}]}}
    >>> new = {"attendance": {"key": "attendance", "text": "", "participants": 3}, "ws1": {
    ...     "organisations": [{"own": [{"key": "statement:1", "text": "A"},
    ...     {"key": "statement:3", "text": "c"}], "others": []}]}}
    >>> changed_items(old, new)
    {'statement:1': 'changed', 'statement:3': 'added', 'statement:2': 'removed'}
    >>> changed_items(None, new)
    {}
    """
    if before is None:
        return {}
    old = {item["key"]: _comparable(item) for item in iter_items(before)}
    new = {item["key"]: _comparable(item) for item in iter_items(after)}
    changes = {
        key: "added" if key not in old else "changed" for key in new if new[key] != old.get(key)
    }
    changes.update({key: "removed" for key in old if key not in new})
    return changes


def _apply_verification(session: Session, workshop_id: int, document: dict[str, Any]) -> None:
    """Accepted corrections replace an item's text, except where people answered that text:
    the answers belong to the wording they saw, so the correction is shown beside it
    (``corrected_to``), not voted on. Accepted comments are shown with the item."""
    notes = session.execute(
        select(VerificationNote, Organisation.name)
        .join(VerificationLink, VerificationLink.id == VerificationNote.link_id)
        .join(Organisation, Organisation.id == VerificationLink.organisation_id)
        .where(VerificationNote.workshop_id == workshop_id, VerificationNote.state == "accepted")
        .order_by(VerificationNote.decided_at, VerificationNote.id)
    ).all()
    items = {item["key"]: item for item in iter_items(document)}
    for note, organisation in notes:
        item = items.get(note.item_key)
        if item is None:
            continue
        if note.kind == "correction" and note.proposed_text:
            if item.get("answers"):
                item["corrected_to"] = note.proposed_text
            else:
                item.setdefault("corrected_from", item["text"])
                item["text"] = note.proposed_text
            item["corrected_by"] = organisation
        else:
            item.setdefault("remarks", []).append(
                {"organisation": organisation, "text": note.text, "response": note.response}
            )
