"""The demo workshops: the seed's Habilitering example (WS1), the same workshop as it looks
after it was held (answers, discussion notes), and a children's journey (WS2)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from workshops import results, services, voting
from workshops.catalogue import ORGANISATIONS
from workshops.domain import may_answer
from workshops.models import Facilitator, Organisation, Statement, Workshop

DEMO_EMAIL = "demo@brygga.local"
DEMO_PASSWORD = "brygga-demo-2026"
DEMO_TITLE = "WS1 Förväntanskartläggning – Barn och unga (demo)"
HELD_TITLE = "WS1 Förväntanskartläggning – Barn och unga (genomförd, demo)"
WS2_TITLE = "WS2 Roller i patientresan – Barn och unga (demo)"
WS2_MAP = (
    Path(__file__).resolve().parent.parent / "journey_maps" / "examples" / "demo_children.json"
)
SUBJECT = "Habilitering"

# From seeds/003: "Exempel – WS1: uppdrag, målgrupp & förväntningar på varandras verksamheter".
STATEMENTS: list[tuple[str, str, list[str]]] = [
    (
        "target_group",
        "own",
        [
            "Barn och unga 0–18 år",
            "Barn och unga med neuropsykiatriska funktionsnedsättningar, intellektuell "
            "funktionsnedsättning (IF), rörelsenedsättning, förvärvade hjärnskador",
            "Barn med enbart autism t.o.m. 6 år",
        ],
    ),
    (
        "target_group",
        "others",
        [
            "0–18 år / 0–28 år",
            "Funktionsvariation, omfattande fysiska funktionsnedsättningar",
            "Autism 0–6 år",
            "Autism i kombination med utvecklingsstörning 0–17 år",
            "NPF",
            "Psykisk ohälsa + IF, autism eller fysiska funktionsnedsättningar",
            "Föräldrar",
            "Fastställda diagnoser som omfattas av Habiliteringens uppdrag",
            "Nedsatt rörelseförmåga, syn, hörsel",
            "Intellektuell funktionsnedsättning",
        ],
    ),
    (
        "mandate",
        "own",
        [
            "Habiliteringsinsatser till barn och unga med NPF och intellektuell "
            "funktionsnedsättning samt deras familjer",
            "Psykologisk behandling av lindrig till medelsvår psykisk ohälsa",
        ],
    ),
    (
        "mandate",
        "others",
        [
            "Utredning",
            "Bedömning av vårdbehov",
            "Behandling",
            "Habilitering",
            "Stödsamtal",
            "Vård och behandling av specialist, t.ex. sjukgymnast, arbetsterapeut, psykolog, "
            "sjuksköterska, läkare",
            "Utredning av barn för att ta ställning till om de hör till målgruppen",
            "Tvärprofessionella teaminsatser för barn och unga med psykisk ohälsa där "
            "funktionsnedsättningen är i fokus",
            "Samverkan med övriga verksamheter",
            "Hjälpmedel",
            "Information, rådgivning och stöd till anhöriga",
        ],
    ),
]


@dataclass(frozen=True)
class DemoInfo:
    workshop_id: int
    title: str
    join_code: str
    email: str
    password: str
    ws2_workshop_id: int
    ws2_join_code: str


def ensure_demo(session: Session) -> DemoInfo:
    """Create the demo facilitator and workshop if missing; safe to run every start."""
    fid = session.scalar(select(Facilitator.id).where(Facilitator.email == DEMO_EMAIL))
    if fid is None:
        # a project lead, so that the demo login shows every workshop and the projects
        fid = services.create_facilitator(
            session,
            email=DEMO_EMAIL,
            name="Demo facilitator",
            password=DEMO_PASSWORD,
            is_lead=True,
        )
    workshop = session.scalar(select(Workshop).where(Workshop.title == DEMO_TITLE))
    if workshop is None:
        wid = services.create_workshop(
            session,
            owner_id=fid,
            title=DEMO_TITLE,
            date=dt.date.today(),
            target_group="children",
        )
        for name, principal in ORGANISATIONS["children"]:
            services.add_organisation(session, workshop_id=wid, name=name, principal=principal)
        subject = session.scalar(
            select(Organisation.id).where(
                Organisation.workshop_id == wid, Organisation.name == SUBJECT
            )
        )
        assert subject is not None
        for topic, perspective, texts in STATEMENTS:
            services.add_statements(
                session,
                workshop_id=wid,
                organisation_id=subject,
                topic=topic,
                perspective=perspective,
                texts=texts,
            )
        workshop = session.get_one(Workshop, wid)
    ws2 = session.get_one(Workshop, ensure_ws2_demo(session, owner_id=fid))
    ensure_held_demo(session, owner_id=fid)
    return DemoInfo(
        workshop.id,
        workshop.title,
        workshop.join_code,
        DEMO_EMAIL,
        DEMO_PASSWORD,
        ws2.id,
        ws2.join_code,
    )


# Participants per organisation in the held demo, and their answers. Own descriptions are
# answered by the others, others' perceptions by Habilitering's four (see PRODUCT.md); the
# pattern below gives agreement, expectation gaps, split votes and items to discuss.
HELD_PEOPLE = {
    "Habilitering": 4,
    "BUP inkl. En väg in": 3,
    "Barn- och elevhälsa": 3,
    "Socialtjänst utredning/myndighet IFO": 3,
    "Vårdcentral med UPH": 2,
    "NSPH": 1,
}
HELD_ANSWERS = "yyyy yyyn yndd nnnn nnny yyyy ynnd nnnd yyyy dddy yynn nnnn ynyn yyyd nndd"
DEMO_CHOICES = {"y": "yes", "n": "no", "d": "discuss"}
HELD_NOTES = {
    "Stödsamtal": (
        "action",
        "Habiliteringen ger stödsamtal kopplat till funktionsnedsättningen, inte vid psykisk "
        "ohälsa i övrigt. Vårdcentralen och BUP tar fram en gemensam beskrivning till nästa möte.",
    ),
    "Autism 0–6 år": ("agreed", "Stämmer: barn med enbart autism tas emot till och med 6 år."),
}


def ensure_held_demo(session: Session, *, owner_id: int) -> int:
    """The WS1 demo as it looks after the workshop: answers from 15 participants in five
    organisations, closed statements, discussion notes. Gives the report and the exports
    something real to show."""
    existing = session.scalar(select(Workshop.id).where(Workshop.title == HELD_TITLE))
    if existing is not None:
        return existing
    wid = services.create_workshop(
        session,
        owner_id=owner_id,
        title=HELD_TITLE,
        date=dt.date.today() - dt.timedelta(days=14),
        target_group="children",
    )
    orgs = {
        name: services.add_organisation(session, workshop_id=wid, name=name, principal=principal)
        for name, principal in ORGANISATIONS["children"]
        if name in HELD_PEOPLE
    }
    for topic, perspective, texts in STATEMENTS:
        services.add_statements(
            session,
            workshop_id=wid,
            organisation_id=orgs[SUBJECT],
            topic=topic,
            perspective=perspective,
            texts=texts[:5],
        )
    people = {
        name: [
            voting.join(session, workshop_id=wid, organisation_id=orgs[name], display_name=None)
            for _ in range(HELD_PEOPLE[name])
        ]
        for name in orgs
    }
    patterns = HELD_ANSWERS.split()
    everyone = [(orgs[name], p) for name, joined in people.items() for p in joined]
    for _, person in everyone:
        voting.mark_present(session, person.participant_id)  # they were in the room
    for n, statement in enumerate(services.get_workshop(session, wid).statements):
        pattern = patterns[n % len(patterns)]
        vote_through(session, statement, everyone, pattern * len(everyone))
        if statement.text in HELD_NOTES:
            outcome, note = HELD_NOTES[statement.text]
            results.record_discussion(
                session, workshop_id=wid, statement_id=statement.id, note=note, outcome=outcome
            )
    return wid


def vote_through(
    session: Session, statement: Statement, people: list[tuple[int, voting.Joined]], answers: str
) -> None:
    """Open a demo statement, let those who may answer it answer in turn (the n-th of them gives
    the n-th of ``answers``: y, n or d; a shorter string means fewer answered) and close it."""
    voting.open_statements(session, workshop_id=statement.workshop_id, statement_ids=[statement.id])
    voters = [
        person
        for org, person in people
        if may_answer(
            perspective=statement.perspective,
            subject_org=statement.organisation_id,
            participant_org=org,
        )
    ]
    for n, (person, answer) in enumerate(zip(voters, answers, strict=False)):
        voting.cast_vote(
            session,
            participant_id=person.participant_id,
            statement_id=statement.id,
            choice=DEMO_CHOICES[answer],
            ballot_id=f"demo-{statement.id}-{n}",
        )
    voting.close_statement(session, workshop_id=statement.workshop_id, statement_id=statement.id)


def ensure_ws2_demo(session: Session, *, owner_id: int) -> int:
    """The WS2 demo: the children's catalogue, a map half built, open for placements."""
    from journey_maps.importing import import_journey
    from journey_maps.stages import set_journey_open
    from workshops.setup import prepare_ws2

    found = session.scalar(select(Workshop.id).where(Workshop.title == WS2_TITLE))
    if found is not None:
        return found
    wid = services.create_workshop(
        session,
        owner_id=owner_id,
        title=WS2_TITLE,
        date=dt.date.today(),
        target_group="children",
        kind="ws2",
    )
    prepare_ws2(session, workshop_id=wid)
    import_journey(session, workshop_id=wid, document=json.loads(WS2_MAP.read_text("utf-8")))
    set_journey_open(session, workshop_id=wid, is_open=True)
    return wid
