"""Fixtures: an app on a fresh SQLite file, its clients, a logged-in facilitator, a workshop."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app import create_app
from db import session_scope
from workshops import services

PASSWORD = "a-long-test-password"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}",
            # Each test gets a fresh file: the tables straight from the models (the migrations
            # are checked against the models in tests/integration/test_migrations.py).
            "DATABASE_SCHEMA": "create_all",
            "SOCKETIO_ASYNC_MODE": "threading",
            # Push every change at once: the throttle has its own unit tests.
            "BROADCAST_INTERVAL": 0.0,
        }
    )
    yield app
    app.extensions["db.engine"].dispose()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with session_scope(app) as s:
        yield s


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf(client: FlaskClient) -> str:
    """The CSRF token of the client's session (created by any page view)."""
    client.get("/login")
    with client.session_transaction() as sess:
        token: str = sess["csrf"]
    return token


def post(client: FlaskClient, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    """POST a form with the session's CSRF token, as the browser would."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf(client)}, **kw)


@dataclass
class Demo:
    workshop_id: int
    code: str
    orgs: dict[str, int]
    own: list[int]
    others: list[int]


@pytest.fixture
def facilitator(app: Flask, request: pytest.FixtureRequest) -> int:
    """The account ``logged_in`` uses; under ``@pytest.mark.lead`` a project lead."""
    lead = request.node.get_closest_marker("lead") is not None
    with session_scope(app) as s:
        return services.create_facilitator(
            s,
            email="fac@example.org",
            name="Lead" if lead else "Facilitator",
            password=PASSWORD,
            is_lead=lead,
        )


@pytest.fixture
def logged_in(client: FlaskClient, facilitator: int) -> FlaskClient:
    response = post(client, "/login", {"email": "fac@example.org", "password": PASSWORD})
    assert response.status_code == 302
    return client


def account(app: Flask, email: str, *, lead: bool = False) -> int:
    """Another facilitator's account (the password is ``PASSWORD``); returns its id."""
    with session_scope(app) as s:
        return services.create_facilitator(
            s, email=email, name=email.split("@")[0], password=PASSWORD, is_lead=lead
        )


def login_as(app: Flask, email: str) -> FlaskClient:
    """A new browser logged in as ``email`` (made by ``account``)."""
    client = app.test_client()
    response = post(client, "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def live_socket(app: Flask, client: FlaskClient | None = None, **auth: Any) -> Any:
    """A Socket.IO test client of /live with ``auth``, through ``client``'s cookies (a phone's
    join or a facilitator's login); it may have been refused (``is_connected``)."""
    return app.extensions["socketio"].test_client(
        app, namespace="/live", auth=auth, flask_test_client=client
    )


def live(app: Flask, client: FlaskClient | None, **auth: Any) -> Any:
    """A /live connection that the server accepted."""
    sio = live_socket(app, client, **auth)
    assert sio.is_connected("/live")
    return sio


def seed_ws1(
    s: Any, *, owner: int, title: str = "WS1 test"
) -> tuple[int, dict[str, int], list[int], list[int]]:
    """Habilitering, BUP and Elevhälsa; two own and two others' statements about Habilitering.
    Returns the workshop id, the organisations by name, the own and the others' statement ids."""
    wid = services.create_workshop(
        s, owner_id=owner, title=title, date=None, target_group="children"
    )
    orgs = {
        name: services.add_organisation(s, workshop_id=wid, name=name, principal=principal)
        for name, principal in [
            ("Habilitering", "region"),
            ("BUP", "region"),
            ("Elevhälsa", "municipality"),
        ]
    }
    own = services.add_statements(
        s,
        workshop_id=wid,
        organisation_id=orgs["Habilitering"],
        topic="target_group",
        perspective="own",
        texts=["Barn och unga 0–18 år", "Barn med enbart autism t.o.m. 6 år"],
    )
    others = services.add_statements(
        s,
        workshop_id=wid,
        organisation_id=orgs["Habilitering"],
        topic="mandate",
        perspective="others",
        texts=["Stödsamtal", "Utredning"],
    )
    return wid, orgs, own, others


@pytest.fixture
def demo(app: Flask, facilitator: int) -> Demo:
    """Habilitering and two other organisations; own and others' statements about Hab."""
    with session_scope(app) as s:
        wid, orgs, own, others = seed_ws1(s, owner=facilitator)
        code = services.get_workshop(s, wid).join_code
    return Demo(wid, code, orgs, own, others)


def join_phone(app: Flask, demo: Demo, org: str, name: str | None = None) -> FlaskClient:
    """A phone that joined the demo workshop through the pages; returns its client."""
    phone = app.test_client()
    response = post(
        phone,
        f"/{demo.code}",
        {"organisation_id": demo.orgs[org], "display_name": name or ""},
    )
    assert response.status_code == 302, response.data
    assert re.search(rf"/{demo.code}/(p|survey)$", response.location)  # survey while it is open
    return phone


@dataclass
class Ws2:
    """A WS2 workshop: the catalogue's roles, the default journey, open for placements."""

    workshop_id: int
    code: str
    orgs: dict[str, int]
    roles: dict[str, int]  # catalogue code -> role row id
    stages: list[int]  # stage row ids in journey order
    transitions: dict[tuple[int, int], int]  # (source stage, target stage) -> transition id


@pytest.fixture
def ws2(app: Flask, facilitator: int) -> Ws2:
    from journey_maps import stages as journey_stages
    from roles import services as role_services
    from workshops.setup import prepare_ws2

    with session_scope(app) as s:
        wid = services.create_workshop(
            s,
            owner_id=facilitator,
            title="WS2 test",
            date=None,
            target_group="children",
            kind="ws2",
        )
        prepare_ws2(s, workshop_id=wid)
        orgs = {
            name: services.add_organisation(s, workshop_id=wid, name=name, principal=principal)
            for name, principal in [
                ("BUP", "region"),
                ("Elevhälsa", "municipality"),
                ("Socialtjänst", "municipality"),
            ]
        }
        journey_stages.set_journey_open(s, workshop_id=wid, is_open=True)
        roles = {r.code: r.id for r in role_services.list_roles(s, wid)}
        stage_ids = [st.id for st in journey_stages.stages(s, wid)]
        transitions = {(t.source_id, t.target_id): t.id for t in journey_stages.transitions(s, wid)}
        code = services.get_workshop(s, wid).join_code
    return Ws2(wid, code, orgs, roles, stage_ids, transitions)


def join_ws2(app: Flask, ws2: Ws2, org: str) -> tuple[FlaskClient, int]:
    """A phone that joined the WS2 workshop; returns its client and participant id."""
    from workshops import voting

    phone = app.test_client()
    response = post(phone, f"/{ws2.code}", {"organisation_id": ws2.orgs[org]})
    assert response.status_code == 302, response.data
    with phone.session_transaction() as sess:
        token = sess["pt"][ws2.code]
    with session_scope(app) as s:
        info = voting.participant_for_token(s, token)
        assert info is not None
        return phone, info.id


def page_data(html: str) -> dict[str, Any]:
    """The data a live page hands its scripts (``<script id="page-data">``)."""
    found = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', html, re.S)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


T = TypeVar("T")


def on_the_day(fetch: Callable[[], T]) -> tuple[T, set[str]]:
    """What ``fetch`` returns, and every day (ISO) it may have run on: the clock is read on
    both sides, so that a download named by the day it was made passes across midnight too."""
    before = dt.date.today()
    result = fetch()
    return result, {before.isoformat(), dt.date.today().isoformat()}
