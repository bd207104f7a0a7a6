"""The demo workshop: the seed's Habilitering example (Barn och unga, WS1)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workshops import services
from workshops.catalogue import ORGANISATIONS
from workshops.models import Facilitator, Organisation, Workshop

DEMO_EMAIL = "demo@brygga.local"
DEMO_PASSWORD = "brygga-demo-2026"
DEMO_TITLE = "WS1 Förväntanskartläggning – Barn och unga (demo)"
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


def ensure_demo(session: Session) -> DemoInfo:
    """Create the demo facilitator and workshop if missing; safe to run every start."""
    fid = session.scalar(select(Facilitator.id).where(Facilitator.email == DEMO_EMAIL))
    if fid is None:
        fid = services.create_facilitator(
            session, email=DEMO_EMAIL, name="Demo facilitator", password=DEMO_PASSWORD
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
    return DemoInfo(workshop.id, workshop.title, workshop.join_code, DEMO_EMAIL, DEMO_PASSWORD)
