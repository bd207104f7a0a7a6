"""Use cases for accounts and workshop preparation: take primitives, own the commit."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from werkzeug.security import check_password_hash, generate_password_hash

from workshops import domain
from workshops.domain import WorkshopError
from workshops.models import (
    Facilitator,
    Login,
    Organisation,
    Participant,
    Statement,
    Workshop,
)
from workshops.voting import hash_token

RowT = TypeVar("RowT", bound=Any)  # a row class with a ``workshop_id`` column

MIN_PASSWORD_LENGTH = 10
# A login ends when its facilitator logs out, when its cookie has gone unused for the cookie's
# lifetime (app.py, 3 days), and at the latest this long after it began.
LOGIN_LIFETIME = dt.timedelta(days=14)

# --- Facilitators ----------------------------------------------------------------------------


def create_facilitator(
    session: Session, *, email: str, name: str, password: str, is_lead: bool = False
) -> int:
    """Create a facilitator account with a hashed password; a project lead (``is_lead``)
    manages every workshop and project, anyone else only the workshops they own."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise WorkshopError("error.bad_email")
    _check_password(password)
    if session.scalar(select(Facilitator.id).where(Facilitator.email == email)) is not None:
        raise WorkshopError("error.email_taken")
    row = Facilitator(
        email=email,
        name=name.strip() or email,
        password_hash=generate_password_hash(password),
        is_lead=is_lead,
    )
    session.add(row)
    session.commit()
    return row.id


def authenticate(session: Session, *, email: str, password: str) -> int | None:
    """The facilitator's id when the password matches, else None."""
    row = session.scalar(select(Facilitator).where(Facilitator.email == email.strip().lower()))
    if row is None or not check_password_hash(row.password_hash, password):
        return None
    return row.id


def start_login(session: Session, facilitator_id: int, *, now: dt.datetime | None = None) -> str:
    """A new login of the facilitator in one browser: the token its cookie keeps (the database
    keeps its hash). Logins older than ``LOGIN_LIFETIME``, anyone's, are forgotten here."""
    now = now or domain_now()
    session.execute(delete(Login).where(Login.created_at <= now - LOGIN_LIFETIME))
    token = secrets.token_urlsafe(32)
    session.add(Login(token_hash=hash_token(token), facilitator_id=facilitator_id, created_at=now))
    session.commit()
    return token


def login_holds(
    session: Session, *, facilitator_id: int, token: str, now: dt.datetime | None = None
) -> bool:
    """Whether the token is the facilitator's login and has not ended (logged out or too old)."""
    row = session.get(Login, hash_token(token))
    now = now or domain_now()
    return (
        row is not None
        and row.facilitator_id == facilitator_id
        and row.created_at > now - LOGIN_LIFETIME
    )


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WorkshopError("error.password_too_short", limit=MIN_PASSWORD_LENGTH)


def _end_logins(session: Session, *where: ColumnElement[bool]) -> list[str]:
    """End the logins ``where`` selects (their cookies, and any copy, open nothing from now on)
    and commit. Returns the hashes they were kept under: ``live.login_room`` names the rooms of
    their open screens by them."""
    ended = list(session.scalars(select(Login.token_hash).where(*where)))
    session.execute(delete(Login).where(Login.token_hash.in_(ended)))
    session.commit()
    return ended


def end_login(session: Session, token: str) -> list[str]:
    """Log out (this browser's login)."""
    return _end_logins(session, Login.token_hash == hash_token(token))


def other_logins(
    session: Session, *, facilitator_id: int, token: str, now: dt.datetime | None = None
) -> list[dt.datetime]:
    """When each of the facilitator's other logins (other browsers, other devices) that still
    hold began, the latest first."""
    now = now or domain_now()
    return list(
        session.scalars(
            select(Login.created_at)
            .where(
                Login.facilitator_id == facilitator_id,
                Login.token_hash != hash_token(token),
                Login.created_at > now - LOGIN_LIFETIME,
            )
            .order_by(Login.created_at.desc())
        )
    )


def end_other_logins(session: Session, *, facilitator_id: int, token: str) -> list[str]:
    """Log out everywhere but here (``token``, this browser's login): a lost or shared
    computer's login ends. Returns the ended logins' hashes."""
    return _end_logins(
        session, Login.facilitator_id == facilitator_id, Login.token_hash != hash_token(token)
    )


def change_password(
    session: Session, *, facilitator_id: int, current: str, new: str, repeated: str, token: str
) -> list[str]:
    """The facilitator's own new password (one a lead chose when creating the account, or one
    that may be known to someone else). Every other login ends with the old password; this
    browser's (``token``) holds. Returns the ended logins' hashes."""
    row = session.get(Facilitator, facilitator_id)
    if row is None or not check_password_hash(row.password_hash, current):
        raise WorkshopError("error.wrong_password")
    _check_password(new)
    if new != repeated:
        raise WorkshopError("error.passwords_differ")
    row.password_hash = generate_password_hash(new)
    return end_other_logins(session, facilitator_id=facilitator_id, token=token)


def reset_password(
    session: Session, *, facilitator_id: int, new: str, by: int
) -> tuple[str, list[str]]:
    """A project lead (``by``) sets another account's password: someone forgot theirs, or is
    leaving the project. Every login of that account ends. Returns the account's name and the
    ended logins' hashes."""
    if facilitator_id == by:
        raise WorkshopError("error.reset_own_password")
    row = session.get(Facilitator, facilitator_id)
    if row is None:
        raise WorkshopError("error.facilitator_not_found")
    _check_password(new)
    row.password_hash = generate_password_hash(new)
    return row.name, _end_logins(session, Login.facilitator_id == row.id)


def facilitator_profile(session: Session, facilitator_id: int) -> dict[str, object]:
    """What the facilitator's own account page shows of the account."""
    row = session.get(Facilitator, facilitator_id)
    if row is None:
        raise WorkshopError("error.facilitator_not_found")
    return {"name": row.name, "email": row.email, "is_lead": row.is_lead}


def facilitator_name(session: Session, facilitator_id: int) -> str | None:
    row = session.get(Facilitator, facilitator_id)
    return row.name if row else None


# --- Who manages what ------------------------------------------------------------------------


def is_lead(session: Session, facilitator_id: int) -> bool:
    """Whether the account is a project lead (an unknown account is not)."""
    row = session.get(Facilitator, facilitator_id)
    return bool(row and row.is_lead)


def may_manage(session: Session, *, facilitator_id: int, workshop_id: int) -> bool:
    """Whether the facilitator may prepare, run, read and delete the workshop: its owner or a
    project lead. Nobody manages an unknown workshop, and only leads one without an owner."""
    found = session.execute(select(Workshop.owner_id).where(Workshop.id == workshop_id)).first()
    if found is None:
        return False
    return found.owner_id == facilitator_id or is_lead(session, facilitator_id)


def list_facilitators(session: Session) -> list[dict[str, object]]:
    """Every account with the number of workshops it owns, leads first, then by name."""
    owned = (
        select(Workshop.owner_id, func.count().label("n")).group_by(Workshop.owner_id).subquery()
    )
    rows = session.execute(
        select(Facilitator, owned.c.n)
        .outerjoin(owned, owned.c.owner_id == Facilitator.id)
        .order_by(Facilitator.is_lead.desc(), Facilitator.name, Facilitator.id)
    ).all()
    return [
        {"id": f.id, "email": f.email, "name": f.name, "is_lead": f.is_lead, "workshops": n or 0}
        for f, n in rows
    ]


def hand_over_workshop(session: Session, *, workshop_id: int, owner_id: int) -> None:
    """Make another facilitator the workshop's owner (the previous owner loses it unless a
    lead)."""
    workshop = get_workshop(session, workshop_id)
    if session.get(Facilitator, owner_id) is None:
        raise WorkshopError("error.facilitator_not_found")
    workshop.owner_id = owner_id
    session.commit()


# --- Workshops -------------------------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise WorkshopError("error.title_empty")
    if len(title) > 200:
        raise WorkshopError("error.title_too_long", limit=200)
    return title


def _check_target_group(target_group: str) -> str:
    if target_group not in domain.TARGET_GROUPS:
        raise WorkshopError("error.bad_target_group")
    return target_group


def create_workshop(
    session: Session,
    *,
    owner_id: int | None,
    title: str,
    date: dt.date | None,
    target_group: str,
    everyone_may_answer: bool = False,
    kind: str = "ws1",
) -> int:
    """Create a workshop with a fresh, unique join code."""
    if kind not in domain.WORKSHOP_KINDS:
        raise WorkshopError("error.bad_workshop_kind")
    workshop = Workshop(
        kind=kind,
        title=_clean_title(title),
        date=date,
        target_group=_check_target_group(target_group),
        everyone_may_answer=everyone_may_answer,
        owner_id=owner_id,
        join_code=_unused_join_code(session),
    )
    session.add(workshop)
    session.commit()
    return workshop.id


def _unused_join_code(session: Session) -> str:
    for _ in range(50):
        code = domain.new_join_code()
        if session.scalar(select(Workshop.id).where(Workshop.join_code == code)) is None:
            return code
    raise RuntimeError("could not find a free join code")  # 25^6 codes: practically unreachable


def update_workshop(
    session: Session,
    *,
    workshop_id: int,
    title: str,
    date: dt.date | None,
    target_group: str,
    everyone_may_answer: bool,
    anonymity_threshold: object = None,
) -> None:
    """Change a workshop's settings; ``anonymity_threshold`` None keeps the current one."""
    workshop = get_workshop(session, workshop_id)
    workshop.title = _clean_title(title)
    workshop.date = date
    workshop.target_group = _check_target_group(target_group)
    workshop.everyone_may_answer = everyone_may_answer
    if anonymity_threshold is not None:
        workshop.anonymity_threshold = domain.clean_threshold(anonymity_threshold)
    session.commit()


def set_anonymity_threshold(session: Session, *, workshop_id: int, threshold: object) -> None:
    """How many must have answered before a distribution or breakdown is shown (1 to 50)."""
    get_workshop(session, workshop_id).anonymity_threshold = domain.clean_threshold(threshold)
    session.commit()


def in_workshop(
    session: Session, model: type[RowT], row_id: int, workshop_id: int, missing: str
) -> RowT:
    """The row ``row_id`` of ``model`` when it belongs to the workshop; else ``missing``."""
    row = session.get(model, row_id)
    if row is None or row.workshop_id != workshop_id:
        raise WorkshopError(missing)
    return row


def get_workshop(session: Session, workshop_id: int) -> Workshop:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise WorkshopError("error.workshop_not_found")
    return workshop


def list_workshops(session: Session, *, manager_id: int | None = None) -> list[dict[str, object]]:
    """The workshops ``manager_id`` may manage (every workshop when None) with their number of
    participants and statements, the latest first by the workshop's date (its creation when
    it has none yet)."""
    participants = (
        select(Participant.workshop_id, func.count().label("n"))
        .where(Participant.attended)
        .group_by(Participant.workshop_id)
        .subquery()
    )
    statements = (
        select(Statement.workshop_id, func.count().label("n"))
        .group_by(Statement.workshop_id)
        .subquery()
    )
    query = (
        select(Workshop, participants.c.n, statements.c.n)
        .outerjoin(participants, participants.c.workshop_id == Workshop.id)
        .outerjoin(statements, statements.c.workshop_id == Workshop.id)
    )
    if manager_id is not None and not is_lead(session, manager_id):
        query = query.where(Workshop.owner_id == manager_id)
    rows = sorted(
        session.execute(query).all(),
        key=lambda row: (row[0].date or row[0].created_at.date(), row[0].created_at, row[0].id),
        reverse=True,
    )
    return [
        {
            "id": w.id,
            "title": w.title,
            "date": w.date,
            "target_group": w.target_group,
            "kind": w.kind,
            "join_code": w.join_code,
            "owner_id": w.owner_id,
            "participants": p or 0,
            "statements": s or 0,
            "created_at": w.created_at,
        }
        for w, p, s in rows
    ]


def delete_workshop(session: Session, *, workshop_id: int) -> None:
    """Delete a workshop and everything in it: organisations, participants, statements, votes."""
    workshop = get_workshop(session, workshop_id)
    workshop.current_statement_id = None
    session.flush()
    session.execute(delete(Workshop).where(Workshop.id == workshop_id))
    session.commit()


# --- Organisations ---------------------------------------------------------------------------


def add_organisation(session: Session, *, workshop_id: int, name: str, principal: str) -> int:
    get_workshop(session, workshop_id)
    name = " ".join((name or "").split())
    if not name:
        raise WorkshopError("error.organisation_empty")
    if len(name) > 120:
        raise WorkshopError("error.organisation_too_long", limit=120)
    if principal not in domain.PRINCIPALS:
        raise WorkshopError("error.bad_principal")
    existing = session.scalar(
        select(Organisation.id).where(
            Organisation.workshop_id == workshop_id, func.lower(Organisation.name) == name.lower()
        )
    )
    if existing is not None:
        raise WorkshopError("error.organisation_exists", name=name)
    org = Organisation(workshop_id=workshop_id, name=name, principal=principal)
    session.add(org)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise WorkshopError("error.organisation_exists", name=name) from None
    return org.id


def remove_organisation(session: Session, *, workshop_id: int, organisation_id: int) -> None:
    """Remove an organisation nobody has joined as and no statement is about."""
    org = _organisation(session, workshop_id, organisation_id)
    used = session.scalar(
        select(func.count()).select_from(Statement).where(Statement.organisation_id == org.id)
    ) or session.scalar(
        select(func.count()).select_from(Participant).where(Participant.organisation_id == org.id)
    )
    if used:
        raise WorkshopError("error.organisation_in_use", name=org.name)
    session.delete(org)
    session.commit()


def _organisation(session: Session, workshop_id: int, organisation_id: int) -> Organisation:
    org = session.get(Organisation, organisation_id)
    if org is None or org.workshop_id != workshop_id:
        raise WorkshopError("error.organisation_not_found")
    return org


# --- Statements ------------------------------------------------------------------------------


def _check_kind(topic: str, perspective: str) -> None:
    if topic not in domain.TOPICS:
        raise WorkshopError("error.bad_topic")
    if perspective not in domain.PERSPECTIVES:
        raise WorkshopError("error.bad_perspective")


def _next_position(session: Session, workshop_id: int) -> int:
    last = session.scalar(
        select(func.max(Statement.position)).where(Statement.workshop_id == workshop_id)
    )
    return (last or 0) + 1


def add_statements(
    session: Session,
    *,
    workshop_id: int,
    organisation_id: int,
    topic: str,
    perspective: str,
    texts: Sequence[str],
) -> list[int]:
    """Add statements (one or many pasted) about one organisation, in the order given."""
    _organisation(session, workshop_id, organisation_id)
    _check_kind(topic, perspective)
    cleaned = [domain.clean_statement_text(t) for t in texts]
    if not cleaned:
        raise WorkshopError("error.statement_empty")
    position = _next_position(session, workshop_id)
    rows = [
        Statement(
            workshop_id=workshop_id,
            organisation_id=organisation_id,
            topic=topic,
            perspective=perspective,
            text=text,
            position=position + i,
        )
        for i, text in enumerate(cleaned)
    ]
    session.add_all(rows)
    session.commit()
    return [r.id for r in rows]


def import_statements_csv(session: Session, *, workshop_id: int, data: str) -> int:
    """Import statements from CSV; organisations must exist already. All or nothing."""
    drafts = domain.parse_statement_csv(data)
    orgs = {
        o.name.casefold(): o.id
        for o in session.scalars(
            select(Organisation).where(Organisation.workshop_id == workshop_id)
        )
    }
    unknown = sorted({d.organisation for d in drafts if d.organisation.casefold() not in orgs})
    if unknown:
        raise domain.CsvError([f"unknown organisation '{name}': add it first" for name in unknown])
    position = _next_position(session, workshop_id)
    session.add_all(
        Statement(
            workshop_id=workshop_id,
            organisation_id=orgs[d.organisation.casefold()],
            topic=d.topic,
            perspective=d.perspective,
            text=d.text,
            position=position + i,
        )
        for i, d in enumerate(drafts)
    )
    session.commit()
    return len(drafts)


def get_statement(session: Session, workshop_id: int, statement_id: int) -> Statement:
    statement = session.get(Statement, statement_id)
    if statement is None or statement.workshop_id != workshop_id:
        raise WorkshopError("error.statement_not_found")
    return statement


def edit_statement(
    session: Session,
    *,
    workshop_id: int,
    statement_id: int,
    organisation_id: int,
    topic: str,
    perspective: str,
    text: str,
) -> None:
    """Edit a statement nobody has voted on; a voted statement is reworded instead, so the
    existing votes stay tied to the wording they answered."""
    statement = get_statement(session, workshop_id, statement_id)
    if statement.state != "draft":
        raise WorkshopError("error.statement_has_votes")
    _organisation(session, workshop_id, organisation_id)
    _check_kind(topic, perspective)
    statement.organisation_id = organisation_id
    statement.topic = topic
    statement.perspective = perspective
    statement.text = domain.clean_statement_text(text)
    session.commit()


def move_statement(session: Session, *, workshop_id: int, statement_id: int, offset: int) -> None:
    """Move a statement up (offset -1) or down (+1) in the running order."""
    ordered = list(
        session.scalars(
            select(Statement)
            .where(Statement.workshop_id == workshop_id)
            .order_by(Statement.position, Statement.id)
        )
    )
    index = next((i for i, s in enumerate(ordered) if s.id == statement_id), None)
    if index is None:
        raise WorkshopError("error.statement_not_found")
    target = max(0, min(len(ordered) - 1, index + offset))
    ordered.insert(target, ordered.pop(index))
    for position, statement in enumerate(ordered, start=1):
        statement.position = position
    session.commit()


def set_hidden(session: Session, *, workshop_id: int, statement_id: int, hidden: bool) -> None:
    """Hide a statement from the room (an open one is closed first, keeping its votes)."""
    statement = get_statement(session, workshop_id, statement_id)
    statement.hidden = hidden
    if hidden and statement.state == "open":
        statement.state = "closed"
        statement.closed_at = domain_now()
    session.commit()


def domain_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
