"""Use cases for a workshop's roles: copy the catalogue, custom roles, texts, validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from roles.catalogue import TIERS, load_catalogue
from roles.comments import shown_comments
from roles.models import RoleRevision, WorkshopRole
from workshops import domain
from workshops.domain import WorkshopError
from workshops.models import DEFAULT_ANONYMITY_THRESHOLD, Statement, Vote, Workshop
from workshops.services import in_workshop
from workshops.voting import count_tallies, role_card

NAME_LIMIT = 200
TEXT_LIMIT = 2000


def _workshop(session: Session, workshop_id: int) -> Workshop:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise WorkshopError("error.workshop_not_found")
    return workshop


def get_role(session: Session, workshop_id: int, role_id: int) -> WorkshopRole:
    return in_workshop(session, WorkshopRole, role_id, workshop_id, "error.role_not_found")


def list_roles(
    session: Session, workshop_id: int, *, included_only: bool = False
) -> list[WorkshopRole]:
    """The workshop's roles in running order (catalogue order, custom roles after)."""
    query = select(WorkshopRole).where(WorkshopRole.workshop_id == workshop_id)
    if included_only:
        query = query.where(WorkshopRole.included.is_(True))
    return list(session.scalars(query.order_by(WorkshopRole.position, WorkshopRole.id)))


def seed_roles(session: Session, *, workshop_id: int, include_optional: bool = False) -> int:
    """Copy the catalogue for the workshop's target group into the workshop; returns how many.

    Roles already there are left as they are (their texts may have been adjusted), so this is
    safe to run twice. The optional role is copied but left out unless ``include_optional``.
    """
    workshop = _workshop(session, workshop_id)
    catalogue = load_catalogue(workshop.target_group)
    have = {r.catalogue_code for r in list_roles(session, workshop_id)}
    added = 0
    for position, entry in enumerate(catalogue.roles, start=1):
        if entry.code in have:
            continue
        session.add(
            WorkshopRole(
                workshop_id=workshop_id,
                code=entry.code,
                catalogue_code=entry.code,
                catalogue_version=catalogue.version,
                name_sv=entry.name_sv,
                name_en=entry.name_en,
                does_sv=entry.does_sv,
                does_en=entry.does_en,
                examples_sv="\n".join(entry.examples_sv),
                examples_en="\n".join(entry.examples_en),
                tier=entry.tier,
                professional=entry.professional,
                coordinating=entry.coordinating,
                included=include_optional or not entry.optional,
                position=position,
            )
        )
        added += 1
    session.commit()
    return added


@dataclass(frozen=True)
class RoleTexts:
    """What a facilitator may write about a role, cleaned and checked."""

    name_sv: str
    name_en: str
    does_sv: str = ""
    does_en: str = ""
    examples_sv: tuple[str, ...] = field(default=())
    examples_en: tuple[str, ...] = field(default=())


def clean_texts(
    *,
    name_sv: str,
    name_en: str = "",
    does_sv: str = "",
    does_en: str = "",
    examples_sv: str = "",
    examples_en: str = "",
) -> RoleTexts:
    """Trim and check a role's texts; the English name falls back to the Swedish one.

    >>> clean_texts(name_sv=" Den som ringer ", examples_sv="kurator\\n\\n skolsköterska ")
    RoleTexts(name_sv='Den som ringer', name_en='Den som ringer', does_sv='', does_en='', \
examples_sv=('kurator', 'skolsköterska'), examples_en=())
    >>> clean_texts(name_sv="  ")
    Traceback (most recent call last):
    ...
    workshops.domain.WorkshopError: error.role_name_required
    """
    name = " ".join(name_sv.split())
    if not name:
        raise WorkshopError("error.role_name_required")
    english = " ".join(name_en.split()) or name
    if max(len(name), len(english)) > NAME_LIMIT:
        raise WorkshopError("error.role_name_too_long", limit=NAME_LIMIT)
    does = (does_sv.strip(), does_en.strip())
    if max(len(does[0]), len(does[1]), len(examples_sv), len(examples_en)) > TEXT_LIMIT:
        raise WorkshopError("error.role_text_too_long", limit=TEXT_LIMIT)

    def lines(block: str) -> tuple[str, ...]:
        return tuple(line.strip() for line in block.splitlines() if line.strip())

    return RoleTexts(name, english, does[0], does[1], lines(examples_sv), lines(examples_en))


def _check_tier(tier: str) -> str:
    if tier not in TIERS:
        raise WorkshopError("error.bad_tier")
    return tier


def add_custom_role(
    session: Session,
    *,
    workshop_id: int,
    texts: RoleTexts,
    tier: str = "primary",
    professional: bool = True,
    coordinating: bool = False,
) -> int:
    """Add a role of the workshop's own (code E1, E2, ...); the catalogue is not touched."""
    _workshop(session, workshop_id)
    roles = list_roles(session, workshop_id)
    if any(r.name_sv.casefold() == texts.name_sv.casefold() for r in roles):
        raise WorkshopError("error.role_exists", name=texts.name_sv)
    custom = [r for r in roles if r.catalogue_code is None]
    number = 1 + max((int(r.code[1:]) for r in custom if r.code[1:].isdigit()), default=0)
    role = WorkshopRole(
        workshop_id=workshop_id,
        code=f"E{number}",
        name_sv=texts.name_sv,
        name_en=texts.name_en,
        does_sv=texts.does_sv,
        does_en=texts.does_en,
        examples_sv="\n".join(texts.examples_sv),
        examples_en="\n".join(texts.examples_en),
        tier=_check_tier(tier),
        professional=professional,
        coordinating=coordinating,
        position=1 + max((r.position for r in roles), default=0),
    )
    session.add(role)
    session.commit()
    return role.id


def _remember(role: WorkshopRole, reason: str, statement_id: int | None = None) -> RoleRevision:
    return RoleRevision(
        role_id=role.id,
        name_sv=role.name_sv,
        name_en=role.name_en,
        does_sv=role.does_sv,
        does_en=role.does_en,
        reason=reason,
        statement_id=statement_id,
    )


def _apply(role: WorkshopRole, texts: RoleTexts) -> bool:
    changed = (role.name_sv, role.name_en, role.does_sv, role.does_en) != (
        texts.name_sv,
        texts.name_en,
        texts.does_sv,
        texts.does_en,
    )
    role.name_sv, role.name_en = texts.name_sv, texts.name_en
    role.does_sv, role.does_en = texts.does_sv, texts.does_en
    role.examples_sv = "\n".join(texts.examples_sv)
    role.examples_en = "\n".join(texts.examples_en)
    return changed


def update_role(
    session: Session,
    *,
    workshop_id: int,
    role_id: int,
    texts: RoleTexts,
    tier: str | None = None,
    professional: bool | None = None,
    coordinating: bool | None = None,
) -> None:
    """Adjust a role's texts for this workshop; the old wording is kept as a revision."""
    role = get_role(session, workshop_id, role_id)
    clash = session.scalar(
        select(WorkshopRole.id).where(
            WorkshopRole.workshop_id == workshop_id,
            WorkshopRole.id != role_id,
            func.lower(WorkshopRole.name_sv) == texts.name_sv.lower(),
        )
    )
    if clash is not None:
        raise WorkshopError("error.role_exists", name=texts.name_sv)
    before = _remember(role, "edited")
    if _apply(role, texts):
        session.add(before)
    if tier is not None:
        role.tier = _check_tier(tier)
    if professional is not None:
        role.professional = professional
    if coordinating is not None:
        role.coordinating = coordinating
    session.commit()


def set_included(session: Session, *, workshop_id: int, role_id: int, included: bool) -> None:
    """Take a role into the workshop or leave it out (a placed role cannot be left out)."""
    from journey_maps.rows import RolePlacement  # the journey builds on roles, not the reverse

    role = get_role(session, workshop_id, role_id)
    if not included:
        placed = session.scalar(
            select(func.count())
            .select_from(RolePlacement)
            .where(RolePlacement.role_id == role_id, RolePlacement.removed_at.is_(None))
        )
        if placed:
            raise WorkshopError("error.role_is_placed", count=placed)
    role.included = included
    session.commit()


def restore_revision(session: Session, *, workshop_id: int, revision_id: int) -> None:
    """Put an earlier wording back (the current one is kept as a revision in turn)."""
    revision = session.get(RoleRevision, revision_id)
    if revision is None:
        raise WorkshopError("error.role_not_found")
    role = get_role(session, workshop_id, revision.role_id)
    session.add(_remember(role, "edited"))
    role.name_sv, role.name_en = revision.name_sv, revision.name_en
    role.does_sv, role.does_en = revision.does_sv, revision.does_en
    session.commit()


def revisions(session: Session, *, workshop_id: int, role_id: int) -> list[RoleRevision]:
    """Earlier wordings of a role, newest first."""
    get_role(session, workshop_id, role_id)
    return list(
        session.scalars(
            select(RoleRevision)
            .where(RoleRevision.role_id == role_id)
            .order_by(RoleRevision.id.desc())
        )
    )


# --- Validation: each role answered Yes / No / Let's discuss, with a comment -------------------


def create_validation_statements(session: Session, *, workshop_id: int) -> int:
    """One role statement per included role that has none yet, after the other statements.

    They run like WS1 statements (open, vote, reveal, close); everyone may answer them.
    """
    _workshop(session, workshop_id)
    have = set(
        session.scalars(
            select(Statement.role_id).where(
                Statement.workshop_id == workshop_id, Statement.role_id.is_not(None)
            )
        )
    )
    position = session.scalar(
        select(func.max(Statement.position)).where(Statement.workshop_id == workshop_id)
    )
    position = position or 0
    added = 0
    for role in list_roles(session, workshop_id, included_only=True):
        if role.id in have:
            continue
        position += 1
        session.add(
            Statement(
                workshop_id=workshop_id,
                role_id=role.id,
                topic="role",
                perspective="others",
                text=role.name_sv,
                position=position,
            )
        )
        added += 1
    session.commit()
    return added


@dataclass(frozen=True)
class RoleOutcome:
    """How the room judged one role: its tally, the comments (no names) and the outcome."""

    role: dict[str, Any]
    statement_id: int | None
    state: str | None
    tally: domain.Tally
    comments: tuple[tuple[str, str], ...]  # (choice, comment)
    outcome: str | None
    note: str | None
    revised: bool
    threshold: int  # the workshop's anonymity threshold

    @property
    def agreement(self) -> float | None:
        return self.tally.share("yes") if self.tally.total else None

    @property
    def comment_texts(self) -> tuple[str, ...]:
        """The comments as shown anywhere: texts only, alphabetically (``shown_comments``)."""
        return shown_comments(self.comments)

    @property
    def disclosed(self) -> bool:
        """Whether enough answered for how they answered to be shown (the threshold)."""
        return domain.disclosed(self.tally, self.threshold)

    @property
    def needs_attention(self) -> bool:
        """Not a clear yes (split, mostly no or Let's discuss), or commented on.

        Any comment flags the role, whatever answer it came with: were only comments with a No
        to flag it, the flag would tell how the one who commented answered. Below the
        anonymity threshold nothing is read from the answers at all (the flag would tell how
        the few answered).
        """
        t = self.tally
        if not t.total:
            return False
        if not self.disclosed:
            return bool(self.comments)
        return t.leading() != "yes" or domain.is_split(t) or bool(self.comments)


def validation_outcomes(session: Session, *, workshop_id: int) -> list[RoleOutcome]:
    """Every included role with the room's answers to its validation statement."""
    workshop = session.get(Workshop, workshop_id)
    threshold = workshop.anonymity_threshold if workshop else DEFAULT_ANONYMITY_THRESHOLD
    roles = list_roles(session, workshop_id, included_only=True)
    statements = {
        s.role_id: s
        for s in session.scalars(
            select(Statement)
            .where(Statement.workshop_id == workshop_id, Statement.topic == "role")
            .order_by(Statement.id)
        )
    }
    tallies = count_tallies(session, [s.id for s in statements.values()])
    comments: dict[int, list[tuple[str, str]]] = {}
    for sid, choice, comment in session.execute(
        select(Vote.statement_id, Vote.choice, Vote.comment)
        .where(Vote.statement_id.in_([s.id for s in statements.values()]))
        .where(Vote.comment.is_not(None))
        .order_by(Vote.updated_at)
    ):
        comments.setdefault(sid, []).append((choice, comment or ""))
    revised = set(
        session.scalars(
            select(RoleRevision.role_id).where(
                RoleRevision.reason == "validation",
                RoleRevision.role_id.in_([r.id for r in roles]),
            )
        )
    )
    out = []
    for role in roles:
        s = statements.get(role.id)
        out.append(
            RoleOutcome(
                role=role_card(role),
                statement_id=s.id if s else None,
                state=s.state if s else None,
                tally=tallies[s.id] if s else domain.Tally(),
                comments=tuple(comments.get(s.id, [])) if s else (),
                outcome=s.outcome if s else None,
                note=s.discussion_note if s else None,
                revised=role.id in revised,
                threshold=threshold,
            )
        )
    return out


def record_validation(
    session: Session,
    *,
    workshop_id: int,
    role_id: int,
    outcome: str,
    note: str = "",
    texts: RoleTexts | None = None,
) -> None:
    """The facilitator's conclusion on a role: agreed, reworded (with the new wording), parked
    or an action. A new wording replaces the role's texts in this workshop; the old ones stay
    as a revision tied to the validation statement."""
    role = get_role(session, workshop_id, role_id)
    if outcome not in domain.OUTCOMES:
        raise WorkshopError("error.bad_outcome")
    note = note.strip()
    if len(note) > TEXT_LIMIT:
        raise WorkshopError("error.note_too_long", limit=TEXT_LIMIT)
    statement = session.scalar(
        select(Statement).where(Statement.workshop_id == workshop_id, Statement.role_id == role_id)
    )
    if outcome == "reworded":
        if texts is None:
            raise WorkshopError("error.rewording_unchanged")
        before = _remember(role, "validation", statement.id if statement else None)
        if not _apply(role, texts):
            raise WorkshopError("error.rewording_unchanged")
        session.add(before)
    if statement is not None:
        statement.outcome = outcome
        statement.discussion_note = note or None
    session.commit()
