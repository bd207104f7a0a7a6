"""Security controls through the app: who manages which workshop, Socket.IO origins, cookies,
the production secret (docs/security.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import DEV_SECRET, ConfigError, create_app
from db import session_scope
from tests.conftest import PASSWORD, Demo, account, join_phone, live_socket, login_as, post
from workshops import demo as demo_data
from workshops import services
from workshops.models import Facilitator, Workshop


def _owner(app: Flask, workshop_id: int) -> int | None:
    with session_scope(app) as s:
        return s.get_one(Workshop, workshop_id).owner_id


# --- Who manages what ------------------------------------------------------------------------


def test_a_facilitator_sees_only_their_own_workshops_and_a_lead_sees_every_one(app, demo: Demo):
    account(app, "other@example.org")
    account(app, "lead@example.org", lead=True)
    other, lead = login_as(app, "other@example.org"), login_as(app, "lead@example.org")

    assert "WS1 test" not in other.get("/f/").get_data(as_text=True)
    assert "WS1 test" in lead.get("/f/").get_data(as_text=True)
    assert other.get(f"/f/w/{demo.workshop_id}").status_code == 404
    assert lead.get(f"/f/w/{demo.workshop_id}").status_code == 200


def test_another_facilitators_workshop_answers_as_if_it_did_not_exist(app, demo: Demo):
    account(app, "other@example.org")
    other = login_as(app, "other@example.org")
    foreign = other.get(f"/f/w/{demo.workshop_id}/results")
    missing = other.get("/f/w/999999/results")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.get_data() == missing.get_data()


def test_a_workshop_created_from_the_form_belongs_to_its_creator(app, logged_in, facilitator):
    response = post(logged_in, "/f/new", {"title": "Min", "target_group": "adults", "kind": "ws1"})
    assert response.status_code == 302
    wid = int(response.location.rstrip("/").split("/")[-1])
    assert _owner(app, wid) == facilitator


def test_only_a_project_lead_sees_the_projects_and_the_accounts(app, logged_in):
    assert logged_in.get("/f/projects/").status_code == 404
    assert logged_in.get("/f/accounts/").status_code == 404
    assert 'href="/f/projects/"' not in logged_in.get("/f/").get_data(as_text=True)
    account(app, "lead@example.org", lead=True)
    lead = login_as(app, "lead@example.org")
    assert lead.get("/f/projects/").status_code == 200
    assert lead.get("/f/accounts/").status_code == 200
    assert 'href="/f/projects/"' in lead.get("/f/").get_data(as_text=True)


def test_a_lead_creates_an_account_and_hands_a_workshop_over_to_it(app, demo: Demo):
    account(app, "lead@example.org", lead=True)
    lead = login_as(app, "lead@example.org")
    created = post(
        lead,
        "/f/accounts/",
        {"email": "Ny@Example.org", "name": "Ny", "password": PASSWORD},
    )
    assert created.status_code == 302
    with session_scope(app) as s:
        new = s.query(Facilitator).filter_by(email="ny@example.org").one()
        new_id, new_is_lead = new.id, new.is_lead
    assert not new_is_lead

    handed = post(
        lead, "/f/accounts/handover", {"workshop_id": demo.workshop_id, "owner_id": new_id}
    )
    assert handed.status_code == 302
    assert _owner(app, demo.workshop_id) == new_id
    newcomer = login_as(app, "ny@example.org")
    assert newcomer.get(f"/f/w/{demo.workshop_id}").status_code == 200
    previous = login_as(app, "fac@example.org")
    assert previous.get(f"/f/w/{demo.workshop_id}").status_code == 404


def test_a_short_password_for_a_new_account_is_refused_with_a_message(app):
    account(app, "lead@example.org", lead=True)
    lead = login_as(app, "lead@example.org")
    response = post(lead, "/f/accounts/", {"email": "a@b.se", "name": "A", "password": "kort"})
    assert response.status_code == 400
    assert "10" in response.get_data(as_text=True)


def test_create_facilitator_makes_a_lead_only_with_the_flag(app):
    runner = app.test_cli_runner()
    for email, flag in (("lead@example.org", ["--lead"]), ("fac@example.org", [])):
        args = ["create-facilitator", "--email", email, "--name", "X", "--password", PASSWORD]
        result = runner.invoke(args=args + flag)
        assert result.exit_code == 0, result.output
    with session_scope(app) as s:
        leads = {f.email: f.is_lead for f in s.query(Facilitator)}
    assert leads == {"lead@example.org": True, "fac@example.org": False}


def test_the_demo_login_is_a_project_lead(app):
    with session_scope(app) as s:
        demo_data.ensure_demo(s)
        fid = s.query(Facilitator.id).filter_by(email=demo_data.DEMO_EMAIL).scalar()
        assert services.is_lead(s, fid)


def test_a_console_for_another_facilitators_workshop_is_refused(app, demo: Demo):
    account(app, "other@example.org")
    other = login_as(app, "other@example.org")
    sio = live_socket(app, other, role="facilitator", workshop_id=demo.workshop_id)
    assert not sio.is_connected("/live")


# --- Socket.IO origins -----------------------------------------------------------------------


def _handshake(client: FlaskClient, origin: str | None) -> Any:
    """The engine.io handshake a browser's Socket.IO client makes first (long polling)."""
    headers = {"Origin": origin} if origin else {}
    return client.get("/socket.io/?EIO=4&transport=polling", headers=headers)


def test_a_socket_from_a_foreign_page_is_refused_and_the_own_origin_accepted(client):
    assert _handshake(client, "https://evil.example").status_code == 400
    own = _handshake(client, "http://localhost")
    assert own.status_code == 200
    assert own.get_data(as_text=True).startswith("0{")  # engine.io's open packet


def test_allowed_origins_replace_the_own_origin(tmp_path: Path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'o.sqlite3'}",
            "DATABASE_SCHEMA": "create_all",
            "SOCKETIO_ASYNC_MODE": "threading",
            "ALLOWED_ORIGINS": ["https://brygga.example.se"],
        }
    )
    client = app.test_client()
    assert _handshake(client, "https://brygga.example.se").status_code == 200
    assert _handshake(client, "http://localhost").status_code == 400
    app.extensions["db.engine"].dispose()


def test_allowed_origins_come_from_the_environment(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("ALLOWED_ORIGINS", "https://a.example.se, https://b.example.se/")
    app = _app(tmp_path)
    assert app.config["ALLOWED_ORIGINS"] == ["https://a.example.se", "https://b.example.se"]
    assert _handshake(app.test_client(), "https://b.example.se").status_code == 200
    app.extensions["db.engine"].dispose()


# --- Cookies ---------------------------------------------------------------------------------


def _app(tmp_path: Path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}",
            "DATABASE_SCHEMA": "create_all",
            "SOCKETIO_ASYNC_MODE": "threading",
        }
    )


def _cookies(response: Any) -> dict[str, str]:
    """Set-Cookie headers by cookie name, attributes lower-cased."""
    found = {}
    for header in response.headers.getlist("Set-Cookie"):
        name = header.split("=", 1)[0]
        found[name] = header.lower()
    return found


def _assert_guarded(header: str, *, secure: bool) -> None:
    assert "httponly" in header
    assert "samesite=lax" in header
    assert ("; secure" in header) is secure


def test_cookies_are_httponly_and_samesite_lax_and_not_secure_in_development(app, demo: Demo):
    client = app.test_client()
    session_cookie = _cookies(client.get("/login?lang=en"))
    _assert_guarded(session_cookie["brygga"], secure=False)
    _assert_guarded(session_cookie["lang"], secure=False)
    joined = post(client, f"/{demo.code}", {"organisation_id": demo.orgs["BUP"]})
    _assert_guarded(_cookies(joined)["brygga"], secure=False)  # the join cookie is the session


def test_every_cookie_is_secure_in_production(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("BRYGGA_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-of-enough-length-for-production")
    app = _app(tmp_path)
    client = app.test_client()
    cookies = _cookies(client.get("/login?lang=en"))
    _assert_guarded(cookies["brygga"], secure=True)
    _assert_guarded(cookies["lang"], secure=True)
    app.extensions["db.engine"].dispose()


def test_a_participant_keeps_the_join_cookie_across_reloads(app, demo: Demo):
    phone = join_phone(app, demo, "BUP")
    assert phone.get(f"/{demo.code}/p").status_code == 200


# --- The secret key --------------------------------------------------------------------------


def test_production_refuses_to_start_with_the_development_secret(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("BRYGGA_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        _app(tmp_path)
    monkeypatch.setenv("SECRET_KEY", DEV_SECRET)
    with pytest.raises(ConfigError):
        _app(tmp_path)


def test_production_starts_with_a_secret_of_its_own(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("BRYGGA_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-of-enough-length-for-production")
    app = _app(tmp_path)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    app.extensions["db.engine"].dispose()


def test_development_starts_with_the_development_secret(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("BRYGGA_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = _app(tmp_path)
    assert app.config["SECRET_KEY"] == DEV_SECRET
    app.extensions["db.engine"].dispose()


def test_the_map_comparison_offers_only_workshops_the_facilitator_manages(app, logged_in, ws2):
    other = account(app, "other@example.org")
    with session_scope(app) as s:
        foreign = services.create_workshop(
            s,
            owner_id=other,
            title="Someone else's map",
            date=None,
            target_group="adults",
            kind="ws2",
        )
    page = logged_in.get(f"/f/w/{ws2.workshop_id}/map/compare")
    assert page.status_code == 200
    assert "Someone else" not in page.get_data(as_text=True)
    asked = logged_in.get(
        f"/f/w/{ws2.workshop_id}/map/compare?before=workshop:{foreign}&after=live"
    )
    assert asked.status_code == 400
    assert "Someone else" not in asked.get_data(as_text=True)
