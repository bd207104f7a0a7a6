"""Live use cases: joining, opening and closing statements, casting votes, the room's state."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from roles.models import WorkshopRole
from workshops import ballots, domain
from workshops.ballots import Ballot
from workshops.domain import WorkshopError
from workshops.models import (
    Organisation,
    Participant,
    RateLimitHit,
    Statement,
    Vote,
    VoteEvent,
    Workshop,
    utcnow,
)

# Core tables for the vote path, where a burst makes the ORM's per-row work the bottleneck
STATEMENTS = cast(Table, Statement.__table__)
WORKSHOPS = cast(Table, Workshop.__table__)
PARTICIPANTS = cast(Table, Participant.__table__)
VOTES = cast(Table, Vote.__table__)
VOTE_EVENTS = cast(Table, VoteEvent.__table__)


def _upsert_votes(dialect: Any) -> Any:
    """INSERT … ON CONFLICT DO UPDATE for many votes at once (the new values from EXCLUDED)."""
    stmt = dialect.insert(VOTES)
    return stmt.on_conflict_do_update(
        index_elements=["statement_id", "participant_id"],
        set_={
            name: stmt.excluded[name] for name in ("choice", "comment", "ballot_id", "updated_at")
        },
    )


# Built once: a burst runs them thousands of times, and building is most of their cost
_IDS: Any = bindparam("ids", expanding=True)
_STATEMENT_FACTS = (
    select(
        STATEMENTS.c.id,
        STATEMENTS.c.workshop_id,
        STATEMENTS.c.state,
        STATEMENTS.c.hidden,
        STATEMENTS.c.perspective,
        STATEMENTS.c.organisation_id,
        WORKSHOPS.c.everyone_may_answer,
    )
    .join(WORKSHOPS, WORKSHOPS.c.id == STATEMENTS.c.workshop_id)
    .where(STATEMENTS.c.id.in_(_IDS))
    .with_for_update(read=True, of=STATEMENTS)
)
_PARTICIPANT_FACTS = select(
    PARTICIPANTS.c.id,
    PARTICIPANTS.c.workshop_id,
    PARTICIPANTS.c.organisation_id,
    Participant.in_room.label("present"),
).where(PARTICIPANTS.c.id.in_(_IDS))
# A phone that votes is in the room, whatever else it did (its first connection may have come
# while the survey was open, or through a process that did not mark it yet).
_MARK_PRESENT = (
    PARTICIPANTS.update()
    .where(PARTICIPANTS.c.id.in_(_IDS), ~Participant.in_room)
    .values(
        here_at=bindparam("now"),
        present_at=func.coalesce(PARTICIPANTS.c.present_at, bindparam("now")),
    )
)
# A phone opened the live workshop, or answered a roll call: in the room, unless the survey is
# open (its page links to the live page, and a laptop answering at home is not in the room)
_ARRIVE = _MARK_PRESENT.where(
    ~exists().where(WORKSHOPS.c.id == PARTICIPANTS.c.workshop_id, WORKSHOPS.c.survey_open)
)
_SEEN_BALLOTS = select(
    VOTE_EVENTS.c.ballot_id,
    VOTE_EVENTS.c.participant_id,
    VOTE_EVENTS.c.statement_id,
    VOTE_EVENTS.c.choice,
).where(VOTE_EVENTS.c.ballot_id.in_(_IDS))
_INSERT_EVENTS = VOTE_EVENTS.insert()
_VOTE_UPSERT = {"sqlite": _upsert_votes(sqlite), "postgresql": _upsert_votes(postgresql)}

JOIN_FAILURES_ALLOWED = 10
JOIN_WINDOW_SECONDS = 600


@dataclass(frozen=True)
class Joined:
    workshop_id: int
    participant_id: int
    token: str


@dataclass(frozen=True)
class ParticipantInfo:
    id: int
    workshop_id: int
    join_code: str
    organisation_id: int
    organisation: str
    display_name: str | None
    workshop_kind: str = "ws1"
    present: bool = False  # in the room now (Participant.in_room)


@dataclass(frozen=True)
class VoteResult:
    workshop_id: int
    statement_id: int
    choice: str
    retried: bool


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Rate limits -----------------------------------------------------------------------------


def rate_limited(
    session: Session, key: str, *, limit: int, window: int, now: float | None = None
) -> bool:
    """True when ``key`` already used up its ``limit`` failures in the current window."""
    start = int((time.time() if now is None else now) // window)
    count = session.scalar(
        select(RateLimitHit.count).where(
            RateLimitHit.key == key, RateLimitHit.window_start == start
        )
    )
    return (count or 0) >= limit


def record_failure(session: Session, key: str, *, window: int, now: float | None = None) -> None:
    """Count one failure for ``key``; old windows are swept as we go."""
    start = int((time.time() if now is None else now) // window)
    session.execute(delete(RateLimitHit).where(RateLimitHit.window_start < start - 1))
    _upsert(
        session,
        RateLimitHit,
        {"key": key, "window_start": start, "count": 1},
        index=["key", "window_start"],
        set_={"count": RateLimitHit.count + 1},
    )
    session.commit()


def _upsert(
    session: Session, model: Any, values: dict[str, Any], *, index: list[str], set_: dict[str, Any]
) -> None:
    """INSERT … ON CONFLICT DO UPDATE in the dialect of the session's database."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model).values(**values)
    session.execute(stmt.on_conflict_do_update(index_elements=index, set_=set_))


# --- Joining ---------------------------------------------------------------------------------


def find_workshop_by_code(session: Session, raw_code: str, *, client_key: str) -> Workshop:
    """The workshop a typed code names; failures are rate-limited per client."""
    key = f"join:{client_key}"
    if rate_limited(session, key, limit=JOIN_FAILURES_ALLOWED, window=JOIN_WINDOW_SECONDS):
        raise WorkshopError("error.rate_limited")
    code = domain.normalise_join_code(raw_code)
    workshop = None
    if code is not None:
        workshop = session.scalar(select(Workshop).where(Workshop.join_code == code))
    if workshop is None:
        record_failure(session, key, window=JOIN_WINDOW_SECONDS)
        raise WorkshopError("error.unknown_code")
    return workshop


def join(
    session: Session, *, workshop_id: int, organisation_id: int, display_name: str | None
) -> Joined:
    """Add a participant: an organisation and an optional display name; returns its secret."""
    org = session.get(Organisation, organisation_id)
    if org is None or org.workshop_id != workshop_id:
        raise WorkshopError("error.pick_organisation")
    token = secrets.token_urlsafe(24)
    participant = Participant(
        workshop_id=workshop_id,
        organisation_id=organisation_id,
        display_name=domain.clean_display_name(display_name),
        token_hash=hash_token(token),
    )
    session.add(participant)
    session.commit()
    return Joined(workshop_id, participant.id, token)


def participant_for_token(session: Session, token: str | None) -> ParticipantInfo | None:
    if not token or not isinstance(token, str) or len(token) > 100:
        return None
    row = session.execute(
        select(Participant, Organisation.name, Workshop.join_code, Workshop.kind)
        .join(Organisation, Organisation.id == Participant.organisation_id)
        .join(Workshop, Workshop.id == Participant.workshop_id)
        .where(Participant.token_hash == hash_token(token))
    ).first()
    if row is None:
        return None
    p, org_name, code, kind = row
    return ParticipantInfo(
        p.id,
        p.workshop_id,
        code,
        p.organisation_id,
        org_name,
        p.display_name,
        kind,
        present=p.in_room,
    )


def mark_present(session: Session, participant_id: int) -> bool:
    """The participant is in the room from now on (counted in the room's "n of m" and on the
    projector), whatever the survey. True if it was not before."""
    return _mark(session, _MARK_PRESENT, participant_id)


def arrive(session: Session, participant_id: int) -> bool:
    """The phone opened the live workshop, or answered a roll call: in the room from now on,
    unless the pre-workshop survey is open. True if it was not in the room before."""
    return _mark(session, _ARRIVE, participant_id)


def _mark(session: Session, statement: Any, participant_id: int) -> bool:
    marked = session.connection().execute(statement, {"ids": [participant_id], "now": utcnow()})
    session.commit()
    return bool(marked.rowcount)


def leave_room(session: Session, participant_id: int) -> bool:
    """A participant leaves the workshop on their phone: out of the live count at once (as
    after a roll call they did not answer). Their answers stay, counted in their statements'
    "m"; who attended stays in the report. True if they were in the room."""
    return _take_out(session, Participant.id == participant_id) == 1


def _take_out(session: Session, who: ColumnElement[bool]) -> int:
    """Out of the live count (never out of the attendance): how many were in the room."""
    taken_out = session.connection().execute(
        update(Participant).where(who, Participant.in_room).values(here_at=None)
    )
    session.commit()
    return int(taken_out.rowcount)


def roll_call(session: Session, *, workshop_id: int) -> int:
    """The facilitator counts the room again (after a break, when some have gone home).

    Everyone is out of the room until their phone answers (``arrive``; the server
    asks every connected phone at once). Only the live count forgets them: who attended stays
    in the report (``Participant.attended``), and an answer already given stays in its
    statement's "m" (``room_state``), so n never exceeds m. Refused while the pre-workshop
    survey is open, when no phone can come back into the room. Returns how many were taken out.
    """
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise WorkshopError("error.workshop_not_found")
    if workshop.survey_open:
        raise WorkshopError("error.roll_call_survey_open")
    workshop.roll_call_at = utcnow()
    return _take_out(session, Participant.workshop_id == workshop_id)


# --- Running statements ----------------------------------------------------------------------


def _statement(session: Session, workshop_id: int, statement_id: int) -> Statement:
    statement = session.get(Statement, statement_id)
    if statement is None or statement.workshop_id != workshop_id:
        raise WorkshopError("error.statement_not_found")
    return statement


def open_statements(
    session: Session, *, workshop_id: int, statement_ids: Iterable[int], exclusive: bool = True
) -> None:
    """Open one statement (closing any other, the live mode) or a batch for self-paced answers.

    The first statement becomes the current one that the projector shows. A closed statement
    can be opened again; its votes are kept, and its result is hidden again until the
    facilitator shows it (the old bars on the screen would sway the new answers).
    """
    ids = list(dict.fromkeys(statement_ids))
    if not ids:
        raise WorkshopError("error.no_statement_selected")
    statements = [_statement(session, workshop_id, sid) for sid in ids]
    if any(s.hidden for s in statements):
        raise WorkshopError("error.statement_hidden")
    now = utcnow()
    if exclusive:
        session.execute(
            update(Statement)
            .where(
                Statement.workshop_id == workshop_id,
                Statement.state == "open",
                Statement.id.not_in(ids),
            )
            .values(state="closed", closed_at=now)
        )
    for statement in statements:
        if statement.state != "open":
            statement.revealed = False
        statement.state = "open"
        statement.opened_at = statement.opened_at or now
        statement.closed_at = None
    workshop = session.get_one(Workshop, workshop_id)
    workshop.current_statement_id = ids[0]
    session.commit()


def any_open(session: Session, workshop_id: int) -> bool:
    """Whether the room is answering a statement now (in WS2: a role's validation)."""
    found = session.scalar(
        select(Statement.id).where(Statement.workshop_id == workshop_id, Statement.state == "open")
    )
    return found is not None


def close_statement(session: Session, *, workshop_id: int, statement_id: int) -> None:
    """Close a statement: no more votes or changes; the count is final."""
    _statement(session, workshop_id, statement_id)
    session.execute(
        update(Statement)
        .where(Statement.id == statement_id, Statement.state == "open")
        .values(state="closed", closed_at=utcnow())
    )
    session.commit()


def close_all(session: Session, *, workshop_id: int) -> None:
    session.execute(
        update(Statement)
        .where(Statement.workshop_id == workshop_id, Statement.state == "open")
        .values(state="closed", closed_at=utcnow())
    )
    session.commit()


def reveal(session: Session, *, workshop_id: int, statement_id: int, revealed: bool) -> None:
    """Show (or hide again) a statement's distribution to the room."""
    statement = _statement(session, workshop_id, statement_id)
    statement.revealed = revealed
    session.commit()


def set_current(session: Session, *, workshop_id: int, statement_id: int | None) -> None:
    """Put a statement on the projector (None shows the join screen)."""
    if statement_id is not None:
        _statement(session, workshop_id, statement_id)
    session.get_one(Workshop, workshop_id).current_statement_id = statement_id
    session.commit()


# --- Voting ----------------------------------------------------------------------------------


def cast_vote(
    session: Session,
    *,
    participant_id: int,
    statement_id: int,
    choice: str,
    ballot_id: str,
    comment: str | None = None,
) -> VoteResult:
    """Record a participant's current answer to an open statement (with an optional comment):
    a batch of one (``cast_votes``, whose rules are ``ballots.judge``).

    Idempotent by ``ballot_id``: a ballot seen before changes nothing and succeeds again.
    The statement row is read with a shared lock (PostgreSQL) or inside an immediate
    transaction (SQLite), so a vote and a close of the same statement are strictly ordered.
    """
    [result] = cast_votes(
        session, [Ballot(participant_id, statement_id, choice, ballot_id, comment)]
    )
    if isinstance(result, WorkshopError):
        raise result
    return result


def cast_votes(session: Session, batch: list[Ballot]) -> list[VoteResult | WorkshopError]:
    """Record a batch of ballots in one transaction (three reads for the whole batch, two
    writes, one commit), each judged by ``ballots.judge``.

    The statements are read with a shared lock (PostgreSQL) or inside the immediate
    transaction (SQLite), so a close of a statement is ordered against the whole batch. When
    another process stored one of these ballot ids in the meantime (a phone that resent through
    the other server), the batch is rolled back and each ballot cast on its own; a single
    ballot is read and judged once more, and now finds the copy that won.
    """
    try:
        return _write_batch(session, batch)
    except IntegrityError:
        session.rollback()
    if len(batch) > 1:
        return [cast_votes(session, [ballot])[0] for ballot in batch]
    return _write_batch(session, batch)


def _write_batch(session: Session, batch: list[Ballot]) -> list[VoteResult | WorkshopError]:
    conn = session.connection()
    statements = {
        row.id: ballots.StatementFacts(
            row.workshop_id,
            row.state,
            bool(row.hidden),
            row.perspective,
            row.organisation_id,
            bool(row.everyone_may_answer),
        )
        for row in conn.execute(_STATEMENT_FACTS, {"ids": list({b.statement_id for b in batch})})
    }
    rows = conn.execute(_PARTICIPANT_FACTS, {"ids": list({b.participant_id for b in batch})})
    participants: dict[int, ballots.ParticipantFacts] = {}
    absent: set[int] = set()
    for row in rows:
        participants[row.id] = ballots.ParticipantFacts(row.workshop_id, row.organisation_id)
        if not row.present:
            absent.add(row.id)
    seen = {
        row.ballot_id: ballots.Seen(row.participant_id, row.statement_id, row.choice)
        for row in conn.execute(_SEEN_BALLOTS, {"ids": list({b.ballot_id for b in batch})})
    }
    verdicts = ballots.judge(batch, statements=statements, participants=participants, seen=seen)
    now = utcnow()
    events = [
        {
            "ballot_id": b.ballot_id,
            "statement_id": b.statement_id,
            "participant_id": b.participant_id,
            "choice": b.choice,
            "created_at": now,
        }
        for b, v in zip(batch, verdicts, strict=True)
        if v.accepted
    ]
    if events:
        arrived = list(absent & {e["participant_id"] for e in events})
        if arrived:
            conn.execute(_MARK_PRESENT, {"ids": arrived, "now": now})
        conn.execute(_INSERT_EVENTS, events)
        conn.execute(
            _VOTE_UPSERT[conn.dialect.name],
            [
                {
                    "statement_id": b.statement_id,
                    "participant_id": b.participant_id,
                    "choice": b.choice,
                    "comment": b.comment,
                    "ballot_id": b.ballot_id,
                    "updated_at": now,
                }
                for b in ballots.latest_answers(batch, verdicts)
            ],
        )
    session.commit()
    return [_outcome(v) for v in verdicts]


def _outcome(verdict: ballots.Verdict) -> VoteResult | WorkshopError:
    if verdict.error is not None or verdict.workshop_id is None:
        return WorkshopError(verdict.error or "error.statement_not_found")
    return VoteResult(
        verdict.workshop_id, verdict.statement_id, verdict.choice, retried=verdict.retried
    )


# --- The room's state ------------------------------------------------------------------------


def count_tallies(session: Session, statement_ids: list[int]) -> dict[int, domain.Tally]:
    if not statement_ids:
        return {}
    rows = session.execute(
        select(Vote.statement_id, Vote.choice, func.count())
        .where(Vote.statement_id.in_(statement_ids))
        .group_by(Vote.statement_id, Vote.choice)
    ).all()
    counts: dict[int, Counter[str]] = {sid: Counter() for sid in statement_ids}
    for sid, choice, n in rows:
        counts[sid][choice] = n
    return {sid: domain.Tally.of(c) for sid, c in counts.items()}


def count_tallies_by_organisation(
    session: Session, statement_ids: list[int]
) -> dict[int, dict[str, domain.Tally]]:
    """Current answers per statement and answering organisation (by name)."""
    rows = session.execute(
        select(Vote.statement_id, Organisation.name, Vote.choice, func.count())
        .join(Participant, Participant.id == Vote.participant_id)
        .join(Organisation, Organisation.id == Participant.organisation_id)
        .where(Vote.statement_id.in_(statement_ids))
        .group_by(Vote.statement_id, Organisation.name, Vote.choice)
    ).all()
    counts: dict[int, dict[str, Counter[str]]] = {sid: {} for sid in statement_ids}
    for sid, org, choice, n in rows:
        counts[sid].setdefault(org, Counter())[choice] = n
    return {
        sid: {org: domain.Tally.of(c) for org, c in per_org.items()}
        for sid, per_org in counts.items()
    }


def room_state(
    session: Session, workshop_id: int, *, audience: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """What an audience sees now (``now``: the clock, for tests), counted from the database.

    ``audience`` is "phones" or "projector" (distribution only once revealed) or
    "facilitator" (distribution always, for the console's private peek).
    """
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise WorkshopError("error.workshop_not_found")
    per_org = dict(
        session.execute(
            select(Participant.organisation_id, func.count())
            .where(Participant.workshop_id == workshop_id, Participant.in_room)
            .group_by(Participant.organisation_id)
        ).all()
    )
    joined = sum(per_org.values())
    shown = list(
        session.scalars(
            select(Statement)
            .where(
                Statement.workshop_id == workshop_id,
                (Statement.state == "open") | (Statement.id == workshop.current_statement_id),
                Statement.hidden.is_(False),
            )
            .order_by(Statement.position, Statement.id)
        )
    )
    tallies = count_tallies(session, [s.id for s in shown])
    # Who answered a shown statement and is out of the room now (a roll call they did not
    # answer): still one of the "m" their answer is counted in
    answered_out = (
        dict(
            session.execute(
                select(Vote.statement_id, func.count())
                .join(Participant, Participant.id == Vote.participant_id)
                .where(Vote.statement_id.in_([s.id for s in shown]), ~Participant.in_room)
                .group_by(Vote.statement_id)
            ).all()
        )
        if shown
        else {}
    )
    orgs = {o.id: o.name for o in workshop.organisations}

    roles = role_cards(session, [s.role_id for s in shown if s.role_id is not None])

    def view(s: Statement) -> dict[str, Any]:
        if workshop.everyone_may_answer or s.organisation_id is None:
            eligible = joined
        elif s.perspective == "own":
            eligible = joined - per_org.get(s.organisation_id, 0)
        else:
            eligible = per_org.get(s.organisation_id, 0)
        eligible += answered_out.get(s.id, 0)
        t = tallies[s.id]
        withheld = not domain.disclosed(t, workshop.anonymity_threshold)
        show = (audience == "facilitator" or s.revealed) and not withheld
        return {
            "id": s.id,
            "organisation_id": s.organisation_id,
            "organisation": orgs.get(s.organisation_id or -1, ""),
            "role": roles.get(s.role_id or -1),
            "topic": s.topic,
            "perspective": s.perspective,
            "text": s.text,
            "state": s.state,
            "revealed": s.revealed,
            "voted": t.total,
            "eligible": eligible,
            # fewer answers than the workshop's anonymity threshold: counts only, no distribution
            "withheld": withheld,
            "tally": t.as_dict() if show else None,
            "split": domain.is_split(t) if show else None,
        }

    views = {s.id: view(s) for s in shown}
    return {
        "workshop_id": workshop.id,
        "join_code": workshop.join_code,
        "title": workshop.title,
        "everyone_may_answer": workshop.everyone_may_answer,
        "anonymity_threshold": workshop.anonymity_threshold,
        "joined": joined,
        # the screens show "counting again" instead of the counts for this long (a roll call)
        "recounting_ms": domain.recount_left_ms(workshop.roll_call_at, now or utcnow()),
        "current": views.get(workshop.current_statement_id or -1),
        "open": [v for v in views.values() if v["state"] == "open"],
    }


def role_cards(session: Session, role_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The role cards of WS2 validation statements, in both languages."""
    if not role_ids:
        return {}
    rows = session.scalars(select(WorkshopRole).where(WorkshopRole.id.in_(role_ids)))
    return {r.id: role_card(r) for r in rows}


def role_card(role: WorkshopRole) -> dict[str, Any]:
    """A role as phones and screens show it: name, what it does, examples of titles."""
    return {
        "id": role.id,
        "code": role.code,
        "name": {"sv": role.name_sv, "en": role.name_en},
        "does": {"sv": role.does_sv, "en": role.does_en},
        "examples": {
            "sv": [x for x in role.examples_sv.splitlines() if x.strip()],
            "en": [x for x in role.examples_en.splitlines() if x.strip()],
        },
        "tier": role.tier,
        "professional": role.professional,
        "coordinating": role.coordinating,
        "custom": role.catalogue_code is None,
    }


def my_votes(session: Session, *, participant_id: int) -> dict[str, str]:
    """The participant's own current answers (to show them their choice, never to others)."""
    rows = session.execute(
        select(Vote.statement_id, Vote.choice).where(Vote.participant_id == participant_id)
    ).all()
    return {str(sid): choice for sid, choice in rows}
