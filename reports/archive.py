"""The complete workshop archive ``brygga.workshop/1``: export it, import it as a new workshop.

The archive carries everything the results are computed from, but no person: answers are
counts per (statement, answering organisation), and the importer recreates as many anonymous
placeholder participants per organisation as took part to carry them, so that
``workshop_results``, ``organisation_breakdown``, the role outcomes and the journey analysis
come out the same. Ids in the archive are its own (``o1``, ``st1``, ``s1``, ``p1``...), given in
a fixed order, so exporting an imported workshop gives the same document again. The format is
described in docs/workshop-format.md; the validation lives in ``reports.archive_check``.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from journey_maps.board import journey_document, split_notes
from journey_maps.model import Journey
from journey_maps.rows import (
    FindingTriage,
    Handoff,
    JourneyStage,
    JourneyTransition,
    PlacementReaction,
    RolePlacement,
    TransitionOwner,
)
from reports.archive_check import (
    FORMAT,
    ArchiveError,
    check_archive,
    lines,
    moment_text,
    parse_moment,
    rename_fingerprint,
)
from roles.models import RoleRevision, WorkshopRole
from roles.services import list_roles
from workshops import domain
from workshops.models import (
    Organisation,
    Participant,
    Statement,
    StatementProposal,
    SurveyAnswer,
    Vote,
    Workshop,
    utcnow,
)
from workshops.services import get_workshop
from workshops.voting import hash_token

__all__ = ["FORMAT", "ArchiveError", "archive_json", "export_workshop", "import_workshop"]


def archive_json(document: dict[str, Any]) -> bytes:
    """The archive as the file people download: pretty-printed UTF-8, å/ä/ö as they are."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# --- Export -----------------------------------------------------------------------------------


def export_workshop(
    session: Session, workshop_id: int, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The whole workshop as a ``brygga.workshop/1`` document (``now``: the export time).

    No participant appears in it: no names, no join tokens, no ballot ids, no join code.
    Report versions, verification links and notes, saved map versions, removed (restorable)
    stages, placements and handoffs and the facilitator's edit log are left out.
    """
    workshop = get_workshop(session, workshop_id)
    orgs = sorted(
        session.scalars(select(Organisation).where(Organisation.workshop_id == workshop_id)),
        key=lambda o: (o.name.casefold(), o.name),
    )
    org_key = {o.id: f"o{i}" for i, o in enumerate(orgs, start=1)}
    people = dict(
        session.execute(
            select(Participant.organisation_id, func.count())
            .where(Participant.workshop_id == workshop_id)
            .group_by(Participant.organisation_id)
        ).all()
    )
    statements = list(
        session.scalars(
            select(Statement)
            .where(Statement.workshop_id == workshop_id)
            .order_by(Statement.position, Statement.id)
        )
    )
    st_key = {s.id: f"st{i}" for i, s in enumerate(statements, start=1)}
    roles = list_roles(session, workshop_id)
    code = {r.id: r.code for r in roles}
    return {
        "format": FORMAT,
        "exported_at": moment_text((now or utcnow()).replace(microsecond=0)),
        "workshop": {
            "title": workshop.title,
            "date": workshop.date.isoformat() if workshop.date else None,
            "kind": workshop.kind,
            "target_group": workshop.target_group,
            "anonymity_threshold": workshop.anonymity_threshold,
            "everyone_may_answer": workshop.everyone_may_answer,
            "survey_open": workshop.survey_open,
            "journey_open": workshop.journey_open,
            "current_statement": st_key.get(workshop.current_statement_id or -1),
        },
        "organisations": [
            {
                "id": org_key[o.id],
                "name": o.name,
                "principal": o.principal,
                "participants": people.get(o.id, 0),
            }
            for o in orgs
        ],
        "statements": _statements(session, statements, st_key, org_key, code),
        "proposals": _proposals(session, workshop_id, st_key, org_key),
        "roles": _roles(session, roles, st_key),
        "journey": _journey(session, workshop_id, org_key, [r.code for r in roles]),
    }


def _answer_counts(
    session: Session, model: type[Vote] | type[SurveyAnswer], statement_ids: list[int]
) -> dict[int, dict[int, Counter[str]]]:
    """statement id → answering organisation id → counts of each choice."""
    counts: dict[int, dict[int, Counter[str]]] = defaultdict(dict)
    for sid, oid, choice, n in session.execute(
        select(model.statement_id, Participant.organisation_id, model.choice, func.count())
        .join(Participant, Participant.id == model.participant_id)
        .where(model.statement_id.in_(statement_ids))
        .group_by(model.statement_id, Participant.organisation_id, model.choice)
    ):
        counts[sid].setdefault(oid, Counter())[choice] = n
    return counts


def _per_organisation(
    counts: dict[int, Counter[str]], org_key: dict[int, str]
) -> list[dict[str, Any]]:
    ordered = sorted(counts, key=lambda oid: int(org_key[oid][1:]))
    return [
        {"organisation": org_key[oid], **{c: counts[oid][c] for c in domain.CHOICES}}
        for oid in ordered
    ]


def _statements(
    session: Session,
    statements: list[Statement],
    st_key: dict[int, str],
    org_key: dict[int, str],
    code: dict[int, str],
) -> list[dict[str, Any]]:
    ids = [s.id for s in statements]
    votes = _answer_counts(session, Vote, ids)
    survey = _answer_counts(session, SurveyAnswer, ids)
    comments: dict[int, list[dict[str, str | None]]] = defaultdict(list)
    for sid, choice, text in session.execute(
        select(Vote.statement_id, Vote.choice, Vote.comment)
        .where(Vote.statement_id.in_(ids), Vote.comment.is_not(None))
        .order_by(Vote.updated_at, Vote.id)
    ):
        comments[sid].append({"choice": choice, "text": text})
    return [
        {
            "id": st_key[s.id],
            "organisation": org_key.get(s.organisation_id or -1),
            "role": code.get(s.role_id or -1),
            "topic": s.topic,
            "perspective": s.perspective,
            "text": s.text,
            "hidden": s.hidden,
            "state": s.state,
            "revealed": s.revealed,
            "opened_at": moment_text(s.opened_at),
            "closed_at": moment_text(s.closed_at),
            "previous": st_key.get(s.previous_id or -1),
            "outcome": s.outcome,
            "note": s.discussion_note,
            "answers": _per_organisation(votes.get(s.id, {}), org_key),
            "survey": _per_organisation(survey.get(s.id, {}), org_key),
            # the facilitator sees each comment with its answer (a comment with a No marks a
            # role for attention); no organisation, no name
            "comments": comments.get(s.id, []),
        }
        for s in statements
    ]


def _proposals(
    session: Session, workshop_id: int, st_key: dict[int, str], org_key: dict[int, str]
) -> list[dict[str, Any]]:
    return [
        {
            "organisation": org_key[p.organisation_id],
            "proposer": org_key[p.proposer_organisation_id],
            "topic": p.topic,
            "text": p.text,
            "state": p.state,
            "statement": st_key.get(p.statement_id or -1),
            "created_at": moment_text(p.created_at),
            "decided_at": moment_text(p.decided_at),
        }
        for p in session.scalars(
            select(StatementProposal)
            .where(StatementProposal.workshop_id == workshop_id)
            .order_by(StatementProposal.id)
        )
    ]


def _roles(
    session: Session, roles: list[WorkshopRole], st_key: dict[int, str]
) -> list[dict[str, Any]]:
    revisions: dict[int, list[RoleRevision]] = defaultdict(list)
    for revision in session.scalars(
        select(RoleRevision)
        .where(RoleRevision.role_id.in_([r.id for r in roles]))
        .order_by(RoleRevision.id)
    ):
        revisions[revision.role_id].append(revision)
    return [
        {
            "code": r.code,
            "catalogue_code": r.catalogue_code,
            "catalogue_version": r.catalogue_version,
            "name_sv": r.name_sv,
            "name_en": r.name_en,
            "does_sv": r.does_sv,
            "does_en": r.does_en,
            "examples_sv": lines(r.examples_sv),
            "examples_en": lines(r.examples_en),
            "tier": r.tier,
            "professional": r.professional,
            "coordinating": r.coordinating,
            "included": r.included,
            "revisions": [
                {
                    "name_sv": v.name_sv,
                    "name_en": v.name_en,
                    "does_sv": v.does_sv,
                    "does_en": v.does_en,
                    "reason": v.reason,
                    "statement": st_key.get(v.statement_id or -1),
                    "created_at": moment_text(v.created_at),
                }
                for v in revisions[r.id]
            ],
        }
        for r in roles
    ]


def _journey(
    session: Session, workshop_id: int, org_key: dict[int, str], role_order: list[str]
) -> dict[str, Any] | None:
    """The map as ``brygga.journey/1`` with the archive's own ids, the reactions to each
    placement per organisation, and the verdicts on findings (fingerprints renamed to match)."""
    document = journey_document(session, workshop_id)
    if not document["stages"]:
        return None
    stage = {s["id"]: f"s{i}" for i, s in enumerate(document["stages"], start=1)}
    placement = {p["id"]: f"p{i}" for i, p in enumerate(document["placements"], start=1)}
    handoff = {h["id"]: f"h{i}" for i, h in enumerate(document["handoffs"], start=1)}
    transition_order = {(t["from"], t["to"]): i for i, t in enumerate(document["transitions"])}
    role_index = {c: i for i, c in enumerate(role_order)}
    document["owners"] = sorted(
        document["owners"],
        key=lambda o: (transition_order[(o["from"], o["to"])], role_index.get(o["role"], 0)),
    )
    renamed = {
        **document,
        "stages": [s | {"id": stage[s["id"]]} for s in document["stages"]],
        "transitions": [
            t | {"from": stage[t["from"]], "to": stage[t["to"]]} for t in document["transitions"]
        ],
        "placements": [
            p | {"stage": stage[p["stage"]], "id": placement[p["id"]]}
            for p in document["placements"]
        ],
        "handoffs": [
            h
            | {
                "from_stage": stage[h["from_stage"]],
                "to_stage": stage[h["to_stage"]],
                "id": handoff[h["id"]],
            }
            for h in document["handoffs"]
        ],
        "owners": [
            o | {"from": stage[o["from"]], "to": stage[o["to"]]} for o in document["owners"]
        ],
    }
    reactions: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for pid, oid, kind, n in session.execute(
        select(
            PlacementReaction.placement_id,
            Participant.organisation_id,
            PlacementReaction.kind,
            func.count(),
        )
        .join(Participant, Participant.id == PlacementReaction.participant_id)
        .join(RolePlacement, RolePlacement.id == PlacementReaction.placement_id)
        .where(RolePlacement.workshop_id == workshop_id)
        .group_by(
            PlacementReaction.placement_id, Participant.organisation_id, PlacementReaction.kind
        )
    ):
        if f"p{pid}" in placement:
            reactions[(placement[f"p{pid}"], org_key[oid])][kind] = n
    verdicts = []
    for row in session.scalars(
        select(FindingTriage).where(FindingTriage.workshop_id == workshop_id)
    ):
        fingerprint = rename_fingerprint(row.fingerprint, stage)
        if fingerprint is not None:  # a verdict on a removed stage goes with the stage
            verdicts.append(
                {"fingerprint": fingerprint, "status": row.status, "reason": row.reason}
            )
    return {
        "map": renamed,
        "reactions": [
            {"placement": p, "organisation": o, "agree": c["agree"], "dispute": c["dispute"]}
            for (p, o), c in sorted(
                reactions.items(), key=lambda item: (int(item[0][0][1:]), int(item[0][1][1:]))
            )
        ],
        "triage": sorted(verdicts, key=lambda v: v["fingerprint"]),
    }


# --- Import -----------------------------------------------------------------------------------


def import_workshop(session: Session, document: Any, *, owner_id: int | None = None) -> int:
    """Create a new workshop (with a new join code) from a ``brygga.workshop/1`` document and
    return its id.

    All or nothing: the whole document is validated first, and ``ArchiveError`` lists every
    problem (wrong format or version, missing keys, broken references) before anything is
    written; the rows are then written in one transaction.
    """
    journey = check_archive(document)
    try:
        workshop_id = _Import(session, document, owner_id).run(journey)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return workshop_id


class _Import:
    """Writes one checked archive; every method adds rows, nothing commits."""

    def __init__(self, session: Session, document: dict[str, Any], owner_id: int | None) -> None:
        self.session = session
        self.doc = document
        self.owner_id = owner_id
        self.now = utcnow()
        self.orgs: dict[str, Organisation] = {}
        self.people: dict[str, list[Participant]] = {}
        self.roles: dict[str, WorkshopRole] = {}
        self.statements: dict[str, Statement] = {}

    def run(self, journey: Journey | None) -> int:
        workshop = self._workshop()
        self._organisations(workshop.id)
        self._roles(workshop.id)
        self._statements(workshop)
        self._answers()
        self._proposals(workshop.id)
        self._revisions()
        if journey is not None:
            self._journey(workshop.id, journey)
        self.session.flush()
        self._presence(workshop.id)
        return workshop.id

    def _presence(self, workshop_id: int) -> None:
        """A placeholder counts as in the room, as migration 0004 decided for old rows, unless
        it only carries survey answers (someone who answered ahead and never voted live)."""
        self.session.execute(
            update(Participant)
            .where(
                Participant.workshop_id == workshop_id,
                exists().where(SurveyAnswer.participant_id == Participant.id),
                ~exists().where(Vote.participant_id == Participant.id),
            )
            .values(present_at=None, here_at=None)
        )

    def _workshop(self) -> Workshop:
        w = self.doc["workshop"]
        workshop = Workshop(
            title=w["title"],
            date=dt.date.fromisoformat(w["date"]) if w.get("date") else None,
            kind=w["kind"],
            target_group=w["target_group"],
            anonymity_threshold=w["anonymity_threshold"],
            everyone_may_answer=w.get("everyone_may_answer", False),
            survey_open=w.get("survey_open", False),
            journey_open=w.get("journey_open", False),
            owner_id=self.owner_id,
            join_code=_free_join_code(self.session),
        )
        self.session.add(workshop)
        self.session.flush()
        return workshop

    def _organisations(self, workshop_id: int) -> None:
        for o in self.doc["organisations"]:
            self.orgs[o["id"]] = Organisation(
                workshop_id=workshop_id, name=o["name"], principal=o["principal"]
            )
        self.session.add_all(self.orgs.values())
        self.session.flush()
        for o in self.doc["organisations"]:
            # anonymous placeholders: a token nobody knows, no name; they only carry answers
            self.people[o["id"]] = [
                Participant(
                    workshop_id=workshop_id,
                    organisation_id=self.orgs[o["id"]].id,
                    token_hash=hash_token(secrets.token_urlsafe(24)),
                    joined_at=self.now,
                    present_at=self.now,
                    here_at=self.now,
                )
                for _ in range(o.get("participants", 0))
            ]
            self.session.add_all(self.people[o["id"]])
        self.session.flush()

    def _roles(self, workshop_id: int) -> None:
        for position, r in enumerate(self.doc.get("roles") or [], start=1):
            self.roles[r["code"]] = WorkshopRole(
                workshop_id=workshop_id,
                code=r["code"],
                catalogue_code=r.get("catalogue_code"),
                catalogue_version=r.get("catalogue_version"),
                name_sv=r["name_sv"],
                name_en=r.get("name_en") or r["name_sv"],
                does_sv=r.get("does_sv", ""),
                does_en=r.get("does_en", ""),
                examples_sv="\n".join(r.get("examples_sv") or []),
                examples_en="\n".join(r.get("examples_en") or []),
                tier=r["tier"],
                professional=r.get("professional", True),
                coordinating=r.get("coordinating", False),
                included=r.get("included", True),
                position=position,
            )
        self.session.add_all(self.roles.values())
        self.session.flush()

    def _statements(self, workshop: Workshop) -> None:
        for position, s in enumerate(self.doc["statements"], start=1):
            org, role = s.get("organisation"), s.get("role")
            self.statements[s["id"]] = Statement(
                workshop_id=workshop.id,
                organisation_id=self.orgs[org].id if org else None,
                role_id=self.roles[role].id if role else None,
                topic=s["topic"],
                perspective=s["perspective"],
                text=s["text"],
                position=position,
                hidden=s.get("hidden", False),
                state=s.get("state", "draft"),
                revealed=s.get("revealed", False),
                opened_at=_moment(s.get("opened_at")),
                closed_at=_moment(s.get("closed_at")),
                outcome=s.get("outcome"),
                discussion_note=s.get("note"),
            )
        self.session.add_all(self.statements.values())
        self.session.flush()
        for s in self.doc["statements"]:
            if s.get("previous"):
                self.statements[s["id"]].previous_id = self.statements[s["previous"]].id
        current = self.doc["workshop"].get("current_statement")
        workshop.current_statement_id = self.statements[current].id if current else None

    def _voters(self, answers: list[dict[str, Any]]) -> Iterator[tuple[Participant, str]]:
        """Each answer given to its own placeholder of the answering organisation."""
        for a in answers:
            people = iter(self.people[a["organisation"]])
            for choice in domain.CHOICES:
                for _ in range(a.get(choice, 0)):
                    yield next(people), choice

    def _answers(self) -> None:
        for s in self.doc["statements"]:
            sid = self.statements[s["id"]].id
            votes = [
                Vote(
                    statement_id=sid,
                    participant_id=person.id,
                    choice=choice,
                    ballot_id="import-" + secrets.token_urlsafe(16),
                    updated_at=self.now,
                )
                for person, choice in self._voters(s.get("answers") or [])
            ]
            # the comments in their order (the role outcome lists them by time of answer)
            for n, comment in enumerate(s.get("comments") or [], start=1):
                vote = next(v for v in votes if v.choice == comment["choice"] and not v.comment)
                vote.comment = comment["text"]
                vote.updated_at = self.now + dt.timedelta(seconds=n)
            self.session.add_all(votes)
            self.session.add_all(
                SurveyAnswer(
                    statement_id=sid, participant_id=person.id, choice=choice, updated_at=self.now
                )
                for person, choice in self._voters(s.get("survey") or [])
            )

    def _proposals(self, workshop_id: int) -> None:
        for p in self.doc.get("proposals") or []:
            statement = p.get("statement")
            self.session.add(
                StatementProposal(
                    workshop_id=workshop_id,
                    organisation_id=self.orgs[p["organisation"]].id,
                    proposer_organisation_id=self.orgs[p["proposer"]].id,
                    topic=p["topic"],
                    text=p["text"],
                    state=p.get("state", "proposed"),
                    statement_id=self.statements[statement].id if statement else None,
                    created_at=_moment(p.get("created_at")) or self.now,
                    decided_at=_moment(p.get("decided_at")),
                )
            )

    def _revisions(self) -> None:
        for r in self.doc.get("roles") or []:
            for v in r.get("revisions") or []:
                statement = v.get("statement")
                self.session.add(
                    RoleRevision(
                        role_id=self.roles[r["code"]].id,
                        name_sv=v["name_sv"],
                        name_en=v["name_en"],
                        does_sv=v.get("does_sv", ""),
                        does_en=v.get("does_en", ""),
                        reason=v["reason"],
                        statement_id=self.statements[statement].id if statement else None,
                        created_at=_moment(v.get("created_at")) or self.now,
                    )
                )

    def _journey(self, workshop_id: int, journey: Journey) -> None:
        session = self.session
        stages = [
            JourneyStage(
                workshop_id=workshop_id,
                label=s.label,
                label_en=s.label_en,
                kind=s.kind,
                position=position,
            )
            for position, s in enumerate(journey.stages, start=1)
        ]
        session.add_all(stages)
        session.flush()
        stage = {s.id: row.id for s, row in zip(journey.stages, stages, strict=True)}
        transitions = [
            JourneyTransition(
                workshop_id=workshop_id,
                source_id=stage[t.source],
                target_id=stage[t.target],
                kind=t.kind,
                label=t.label,
                label_en=t.label_en,
            )
            for t in journey.transitions
        ]
        session.add_all(transitions)
        placements = []
        org_by_name = {o.name: o.id for o in self.orgs.values()}
        for p in journey.placements:
            needs, obstacles = split_notes(p.notes)
            placements.append(
                RolePlacement(
                    workshop_id=workshop_id,
                    role_id=self.roles[p.role].id,
                    stage_id=stage[p.stage],
                    organisation_id=org_by_name.get(p.organisation or ""),
                    needs=needs,
                    obstacles=obstacles,
                    placed_by_org_id=org_by_name.get(p.placed_by or ""),
                )
            )
        session.add_all(placements)
        session.flush()
        transition = {
            t.key: row.id for t, row in zip(journey.transitions, transitions, strict=True)
        }
        session.add_all(
            Handoff(
                workshop_id=workshop_id,
                transition_id=transition[h.transition],
                from_role_id=self.roles[h.from_role].id,
                to_role_id=self.roles[h.to_role].id,
                mode=h.mode,
                acknowledged=h.acknowledged,
                notes=h.notes,
            )
            for h in journey.handoffs
        )
        session.add_all(
            TransitionOwner(
                transition_id=transition[(o.source, o.target)], role_id=self.roles[o.role].id
            )
            for o in journey.owners
        )
        placed = {p.id: row for p, row in zip(journey.placements, placements, strict=True)}
        data = self.doc["journey"]
        for r in data.get("reactions") or []:
            people = iter(self.people[r["organisation"]])
            for kind in ("agree", "dispute"):
                for _ in range(r.get(kind, 0)):
                    session.add(
                        PlacementReaction(
                            placement_id=placed[r["placement"]].id,
                            participant_id=next(people).id,
                            organisation_id=self.orgs[r["organisation"]].id,
                            kind=kind,
                        )
                    )
        names = {local: f"s{row_id}" for local, row_id in stage.items()}
        for t in data.get("triage") or []:
            session.add(
                FindingTriage(
                    workshop_id=workshop_id,
                    fingerprint=rename_fingerprint(t["fingerprint"], names) or t["fingerprint"],
                    status=t["status"],
                    reason=t.get("reason"),
                    updated_at=self.now,
                )
            )


def _moment(value: str | None) -> dt.datetime | None:
    return parse_moment(value) if value else None


def _free_join_code(session: Session) -> str:
    for _ in range(50):
        code = domain.new_join_code()
        if session.scalar(select(Workshop.id).where(Workshop.join_code == code)) is None:
            return code
    raise RuntimeError("could not find a free join code")  # 25^6 codes: practically unreachable
