"""Live use cases: joining, opening and closing statements, casting votes, the room's state."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from roles.models import WorkshopRole
from workshops import domain
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
        p.id, p.workshop_id, code, p.organisation_id, org_name, p.display_name, kind
    )


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
    can be opened again; its votes are kept.
    """
    ids = list(dict.fromkeys(statement_ids))
    if not ids:
        raise WorkshopError("error.statement_not_found")
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
        statement.state = "open"
        statement.opened_at = statement.opened_at or now
        statement.closed_at = None
    workshop = session.get_one(Workshop, workshop_id)
    workshop.current_statement_id = ids[0]
    session.commit()


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
    """Record a participant's current answer to an open statement (with an optional comment).

    Idempotent by ``ballot_id``: a ballot seen before changes nothing and succeeds again.
    The statement row is read with a shared lock (PostgreSQL) or inside an immediate
    transaction (SQLite), so a vote and a close of the same statement are strictly ordered.
    """
    participant = session.get(Participant, participant_id)
    if participant is None:
        raise WorkshopError("error.not_joined")
    seen = session.scalar(select(VoteEvent).where(VoteEvent.ballot_id == ballot_id))
    if seen is not None:
        return _retried(session, seen, participant)
    statement = session.scalar(
        select(Statement).where(Statement.id == statement_id).with_for_update(read=True)
    )
    if statement is None or statement.workshop_id != participant.workshop_id:
        raise WorkshopError("error.statement_not_found")
    if statement.hidden or statement.state != "open":
        raise WorkshopError("error.statement_closed")
    everyone = session.scalar(
        select(Workshop.everyone_may_answer).where(Workshop.id == statement.workshop_id)
    )
    if not domain.may_answer(
        perspective=statement.perspective,
        subject_org=statement.organisation_id,
        participant_org=participant.organisation_id,
        everyone=bool(everyone),
    ):
        raise WorkshopError("error.not_eligible")
    now = utcnow()
    try:
        session.add(
            VoteEvent(
                ballot_id=ballot_id,
                statement_id=statement_id,
                participant_id=participant_id,
                choice=choice,
                created_at=now,
            )
        )
        _upsert(
            session,
            Vote,
            {
                "statement_id": statement_id,
                "participant_id": participant_id,
                "choice": choice,
                "comment": comment,
                "ballot_id": ballot_id,
                "updated_at": now,
            },
            index=["statement_id", "participant_id"],
            set_={"choice": choice, "comment": comment, "ballot_id": ballot_id, "updated_at": now},
        )
        session.commit()
    except IntegrityError:
        # The same ballot arrived twice at once; the other copy won.
        session.rollback()
        seen = session.scalar(select(VoteEvent).where(VoteEvent.ballot_id == ballot_id))
        if seen is None:
            raise
        return _retried(session, seen, participant)
    return VoteResult(statement.workshop_id, statement_id, choice, retried=False)


def _retried(session: Session, seen: VoteEvent, participant: Participant) -> VoteResult:
    # Read everything before ending the transaction: touching an expired row afterwards
    # would silently open a new one (and, on SQLite, hold the write lock).
    result = VoteResult(participant.workshop_id, seen.statement_id, seen.choice, retried=True)
    owner = seen.participant_id
    session.rollback()
    if owner != participant.id:
        raise WorkshopError("error.bad_ballot")
    return result


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
    return {
        sid: domain.Tally(yes=c["yes"], no=c["no"], discuss=c["discuss"])
        for sid, c in counts.items()
    }


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
        sid: {
            org: domain.Tally(yes=c["yes"], no=c["no"], discuss=c["discuss"])
            for org, c in per_org.items()
        }
        for sid, per_org in counts.items()
    }


def room_state(session: Session, workshop_id: int, *, audience: str) -> dict[str, Any]:
    """What an audience sees now, counted from the database.

    ``audience`` is "phones" or "projector" (distribution only once revealed) or
    "facilitator" (distribution always, for the console's private peek).
    """
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise WorkshopError("error.workshop_not_found")
    per_org = dict(
        session.execute(
            select(Participant.organisation_id, func.count())
            .where(Participant.workshop_id == workshop_id)
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
    orgs = {o.id: o.name for o in workshop.organisations}

    roles = role_cards(session, [s.role_id for s in shown if s.role_id is not None])

    def view(s: Statement) -> dict[str, Any]:
        if workshop.everyone_may_answer or s.organisation_id is None:
            eligible = joined
        elif s.perspective == "own":
            eligible = joined - per_org.get(s.organisation_id, 0)
        else:
            eligible = per_org.get(s.organisation_id, 0)
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
