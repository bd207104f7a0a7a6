"""Use cases for WS1 results: per-organisation picture, expectation gaps, the discussion queue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workshops import domain
from workshops.domain import OrganisationResult, StatementResult, Tally, WorkshopError
from workshops.models import Statement
from workshops.services import get_statement, get_workshop
from workshops.voting import count_tallies, count_tallies_by_organisation


@dataclass(frozen=True)
class DiscussionItem:
    result: StatementResult
    note: str | None
    replaced_by: int | None
    previous_id: int | None
    # False: fewer than the anonymity threshold answered, so how many raised it (part of the
    # distribution) is not shown; the statement stays in the queue to be discussed
    disclosed: bool = True


@dataclass(frozen=True)
class StatementState:
    """What happened to a statement besides its answers."""

    note: str | None = None  # the facilitator's discussion note
    hidden: bool = False  # taken out of the workshop, its answers kept
    previous_id: int | None = None  # the statement it is a new wording of


@dataclass(frozen=True)
class Results:
    organisations: list[OrganisationResult]
    gaps: list[StatementResult]
    recurring: list[tuple[str, list[str]]]
    split: list[StatementResult]
    queue: list[DiscussionItem]
    voted_statements: int
    superseded: dict[int, int] = field(default_factory=dict)
    # answered, but by fewer than the anonymity threshold: counted, never analysed or shown
    withheld: list[StatementResult] = field(default_factory=list)
    # answered, then hidden (taken out of the workshop): kept, counted in nothing
    hidden: list[StatementResult] = field(default_factory=list)
    # every statement not hidden, in running order, reworded ones and unanswered ones too
    statements: list[StatementResult] = field(default_factory=list)
    threshold: int = 1
    # every statement, hidden ones too, in running order, and what happened to each
    every: list[StatementResult] = field(default_factory=list)
    states: dict[int, StatementState] = field(default_factory=dict)

    @cached_property
    def _texts(self) -> dict[int, str]:
        return {r.id: r.text for r in self.every}

    def reworded_as(self, statement_id: int) -> str | None:
        """The wording a statement was reworded as in the discussion, if it was."""
        new = self.superseded.get(statement_id)
        return None if new is None else self._texts[new]

    @property
    def progress(self) -> domain.DiscussionProgress:
        """How far the room has come through the queue's raised statements: the ones answered
        by too few are asked of the room, not counted (whether anyone raised them is theirs)."""
        return domain.discussion_progress(item.result for item in self.queue if item.disclosed)


def statement_results(
    session: Session,
    workshop_id: int,
    *,
    include_roles: bool = False,
    tallies: Mapping[int, Tally] | None = None,
) -> list[StatementResult]:
    """Every WS1 statement of a workshop (and, if asked, the WS2 role statements) with its
    current tally, in running order; ``tallies`` (by statement id) replace the current ones
    (a published version's held distributions, ``reports.late_answers``)."""
    return _as_results(session, _statements(session, workshop_id, include_roles), tallies)


def _statements(session: Session, workshop_id: int, include_roles: bool) -> list[Statement]:
    query = select(Statement).where(Statement.workshop_id == workshop_id)
    if not include_roles:
        query = query.where(Statement.topic != "role")
    return list(session.scalars(query.order_by(Statement.position, Statement.id)))


def _as_results(
    session: Session, statements: list[Statement], tallies: Mapping[int, Tally] | None
) -> list[StatementResult]:
    counted = count_tallies(session, [s.id for s in statements]) | dict(tallies or {})
    return [
        StatementResult(
            id=s.id,
            organisation=s.organisation.name if s.organisation else "",
            topic=s.topic,
            perspective=s.perspective,
            text=s.text,
            tally=counted[s.id],
            outcome=s.outcome,
        )
        for s in statements
    ]


def workshop_results(
    session: Session, workshop_id: int, *, tallies: Mapping[int, Tally] | None = None
) -> Results:
    """The WS1 analysis. A reworded statement is replaced by its new wording everywhere except
    in the discussion queue, where both stay visible; a hidden statement is left out of it all.
    ``tallies`` replace statements' current ones, as in ``statement_results``."""
    workshop = get_workshop(session, workshop_id)
    threshold = workshop.anonymity_threshold
    statements = _statements(session, workshop_id, include_roles=False)
    every = _as_results(session, statements, tallies)
    states = {s.id: StatementState(s.discussion_note, s.hidden, s.previous_id) for s in statements}
    replaced_by = {s.previous_id: s.id for s in statements if s.previous_id is not None}
    # a hidden statement is taken out of the workshop: its answers are kept (showing it again
    # brings them back) but count in no analysis, and it is not queued for discussion
    hidden = [r for r in every if states[r.id].hidden and r.tally.total > 0]
    rows = [r for r in every if not states[r.id].hidden]
    answered = [r for r in rows if r.id not in replaced_by and r.tally.total > 0]
    current = [r for r in answered if domain.disclosed(r.tally, threshold)]
    gaps = domain.expectation_gaps(current)
    queue = [
        DiscussionItem(
            r,
            states[r.id].note,
            replaced_by.get(r.id),
            states[r.id].previous_id,
            disclosed=domain.disclosed(r.tally, threshold),
        )
        for r in domain.discussion_queue(rows, threshold)
    ]
    return Results(
        organisations=domain.organisation_results(current),
        gaps=gaps,
        recurring=domain.recurring_expectations(gaps),
        split=[r for r in current if domain.is_split(r.tally)],
        queue=queue,
        voted_statements=len(current),
        superseded=replaced_by,
        withheld=[r for r in answered if not domain.disclosed(r.tally, threshold)],
        hidden=hidden,
        statements=rows,
        threshold=threshold,
        every=every,
        states=states,
    )


def organisation_breakdown(
    session: Session, statement_ids: list[int], threshold: int
) -> dict[int, dict[str, domain.Tally | domain.Withheld]]:
    """How each answering organisation answered each statement; where fewer than ``threshold``
    of its participants answered, or a smaller group's answers could be worked out, why the
    cell is withheld (withheld, not left out, so that a report can say so)."""
    counts = count_tallies_by_organisation(session, statement_ids)
    return {
        sid: domain.suppress_cells(dict(sorted(per_org.items())), threshold)
        for sid, per_org in counts.items()
    }


def record_discussion(
    session: Session,
    *,
    workshop_id: int,
    statement_id: int,
    note: str,
    outcome: str | None,
    new_text: str | None = None,
) -> int | None:
    """Record the facilitator's note and outcome on a raised statement.

    "reworded" needs the new wording: it becomes a new statement right after the old one, to be
    voted again, while the old votes stay with the old wording. Returns the new statement's id.
    A new wording with no outcome chosen is a rewording; with another outcome it is refused
    (it would otherwise be dropped without a word).
    """
    statement = get_statement(session, workshop_id, statement_id)
    if outcome is not None and outcome not in domain.OUTCOMES:
        raise WorkshopError("error.bad_outcome")
    wording = (new_text or "").strip()
    if wording and outcome is None:
        outcome = "reworded"
    elif wording and outcome != "reworded":
        raise WorkshopError("error.new_text_needs_reworded")
    note = (note or "").strip()
    if len(note) > 2000:
        raise WorkshopError("error.note_too_long", limit=2000)
    new_id = None
    existing = session.scalar(select(Statement).where(Statement.previous_id == statement.id))
    if existing is not None and outcome != "reworded":
        raise WorkshopError("error.already_reworded")
    if outcome == "reworded" and existing is not None:
        if wording and domain.clean_statement_text(wording) != existing.text:
            raise WorkshopError("error.already_reworded")
    elif outcome == "reworded":
        if not wording:
            raise WorkshopError("error.rewording_empty")
        text = domain.clean_statement_text(wording)
        if text == statement.text:
            raise WorkshopError("error.rewording_unchanged")
        for later in session.scalars(
            select(Statement).where(
                Statement.workshop_id == workshop_id, Statement.position > statement.position
            )
        ):
            later.position += 1
        reworded = Statement(
            workshop_id=workshop_id,
            organisation_id=statement.organisation_id,
            role_id=statement.role_id,
            topic=statement.topic,
            perspective=statement.perspective,
            text=text,
            position=statement.position + 1,
            previous_id=statement.id,
        )
        session.add(reworded)
        session.flush()
        new_id = reworded.id
    statement.outcome = outcome
    statement.discussion_note = note or None
    session.commit()
    return new_id


def results_as_dict(results: Results) -> dict[str, Any]:
    """Aggregates only, for the JSON API: never who voted what."""

    def one(r: StatementResult) -> dict[str, Any]:
        return {
            "id": r.id,
            "organisation": r.organisation,
            "topic": r.topic,
            "perspective": r.perspective,
            "text": r.text,
            "tally": r.tally.as_dict(),
            "split": domain.is_split(r.tally),
            "outcome": r.outcome,
        }

    return {
        "anonymity_threshold": results.threshold,
        "withheld": [
            {"id": r.id, "organisation": r.organisation, "text": r.text, "answers": r.tally.total}
            for r in results.withheld
        ],
        "organisations": [
            {
                "organisation": o.organisation,
                "agreement_with_own_description": o.agreement,
                "own_description": [one(r) for r in o.own],
                "others_perception": [one(r) for r in o.others],
                "expectation_gaps": [one(r) for r in o.expectation_gaps],
            }
            for o in results.organisations
        ],
        "expectation_gaps": [one(r) for r in results.gaps],
        "recurring_expectations": [
            {"text": text, "organisations": orgs} for text, orgs in results.recurring
        ],
        "split_votes": [one(r) for r in results.split],
        "discussion_queue": [
            {
                **one(item.result),
                **({} if item.disclosed else {"tally": None, "split": None, "withheld": True}),
                "note": item.note,
                "replaced_by": item.replaced_by,
            }
            for item in results.queue
        ],
    }
