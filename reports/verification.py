"""Use cases for verification: published report versions, secret links per invited organisation,
the verifiers' notes and the facilitator's decisions on them.

A version freezes the report document as JSON. A link is a random token of which only the hash
is stored; it expires, can be revoked, and an organisation has one active link at a time. A
verifier always reads the latest version and sees what changed since the version they read
before it. Accepting a correction changes the draft (``build_report`` applies it); the next
published version carries it, with the original text kept in ``corrected_from``.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reports.document import build_report, changed_items, iter_items
from reports.late_answers import guard_breakdowns, held_distributions, last_shown
from reports.models import ReportVersion, VerificationLink, VerificationNote
from workshops.domain import WorkshopError
from workshops.models import Organisation, utcnow
from workshops.services import get_workshop
from workshops.voting import hash_token, rate_limited, record_failure

MIN_DAYS, MAX_DAYS, DEFAULT_DAYS = 1, 90, 30
MAX_VERSION_NOTE = 500
MAX_NOTE_TEXT = 2000
MAX_RESPONSE = 1000
MAX_OPEN_NOTES_PER_LINK = 200
KINDS = ("comment", "correction")
# Unknown tokens per client and window before every token is refused for a while: a token has
# 256 bits, so this only keeps a guessing script from filling the logs and the database.
BAD_TOKENS_ALLOWED = 20
BAD_TOKEN_WINDOW = 600


@dataclass(frozen=True)
class Version:
    number: int
    note: str | None
    created_at: dt.datetime
    changes: int | None  # items added, changed or removed since the previous version


@dataclass(frozen=True)
class LinkInfo:
    id: int
    organisation_id: int
    organisation: str
    status: str  # active | expired | revoked
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_seen_version: int | None
    last_seen_at: dt.datetime | None
    open_notes: int
    notes: int


@dataclass(frozen=True)
class Note:
    id: int
    link_id: int
    organisation: str
    item_key: str
    kind: str
    text: str
    proposed_text: str | None
    state: str
    response: str | None
    version: int
    created_at: dt.datetime
    decided_at: dt.datetime | None
    item_text: str | None  # the item's text in the version the verifier commented on


@dataclass(frozen=True)
class ItemNotes:
    """The notes on one report item; ``item`` is the item in the latest version (or, if it is
    gone from it, in the version of the newest note)."""

    key: str
    item: dict[str, Any]
    in_latest: bool
    notes: list[Note]

    @property
    def open(self) -> int:
        return sum(n.state == "open" for n in self.notes)


@dataclass(frozen=True)
class VerifierView:
    link_id: int
    workshop_id: int
    organisation: str
    version: int
    published_at: dt.datetime
    version_note: str | None
    document: dict[str, Any]
    since: int | None  # the version the changes are counted from: the one read before this
    changes: dict[str, str]  # item key -> added | changed (items of ``document``)
    removed: list[dict[str, Any]]  # items of version ``since`` that are gone
    expires_at: dt.datetime
    notes: list[Note] = field(default_factory=list)


def _clean(raw: str | None) -> str:
    return (raw or "").strip()


def _frozen(document: dict[str, Any]) -> dict[str, Any]:
    """The document as it reads back from JSON, without the day it was built and what a
    version stored by an older Brygga may lack while nothing else differs: the map's analysis
    (it follows from the map; the findings and figures a reader reads are compared), the order
    of the discussion points and how many raised each (their statements' counts are compared).
    """
    data: dict[str, Any] = json.loads(json.dumps(document))
    data.pop("generated", None)
    if data.get("journey"):
        data["journey"].pop("analysis", None)
    ws1 = data.get("ws1") or {}
    if ws1.get("discussion"):
        for point in ws1["discussion"]:
            point.pop("raised", None)
        ws1["discussion"].sort(key=lambda point: point["key"])
    return data


# --- Versions ---------------------------------------------------------------------------------


def _latest(session: Session, workshop_id: int) -> ReportVersion | None:
    return session.scalar(
        select(ReportVersion)
        .where(ReportVersion.workshop_id == workshop_id)
        .order_by(ReportVersion.number.desc())
        .limit(1)
    )


def _document(version: ReportVersion) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(version.document)
    return document


def publish_version(
    session: Session,
    *,
    workshop_id: int,
    note: str | None,
    now: dt.datetime | None = None,
    today: dt.date | None = None,
) -> int:
    """Freeze the report as it stands as the next version; refused when nothing changed."""
    get_workshop(session, workshop_id)
    text = _clean(note)
    if len(text) > MAX_VERSION_NOTE:
        raise WorkshopError("verification.error.note_too_long", limit=MAX_VERSION_NOTE)
    latest, document = next_version(session, workshop_id, today=today)
    if latest is not None and _frozen(latest[1]) == _frozen(document):
        raise WorkshopError("verification.error.unchanged", number=latest[0])
    number = (latest[0] if latest else 0) + 1
    session.add(
        ReportVersion(
            workshop_id=workshop_id,
            number=number,
            document=json.dumps(document, ensure_ascii=False, sort_keys=True),
            note=text or None,
            created_at=now or utcnow(),
        )
    )
    session.commit()
    return number


def next_version(
    session: Session, workshop_id: int, *, today: dt.date | None = None
) -> tuple[tuple[int, dict[str, Any]] | None, dict[str, Any]]:
    """The latest published version's number and document (None before the first) and the
    report as the next version would show it: a distribution that moved by too few answers
    since a version last showed it stays as shown then, and so do the figures counted from it
    (``reports.late_answers``)."""
    published = [
        (row.number, _document(row))
        for row in session.scalars(
            select(ReportVersion)
            .where(ReportVersion.workshop_id == workshop_id)
            .order_by(ReportVersion.number)
        )
    ]
    document = build_report(session, workshop_id, today=today)
    if not published:
        return None, document
    shown = last_shown((number, iter_items(before)) for number, before in published)
    threshold = int(document["workshop"]["anonymity_threshold"])
    held = held_distributions(shown, iter_items(document), threshold=threshold)
    if held:
        document = build_report(session, workshop_id, today=today, held=held)
    guard_breakdowns(shown, iter_items(document), threshold=threshold)
    return published[-1], document


def list_versions(session: Session, workshop_id: int) -> list[Version]:
    """Every published version, newest first, with how many items changed since the one
    before."""
    rows = session.scalars(
        select(ReportVersion)
        .where(ReportVersion.workshop_id == workshop_id)
        .order_by(ReportVersion.number)
    ).all()
    versions: list[Version] = []
    previous: dict[str, Any] | None = None
    for row in rows:
        document = _document(row)
        changes = None if previous is None else len(changed_items(previous, document))
        versions.append(Version(row.number, row.note, row.created_at, changes))
        previous = document
    return versions[::-1]


def latest_version(session: Session, workshop_id: int) -> tuple[int, dict[str, Any]] | None:
    """The newest published version's number and document; None before the first."""
    latest = _latest(session, workshop_id)
    return None if latest is None else (latest.number, _document(latest))


def get_version(session: Session, workshop_id: int, number: int) -> dict[str, Any]:
    """The document of a published version."""
    row = session.scalar(
        select(ReportVersion).where(
            ReportVersion.workshop_id == workshop_id, ReportVersion.number == number
        )
    )
    if row is None:
        raise WorkshopError("verification.error.version_not_found", number=number)
    return _document(row)


def draft_changes(session: Session, workshop_id: int) -> dict[str, str] | None:
    """What publishing now would change, by item; None before the first version."""
    latest, document = next_version(session, workshop_id)
    if latest is None:
        return None
    return changed_items(latest[1], document)


# --- Links ------------------------------------------------------------------------------------


def _status(link: VerificationLink, now: dt.datetime) -> str:
    if link.revoked_at is not None:
        return "revoked"
    return "expired" if link.expires_at <= now else "active"


def _days(raw: int | str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_DAYS
    try:
        days = int(raw)
    except (TypeError, ValueError):
        raise WorkshopError("verification.error.days", low=MIN_DAYS, high=MAX_DAYS) from None
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise WorkshopError("verification.error.days", low=MIN_DAYS, high=MAX_DAYS)
    return days


def create_link(
    session: Session,
    *,
    workshop_id: int,
    organisation_id: int,
    days: int | str | None = DEFAULT_DAYS,
    now: dt.datetime | None = None,
) -> str:
    """A new secret link for one invited organisation; returns the token, which is never
    stored (only its hash). The organisation's earlier active link stops working."""
    get_workshop(session, workshop_id)
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or organisation.workshop_id != workshop_id:
        raise WorkshopError("verification.error.organisation_not_found")
    valid_days = _days(days)
    if _latest(session, workshop_id) is None:
        raise WorkshopError("verification.error.publish_first")
    now = now or utcnow()
    for old in session.scalars(
        select(VerificationLink).where(
            VerificationLink.workshop_id == workshop_id,
            VerificationLink.organisation_id == organisation_id,
            VerificationLink.revoked_at.is_(None),
            VerificationLink.expires_at > now,
        )
    ):
        old.revoked_at = now
    token = secrets.token_urlsafe(32)
    session.add(
        VerificationLink(
            workshop_id=workshop_id,
            organisation_id=organisation_id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + dt.timedelta(days=valid_days),
        )
    )
    session.commit()
    return token


def revoke_link(
    session: Session, *, workshop_id: int, link_id: int, now: dt.datetime | None = None
) -> None:
    """The link stops working at once; its notes stay."""
    link = session.get(VerificationLink, link_id)
    if link is None or link.workshop_id != workshop_id:
        raise WorkshopError("verification.error.link_not_found")
    if link.revoked_at is None:
        link.revoked_at = now or utcnow()
        session.commit()


def links(session: Session, workshop_id: int, *, now: dt.datetime | None = None) -> list[LinkInfo]:
    """Every link of a workshop, by organisation and newest first, with its status."""
    now = now or utcnow()
    counts = Counter(
        {
            (link_id, state): n
            for link_id, state, n in session.execute(
                select(VerificationNote.link_id, VerificationNote.state, func.count())
                .where(VerificationNote.workshop_id == workshop_id)
                .group_by(VerificationNote.link_id, VerificationNote.state)
            ).all()
        }
    )
    rows = session.execute(
        select(VerificationLink, Organisation.name)
        .join(Organisation, Organisation.id == VerificationLink.organisation_id)
        .where(VerificationLink.workshop_id == workshop_id)
        .order_by(Organisation.name, VerificationLink.created_at.desc(), VerificationLink.id.desc())
    ).all()
    return [
        LinkInfo(
            id=link.id,
            organisation_id=link.organisation_id,
            organisation=name,
            status=_status(link, now),
            created_at=link.created_at,
            expires_at=link.expires_at,
            revoked_at=link.revoked_at,
            last_seen_version=link.last_seen_version,
            last_seen_at=link.last_seen_at,
            open_notes=counts[(link.id, "open")],
            notes=sum(n for (lid, _state), n in counts.items() if lid == link.id),
        )
        for link, name in rows
    ]


# --- The verifier -----------------------------------------------------------------------------


def _epoch(moment: dt.datetime) -> float:
    return moment.replace(tzinfo=dt.UTC).timestamp()


def _active_link(
    session: Session, token: str, *, now: dt.datetime, client: str | None
) -> tuple[VerificationLink, str]:
    """The link a token opens, and its organisation's name; unknown tokens are throttled per
    client, and an expired or revoked link says which, with nothing of the workshop."""
    key = f"verify:{client}" if client else None
    if key and rate_limited(
        session, key, limit=BAD_TOKENS_ALLOWED, window=BAD_TOKEN_WINDOW, now=_epoch(now)
    ):
        raise WorkshopError("error.rate_limited")
    found = session.execute(
        select(VerificationLink, Organisation.name)
        .join(Organisation, Organisation.id == VerificationLink.organisation_id)
        .where(VerificationLink.token_hash == hash_token(token or ""))
    ).first()
    if found is None:
        if key:
            record_failure(session, key, window=BAD_TOKEN_WINDOW, now=_epoch(now))
        raise WorkshopError("verify.error.unknown")
    link, organisation = found
    status = _status(link, now)
    if status != "active":
        raise WorkshopError(f"verify.error.{status}")
    return link, organisation


def _notes_of(session: Session, link_id: int, organisation: str) -> list[Note]:
    rows = session.scalars(
        select(VerificationNote)
        .where(VerificationNote.link_id == link_id)
        .order_by(VerificationNote.created_at, VerificationNote.id)
    ).all()
    return [_note(n, organisation, None) for n in rows]


def _note(n: VerificationNote, organisation: str, item_text: str | None) -> Note:
    return Note(
        id=n.id,
        link_id=n.link_id,
        organisation=organisation,
        item_key=n.item_key,
        kind=n.kind,
        text=n.text,
        proposed_text=n.proposed_text,
        state=n.state,
        response=n.response,
        version=n.version_number,
        created_at=n.created_at,
        decided_at=n.decided_at,
        item_text=item_text,
    )


def open_link(
    session: Session,
    token: str,
    *,
    now: dt.datetime | None = None,
    client: str | None = None,
    remembered_since: int | None = None,
    record: bool = True,
) -> VerifierView:
    """What a verifier sees: the latest version, and what changed since the version they read
    before it. Records that they have now seen the latest.

    ``remembered_since`` is the baseline shown on an earlier visit to this same version (kept by
    the verifier's browser), so reloading the page or sending a note keeps the highlights.
    """
    now = now or utcnow()
    link, organisation = _active_link(session, token, now=now, client=client)
    latest = _latest(session, link.workshop_id)
    if latest is None:
        raise WorkshopError("verify.error.not_published")
    document = _document(latest)
    since: int | None = None
    if link.last_seen_version is not None and link.last_seen_version < latest.number:
        since = link.last_seen_version
    elif remembered_since is not None and 1 <= remembered_since < latest.number:
        since = remembered_since
    changes: dict[str, str] = {}
    removed: list[dict[str, Any]] = []
    if since is not None:
        before = get_version(session, link.workshop_id, since)
        all_changes = changed_items(before, document)
        changes = {k: v for k, v in all_changes.items() if v != "removed"}
        removed = [i for i in iter_items(before) if all_changes.get(i["key"]) == "removed"]
    view = VerifierView(
        link_id=link.id,
        workshop_id=link.workshop_id,
        organisation=organisation,
        version=latest.number,
        published_at=latest.created_at,
        version_note=latest.note,
        document=document,
        since=since,
        changes=changes,
        removed=removed,
        expires_at=link.expires_at,
        notes=_notes_of(session, link.id, organisation),
    )
    if record:
        link.last_seen_version = latest.number
        link.last_seen_at = now
        session.commit()
    else:
        session.rollback()
    return view


def add_note(
    session: Session,
    token: str,
    *,
    item_key: str,
    kind: str,
    text: str | None,
    proposed_text: str | None = None,
    version: int | str,
    now: dt.datetime | None = None,
    client: str | None = None,
) -> int:
    """A verifier's comment on an item of the version they read, or a proposed new text for it.

    A sent note is recognised when the same form arrives twice (a double tap, a resend after a
    lost answer) and not stored again.
    """
    now = now or utcnow()
    link, _organisation = _active_link(session, token, now=now, client=client)
    try:
        number = int(version)
    except (TypeError, ValueError):
        raise WorkshopError("verification.error.version_not_found", number=version) from None
    # only a version this link was shown: the latest it saw, or one before it
    if not 1 <= number <= (link.last_seen_version or 0):
        raise WorkshopError("verification.error.version_not_found", number=number)
    items = {i["key"]: i for i in iter_items(get_version(session, link.workshop_id, number))}
    item = items.get(item_key)
    if item is None:
        raise WorkshopError("verification.error.item_not_found", version=number)
    if kind not in KINDS:
        raise WorkshopError("verification.error.kind")
    body, proposal = _clean(text), _clean(proposed_text)
    if kind == "comment":
        proposal = ""
        if not body:
            raise WorkshopError("verification.error.comment_empty")
    elif not proposal:
        raise WorkshopError("verification.error.proposal_empty")
    elif proposal == _clean(item.get("text")):
        raise WorkshopError("verification.error.proposal_same")
    if max(len(body), len(proposal)) > MAX_NOTE_TEXT:
        raise WorkshopError("verification.error.text_too_long", limit=MAX_NOTE_TEXT)
    existing = session.scalars(
        select(VerificationNote).where(
            VerificationNote.link_id == link.id,
            VerificationNote.item_key == item_key,
            VerificationNote.kind == kind,
            VerificationNote.text == body,
            VerificationNote.state == "open",
        )
    ).all()
    for note in existing:
        if (note.proposed_text or "") == proposal:
            session.rollback()
            return note.id
    open_notes = session.scalar(
        select(func.count())
        .select_from(VerificationNote)
        .where(VerificationNote.link_id == link.id, VerificationNote.state == "open")
    )
    if (open_notes or 0) >= MAX_OPEN_NOTES_PER_LINK:
        raise WorkshopError("verification.error.too_many_notes", limit=MAX_OPEN_NOTES_PER_LINK)
    note = VerificationNote(
        workshop_id=link.workshop_id,
        link_id=link.id,
        version_number=number,
        item_key=item_key,
        kind=kind,
        text=body,
        proposed_text=proposal or None,
        state="open",
        created_at=now,
    )
    session.add(note)
    session.commit()
    return note.id


# --- The facilitator's inbox ------------------------------------------------------------------


def _workshop_note(session: Session, workshop_id: int, note_id: int) -> VerificationNote:
    note = session.get(VerificationNote, note_id)
    if note is None or note.workshop_id != workshop_id:
        raise WorkshopError("verification.error.note_not_found")
    return note


def decide_note(
    session: Session,
    *,
    workshop_id: int,
    note_id: int,
    accept: bool,
    response: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Accept or reject a note, with an optional answer to the verifier. An accepted correction
    replaces the item's text in the draft; an accepted comment is shown with the item."""
    note = _workshop_note(session, workshop_id, note_id)
    answer = _clean(response)
    if len(answer) > MAX_RESPONSE:
        raise WorkshopError("verification.error.response_too_long", limit=MAX_RESPONSE)
    note.state = "accepted" if accept else "rejected"
    note.response = answer or None
    note.decided_at = now or utcnow()
    session.commit()


def reopen_note(session: Session, *, workshop_id: int, note_id: int) -> None:
    """Undo a decision: the note is open again (and out of the draft if it was accepted)."""
    note = _workshop_note(session, workshop_id, note_id)
    note.state = "open"
    note.decided_at = None
    session.commit()


def notes(session: Session, workshop_id: int) -> list[ItemNotes]:
    """Every note of a workshop grouped by report item, in the latest version's reading order
    (items gone from it last), with the organisation that wrote each."""
    rows = session.execute(
        select(VerificationNote, Organisation.name)
        .join(VerificationLink, VerificationLink.id == VerificationNote.link_id)
        .join(Organisation, Organisation.id == VerificationLink.organisation_id)
        .where(VerificationNote.workshop_id == workshop_id)
        .order_by(VerificationNote.created_at, VerificationNote.id)
    ).all()
    if not rows:
        return []
    documents: dict[int, dict[str, dict[str, Any]]] = {}

    def items_of(number: int) -> dict[str, dict[str, Any]]:
        if number not in documents:
            try:
                document = get_version(session, workshop_id, number)
            except WorkshopError:
                document = {"attendance": {"key": "attendance", "text": ""}}
            documents[number] = {i["key"]: i for i in iter_items(document)}
        return documents[number]

    latest = _latest(session, workshop_id)
    current = items_of(latest.number) if latest else {}
    grouped: dict[str, list[Note]] = {}
    for row, organisation in rows:
        seen = items_of(row.version_number).get(row.item_key)
        grouped.setdefault(row.item_key, []).append(
            _note(row, organisation, seen.get("text") if seen else None)
        )
    order = {key: n for n, key in enumerate(current)}

    def item_for(key: str, group: list[Note]) -> dict[str, Any]:
        if key in current:
            return current[key]
        return items_of(group[-1].version).get(key) or {"key": key, "text": ""}

    return [
        ItemNotes(key, item_for(key, group), key in current, group)
        for key, group in sorted(grouped.items(), key=lambda kv: order.get(kv[0], len(order)))
    ]
