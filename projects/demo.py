"""The demo project "Ingen ska falla mellan stolarna": the demo workshops, plus a held WS1 and a
WS2 map for adults so that children and adults stand side by side."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from projects.services import assign_workshop, create_project
from workshops import demo, services, voting
from workshops.models import Facilitator, Project, Statement, Workshop

PROJECT_NAME = "Ingen ska falla mellan stolarna"
PROJECT_DESCRIPTION = (
    "Workshopserien om ansvaret för glappen mellan verksamheterna: WS1 förväntanskartläggning "
    "och WS2 roller i patientresan, för barn och unga och för vuxna (demo)."
)
ADULTS_WS1_TITLE = "WS1 Förväntanskartläggning – Vuxna (genomförd, demo)"
ADULTS_WS2_TITLE = "WS2 Roller i patientresan – Vuxna (demo)"
ADULTS_MAP = Path(__file__).resolve().parent / "demo_adults.json"

# (organisation, principal, participants)
ADULT_ORGANISATIONS = [
    ("Habilitering", "region", 3),
    ("Psykiatri Affektiva", "region", 3),
    ("Socialtjänst myndighet", "municipality", 3),
    ("VC Närhälsan", "region", 3),
    ("NSPH", "civil_society", 2),
    ("Sprututbytet", "region", 1),
]
# (subject, topic, perspective, text, answers): the n-th of those who may answer gives the n-th
# answer (y/n/d); a shorter string means fewer answered. "NPF" and "Bedömning av vårdbehov" are
# gaps for Habilitering as in the children's demo, "Samordning av insatser (SIP)" for two
# organisations; the last statement has two answers only, under the threshold of 3: withheld.
ADULT_STATEMENTS = [
    (
        "Habilitering",
        "target_group",
        "own",
        "Vuxna med autism, intellektuell funktionsnedsättning eller rörelsenedsättning",
        "yyyyyyyyynyd",
    ),
    (
        "Habilitering",
        "mandate",
        "own",
        "Habiliteringsinsatser och stöd till närstående",
        "yyyyyyny",
    ),
    ("Habilitering", "target_group", "others", "NPF", "nnd"),
    ("Habilitering", "mandate", "others", "Bedömning av vårdbehov", "nny"),
    ("Habilitering", "mandate", "others", "Hjälpmedel", "yyy"),
    (
        "Psykiatri Affektiva",
        "target_group",
        "own",
        "Vuxna med svår eller långvarig depression och bipolär sjukdom",
        "yyyyyyynyyyd",
    ),
    ("Psykiatri Affektiva", "mandate", "others", "Samordning av insatser (SIP)", "nnn"),
    ("Psykiatri Affektiva", "mandate", "others", "Stödsamtal", "yyd"),
    (
        "Socialtjänst myndighet",
        "mandate",
        "own",
        "Utreder och beslutar om bistånd enligt SoL",
        "yyyyynyyyyyy",
    ),
    ("Socialtjänst myndighet", "mandate", "others", "Samordning av insatser (SIP)", "nny"),
    ("Socialtjänst myndighet", "target_group", "others", "Personer under 18 år med missbruk", "nn"),
]


def ensure_demo_project(session: Session) -> int:
    """Create the demo project with every demo workshop in it, once; returns its id.

    Runs after ``workshops.demo.ensure_demo``; a project that exists is left as the
    facilitator has made it.
    """
    found = session.scalar(select(Project.id).where(Project.name == PROJECT_NAME))
    if found is not None:
        return found
    owner = session.scalar(select(Facilitator.id).where(Facilitator.email == demo.DEMO_EMAIL))
    ensure_adults_ws1_demo(session, owner_id=owner)
    ensure_adults_ws2_demo(session, owner_id=owner)
    pid = create_project(session, name=PROJECT_NAME, description=PROJECT_DESCRIPTION)
    titles = (demo.DEMO_TITLE, demo.HELD_TITLE, demo.WS2_TITLE, ADULTS_WS1_TITLE, ADULTS_WS2_TITLE)
    # a demo workshop the facilitator has put into another project stays there
    ungrouped = session.scalars(
        select(Workshop.id).where(Workshop.title.in_(titles), Workshop.project_id.is_(None))
    ).all()
    for wid in ungrouped:
        assign_workshop(session, project_id=pid, workshop_id=wid)
    return pid


def ensure_adults_ws1_demo(session: Session, *, owner_id: int | None) -> int:
    """A held WS1 for adults: 15 participants in six organisations, every statement closed."""
    found = session.scalar(select(Workshop.id).where(Workshop.title == ADULTS_WS1_TITLE))
    if found is not None:
        return found
    wid = services.create_workshop(
        session,
        owner_id=owner_id,
        title=ADULTS_WS1_TITLE,
        date=dt.date.today() - dt.timedelta(days=7),
        target_group="adults",
    )
    orgs = {
        name: services.add_organisation(session, workshop_id=wid, name=name, principal=principal)
        for name, principal, _ in ADULT_ORGANISATIONS
    }
    people = [
        (org, voting.join(session, workshop_id=wid, organisation_id=org, display_name=None))
        for name, _, n in ADULT_ORGANISATIONS
        for org in [orgs[name]] * n
    ]
    for subject, topic, perspective, text, answers in ADULT_STATEMENTS:
        [sid] = services.add_statements(
            session,
            workshop_id=wid,
            organisation_id=orgs[subject],
            topic=topic,
            perspective=perspective,
            texts=[text],
        )
        demo.vote_through(session, session.get_one(Statement, sid), people, answers)
    return wid


def ensure_adults_ws2_demo(session: Session, *, owner_id: int | None) -> int:
    """A WS2 map for adults with one gap (nobody carries the person from SIP to follow-up)."""
    from journey_maps.importing import import_journey
    from workshops.setup import prepare_ws2

    found = session.scalar(select(Workshop.id).where(Workshop.title == ADULTS_WS2_TITLE))
    if found is not None:
        return found
    wid = services.create_workshop(
        session,
        owner_id=owner_id,
        title=ADULTS_WS2_TITLE,
        date=dt.date.today() - dt.timedelta(days=1),
        target_group="adults",
        kind="ws2",
    )
    prepare_ws2(session, workshop_id=wid)
    import_journey(session, workshop_id=wid, document=json.loads(ADULTS_MAP.read_text("utf-8")))
    return wid
