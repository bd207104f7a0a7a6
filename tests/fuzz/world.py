"""A small but complete installation to fuzz against: three workshops with everything in them.

Workshop A (WS1) has organisations, own and others' statements (two open as a batch), votes,
a discussion, the survey closed, a published report with a verification link and a project.
Workshop B (WS1) is "another workshop": its ids are offered to A's phones and forms, which must
never reach it. Workshop C (WS2) has the catalogue's roles, the journey open, role validation
statements (one open) and a placement with a handoff. Phones join through the real join form.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text

from app import create_app
from db import session_scope
from tests.conftest import PASSWORD, csrf, seed_ws1


@dataclass
class Phone:
    client: FlaskClient
    workshop_id: int
    code: str
    participant_id: int
    token: str
    organisation_id: int = 0


@dataclass
class World:
    app: Flask
    facilitator: FlaskClient
    email: str
    a: int
    b: int
    c: int
    codes: dict[int, str]
    phones: dict[str, Phone]
    verification_token: str
    project_id: int
    repairs: int = 0  # how often intact() joined a phone again or logged in again
    seeds: dict[str, Any] = field(default_factory=dict)  # exported documents to mutate
    ids: list[int] = field(default_factory=list)  # every row id in the database
    strings: list[str] = field(default_factory=list)  # codes, tokens, ballot ids, enum words


@contextmanager
def database_url(kind: str, tmp_path: Path) -> Iterator[str]:
    """SQLite in ``tmp_path``, or a fresh schema of BRYGGA_TEST_POSTGRES_URL (dropped after)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'fuzz.sqlite3'}"
        return
    url = os.environ["BRYGGA_TEST_POSTGRES_URL"]
    schema = f"fuzz_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def make_app(url: str) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "fuzz-secret",
            "DATABASE_URL": url,
            "DATABASE_SCHEMA": "create_all",
            "SOCKETIO_ASYNC_MODE": "threading",
            "BROADCAST_INTERVAL": 0.0,
        }
    )


def _join(app: Flask, code: str, organisation_id: int, name: str, address: str) -> Phone:
    """A phone joins through the join form, from an address of its own (rate limits are per
    address, and fuzzed codes soon exhaust one)."""
    from workshops import voting

    phone = app.test_client()
    phone.environ_base["REMOTE_ADDR"] = address
    response = phone.post(
        f"/{code}",
        data={"organisation_id": organisation_id, "display_name": name, "csrf_token": csrf(phone)},
    )
    assert response.status_code == 302, response.data
    with phone.session_transaction() as sess:
        token = sess["pt"][code]
    with session_scope(app) as s:
        info = voting.participant_for_token(s, token)
        assert info is not None
        voting.mark_present(s, info.id)  # in the room: a first connection changes nothing
        return Phone(phone, info.workshop_id, code, info.id, token, organisation_id)


def _ws1(s: Any, owner: int, title: str) -> tuple[int, dict[str, int], list[int]]:
    wid, orgs, own, others = seed_ws1(s, owner=owner, title=title)
    return wid, orgs, own + others


def build_world(app: Flask, generation: int = 0) -> World:
    """Everything the fuzzers need, made through services and the real join form. A later
    ``generation`` builds a fresh set beside the old one (after a fuzzed form deleted a
    workshop or logged the facilitator out)."""
    from journey_maps import placing
    from journey_maps import stages as journey_stages
    from projects import services as projects
    from reports import verification
    from roles import services as roles
    from workshops import results, services, voting
    from workshops.setup import prepare_ws2

    with session_scope(app) as s:
        email = f"fuzz{generation}@example.org"
        owner = services.create_facilitator(
            s, email=email, name="Fuzz", password=PASSWORD, is_lead=True
        )
        a, orgs_a, st_a = _ws1(s, owner, "Workshop A")
        b, orgs_b, st_b = _ws1(s, owner, "Workshop B")
        voting.open_statements(s, workshop_id=a, statement_ids=[st_a[0], st_a[2]], exclusive=False)
        voting.open_statements(s, workshop_id=b, statement_ids=[st_b[2]])
        c = services.create_workshop(
            s, owner_id=owner, title="Workshop C", date=None, target_group="adults", kind="ws2"
        )
        prepare_ws2(s, workshop_id=c)
        orgs_c = {
            name: services.add_organisation(s, workshop_id=c, name=name, principal="region")
            for name in ("BUP", "Psykiatri")
        }
        journey_stages.set_journey_open(s, workshop_id=c, is_open=True)
        roles.create_validation_statements(s, workshop_id=c)
        role_statements = [st.id for st in services.get_workshop(s, c).statements]
        voting.open_statements(s, workshop_id=c, statement_ids=role_statements[:1])
        project_id = projects.create_project(
            s, name=f"Fuzz project {generation}", description="Serie"
        )
        projects.assign_workshop(s, project_id=project_id, workshop_id=a)
        codes = {w: services.get_workshop(s, w).join_code for w in (a, b, c)}

    phones = {
        "a_bup": _join(app, codes[a], orgs_a["BUP"], "Bo", f"10.{generation}.0.1"),
        "a_elev": _join(app, codes[a], orgs_a["Elevhälsa"], "", f"10.{generation}.0.2"),
        "a_hab": _join(app, codes[a], orgs_a["Habilitering"], "Hab", f"10.{generation}.0.3"),
        "b_hab": _join(app, codes[b], orgs_b["Habilitering"], "", f"10.{generation}.0.4"),
        "c_bup": _join(app, codes[c], orgs_c["BUP"], "", f"10.{generation}.0.5"),
        "c_psyk": _join(app, codes[c], orgs_c["Psykiatri"], "", f"10.{generation}.0.6"),
    }

    api = app.test_client()
    api.environ_base["REMOTE_ADDR"] = f"10.{generation}.0.99"
    joined = api.post(
        "/api/v1/join",
        json={"code": codes[a], "organisation_id": orgs_a["Elevhälsa"], "display_name": "API"},
    )
    assert joined.status_code == 201, joined.data
    token = joined.get_json()["participant_token"]
    with session_scope(app) as s:
        info = voting.participant_for_token(s, token)
        assert info is not None
        voting.mark_present(s, info.id)
        phones["a_api"] = Phone(api, a, codes[a], info.id, token)

    with session_scope(app) as s:
        for i, (name, statement, choice) in enumerate(
            [("a_bup", st_a[0], "discuss"), ("a_elev", st_a[0], "yes"), ("a_hab", st_a[2], "no")]
        ):
            voting.cast_vote(
                s,
                participant_id=phones[name].participant_id,
                statement_id=statement,
                choice=choice,
                ballot_id=f"seed{generation}-ballot-{i:04d}",
            )
        voting.cast_vote(
            s,
            participant_id=phones["b_hab"].participant_id,
            statement_id=st_b[2],
            choice="discuss",
            ballot_id=f"seed{generation}-ballot-b001",
        )
        results.record_discussion(
            s,
            workshop_id=a,
            statement_id=st_a[0],
            note="Seed note",
            outcome="parked",
            new_text=None,
        )
        role_ids = [r.id for r in roles.list_roles(s, c)]
        stage_ids = [st.id for st in journey_stages.stages(s, c)]
        for i, (role, stage) in enumerate(
            [(role_ids[0], stage_ids[0]), (role_ids[1], stage_ids[1])]
        ):
            placing.place_role(
                s,
                participant_id=phones["c_bup"].participant_id,
                role_id=role,
                stage_id=stage,
                client_id=f"seed{generation}-place-{i:04d}",
            )
        transition = next(
            t.id
            for t in journey_stages.transitions(s, c)
            if (t.source_id, t.target_id) == (stage_ids[0], stage_ids[1])
        )
        placing.record_handoff(
            s,
            participant_id=phones["c_bup"].participant_id,
            transition_id=transition,
            from_role_id=role_ids[0],
            to_role_id=role_ids[1],
            client_id=f"seed{generation}-handoff-01",
        )
        verification.publish_version(s, workshop_id=a, note="v1")
        token = verification.create_link(s, workshop_id=a, organisation_id=orgs_a["Habilitering"])

    facilitator = app.test_client()
    facilitator.environ_base["REMOTE_ADDR"] = f"10.{generation}.1.1"
    assert _log_in(facilitator, email)
    world = World(app, facilitator, email, a, b, c, codes, phones, token, project_id)
    for name, url in [
        ("archive", f"/f/w/{a}/data/download/workshop.json"),
        ("journey", f"/f/w/{c}/map/download/journey.json"),
    ]:
        response = facilitator.get(url)
        assert response.status_code == 200, (url, response.status_code)
        world.seeds[name] = response.get_json(force=True)
    refresh_pools(world)
    return world


def refresh_pools(world: World) -> None:
    """Every id in the database (of all three workshops) and the secrets that are in play."""
    from db import Base

    ids: set[int] = set()
    with session_scope(world.app) as s:
        for table in Base.metadata.sorted_tables:
            if "id" in table.c:
                ids.update(s.scalars(text(f"SELECT id FROM {table.name}")).all())
    world.ids = sorted(ids)
    world.strings = sorted(
        {
            *world.codes.values(),
            *(p.token for p in world.phones.values()),
            world.verification_token,
            *VOCABULARY,
        }
    )


# Words the forms and events understand: choices, topics, kinds, modes, outcomes, flags.
VOCABULARY = (
    "yes",
    "no",
    "discuss",
    "own",
    "others",
    "target_group",
    "mandate",
    "role",
    "region",
    "municipality",
    "school",
    "private",
    "civil_society",
    "state",
    "children",
    "adults",
    "ws1",
    "ws2",
    "agreed",
    "reworded",
    "parked",
    "action",
    "agree",
    "dispute",
    "referral",
    "phone",
    "meeting",
    "comment",
    "correction",
    "accept",
    "reject",
    "accepted",
    "rejected",
    "confirmed",
    "dismissed",
    "fixed",
    "as_is",
    "to_be",
    "other",
    "primary",
    "secondary",
    "forward",
    "back",
    "board",
    "up",
    "down",
    "left",
    "right",
    "participant",
    "facilitator",
    "projector",
    "1",
    "0",
    "on",
    "true",
    "2026-03-14",
    "2026-02-30",
    "live",
    "statement:1",
    "discussion:1",
    "role:1",
    "finding:abc",
)


def valid_client_id(value: str) -> bool:
    return re.fullmatch(r"[A-Za-z0-9_\-]{8,64}", value) is not None


def intact(world: World) -> bool:
    """Whether the world still has what the fuzzers rely on, after putting back what a fuzzed
    form took from the clients (a logout, a phone that left); False when a workshop, the
    project, a participant or the verification link is gone, or the login is refused."""
    from reports.models import VerificationLink
    from workshops.models import Participant, Project, Workshop, utcnow
    from workshops.voting import hash_token

    with session_scope(world.app) as s:
        if any(s.get(Workshop, w) is None for w in (world.a, world.b, world.c)):
            return False
        if s.get(Project, world.project_id) is None:
            return False
        gone = [n for n, p in world.phones.items() if s.get(Participant, p.participant_id) is None]
        link = s.scalar(
            select(VerificationLink).where(
                VerificationLink.token_hash == hash_token(world.verification_token)
            )
        )
        if link is None or link.revoked_at is not None or link.expires_at <= utcnow():
            return False
    for name in gone:  # the phone withdrew its answers and itself: it joins again
        if name == "a_api":
            return False
        old = world.phones[name]
        with old.client.session_transaction() as sess:
            sess["pt"] = {}
        world.repairs += 1
        address = f"10.255.{world.repairs // 250}.{world.repairs % 250}"
        world.phones[name] = _join(world.app, old.code, old.organisation_id, "", address)
        world.phones[name].client = old.client
    for name, phone in world.phones.items():
        if name != "a_api":
            with phone.client.session_transaction() as sess:
                tokens = sess.get("pt")
                sess["pt"] = {
                    **(tokens if isinstance(tokens, dict) else {}),
                    phone.code: phone.token,
                }
    with world.facilitator.session_transaction() as sess:
        if isinstance(sess.get("fid"), int):
            return True
    world.repairs += 1
    return _log_in(world.facilitator, world.email)


def _log_in(client: FlaskClient, email: str) -> bool:
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf(client)}
    )
    return response.status_code == 302
