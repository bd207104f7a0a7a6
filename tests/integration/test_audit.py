"""The audit log through the app: every facilitator action writes a line (the hook cannot miss a
new route), failures write none, nothing about a participant ever reaches it, and the page
reads it newest first, per workshop and page by page."""

from __future__ import annotations

import json

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import i18n
from db import session_scope
from journey_maps.events import JourneyNamespace
from tests.conftest import PASSWORD, Demo, join_phone, post
from workshops import audit, services
from workshops.models import AuditEvent, Facilitator


def lines(app: Flask) -> list[AuditEvent]:
    with session_scope(app) as s:
        return list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def last(app: Flask) -> AuditEvent:
    found = lines(app)
    assert found, "no audit line written"
    return found[-1]


def test_every_state_changing_facilitator_route_has_words_in_the_log(app: Flask):
    """A new POST route is recorded by the hook anyway; this keeps the page readable too."""
    endpoints = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/f/")
        and rule.methods
        and rule.methods - {"GET", "HEAD", "OPTIONS"}
    }
    assert endpoints
    for lang in i18n.LANGUAGES:
        missing = sorted(e for e in endpoints if f"audit.action.{e}" not in i18n.catalogue(lang))
        assert (lang, missing) == (lang, [])


def test_facilitators_change_nothing_over_the_socket(app: Flask):
    """Facilitator actions go over HTTP, where the hook sees them. A new socket event must be
    a phone's or only read; otherwise it needs its own audit line (workshops/audit_views.py)."""
    handlers = {name for name in dir(JourneyNamespace) if name.startswith("on_")}
    phones_or_reading = {
        "on_connect",
        "on_sync",
        "on_journey_sync",
        "on_cast_vote",
        "on_here",
        "on_journey_place",
        "on_journey_withdraw",
        "on_journey_react",
        "on_journey_handoff",
        "on_journey_withdraw_handoff",
    }
    assert sorted(handlers - phones_or_reading) == []


def test_a_threshold_change_is_logged_with_before_and_after(app, logged_in, demo: Demo):
    response = post(
        logged_in,
        f"/f/w/{demo.workshop_id}/settings",
        {"title": "WS1 test", "target_group": "children", "anonymity_threshold": "5"},
    )
    assert response.status_code == 302
    line = last(app)
    assert (line.action, line.workshop_id, line.workshop_title, line.actor) == (
        "facilitator.settings",
        demo.workshop_id,
        "WS1 test",
        "Facilitator",
    )
    assert json.loads(line.detail or "{}")["changed"] == {"anonymity_threshold": [3, 5]}


def test_a_deleted_workshop_keeps_its_title_in_the_log(app, logged_in, demo: Demo):
    post(logged_in, f"/f/w/{demo.workshop_id}/delete", {"confirm": demo.code})
    line = last(app)
    assert (line.action, line.workshop_id, line.workshop_title) == (
        "facilitator.delete_workshop",
        demo.workshop_id,
        "WS1 test",
    )
    assert json.loads(line.detail or "{}") == {"deleted": True}


def test_a_failed_form_writes_no_line(app, logged_in, demo: Demo):
    before = len(lines(app))
    response = post(logged_in, f"/f/w/{demo.workshop_id}/delete", {"confirm": "WRONG1"})
    assert response.status_code == 302  # back to the form with an error message
    response = post(logged_in, f"/f/w/{demo.workshop_id}/settings", {"title": ""})
    assert response.status_code in (302, 400)
    assert len(lines(app)) == before


def test_a_new_workshop_and_a_download_are_logged(app, logged_in, demo: Demo):
    response = post(
        logged_in, "/f/new", {"title": "Vuxna WS1", "target_group": "adults", "kind": "ws1"}
    )
    assert response.status_code == 302
    created = last(app)
    assert created.action == "facilitator.new_workshop"
    assert created.workshop_title == "Vuxna WS1" and created.workshop_id is not None

    page = logged_in.get(f"/f/w/{demo.workshop_id}/data/")
    assert page.status_code == 200
    assert last(app).id == created.id  # reading a page is not an action
    download = logged_in.get(f"/f/w/{demo.workshop_id}/data/download/workshop.json")
    assert download.status_code == 200
    line = last(app)
    assert (line.action, line.workshop_id) == ("download:data.download", demo.workshop_id)
    detail = json.loads(line.detail or "{}")
    assert detail["name"] == "workshop.json" and detail["file"].endswith(".workshop.json")


def test_logins_of_an_account_are_logged_and_unknown_addresses_are_not(
    app, client: FlaskClient, facilitator: int
):
    post(client, "/login", {"email": "fac@example.org", "password": "wrong-password!"})
    post(client, "/login", {"email": "nobody@example.org", "password": "wrong-password!"})
    post(client, "/login", {"email": "fac@example.org", "password": PASSWORD})
    post(client, "/logout")
    found = [(line.action, line.facilitator_id, line.detail) for line in lines(app)]
    assert found == [
        ("auth.login_failed", facilitator, '{"reason":"password"}'),
        ("auth.login", facilitator, None),
        ("auth.logout", facilitator, None),
    ]


def test_nothing_a_participant_entered_reaches_the_log(app, logged_in, demo: Demo):
    phone = join_phone(app, demo, "BUP", "Hemliga Hanna")
    wid = demo.workshop_id
    for action, fields in [
        ("open", {"statement_id": demo.own[0]}),
        ("close", {"statement_id": demo.own[0]}),
        ("reveal", {"statement_id": demo.own[0]}),
    ]:
        post(logged_in, f"/f/w/{wid}/live/{action}", fields)
    post(
        logged_in,
        f"/f/w/{wid}/discuss/{demo.own[0]}",
        {"note": "Patienten Kalle 12 år", "outcome": "agreed"},
    )
    post(
        logged_in,
        f"/f/w/{wid}/statements",
        {
            "organisation_id": demo.orgs["BUP"],
            "topic": "mandate",
            "perspective": "own",
            "texts": "Samtal med Hemliga Hanna",
        },
    )
    post(phone, f"/{demo.code}/withdraw")
    written = [
        (line.action, line.actor, line.workshop_title or "", line.detail or "")
        for line in lines(app)
    ]
    assert {w[0] for w in written} >= {
        "facilitator.live_action",
        "facilitator.record_discussion",
        "facilitator.add_statements",
    }
    text = json.dumps(written, ensure_ascii=False)
    for secret in ("Hanna", "Kalle", "Samtal med"):
        assert secret not in text


def make_lead(app: Flask, facilitator_id: int) -> None:
    with session_scope(app) as s:
        s.get_one(Facilitator, facilitator_id).is_lead = True
        s.commit()


def test_the_log_page_lists_newest_first_per_workshop_and_page_by_page(
    app, logged_in, demo: Demo, facilitator: int
):
    make_lead(app, facilitator)  # a lead reads every workshop's lines
    with session_scope(app) as s:
        for n in range(audit.PER_PAGE + 5):
            audit.record(
                s,
                action="facilitator.settings",
                actor="Facilitator",
                workshop_id=demo.workshop_id if n % 2 else 999,
                workshop_title="WS1 test" if n % 2 else "Borttagen workshop",
                detail={"n": n},
            )
        s.commit()
    first = logged_in.get("/f/audit").get_data(as_text=True)
    assert first.index("n=54") < first.index("n=53")
    assert "n=4<" not in first and "Äldre" in first
    second = logged_in.get("/f/audit?page=2").get_data(as_text=True)
    assert "n=4<" in second and "n=54" not in second
    mine = logged_in.get(f"/f/audit?workshop={demo.workshop_id}").get_data(as_text=True)
    assert "n=53" in mine and "n=54" not in mine and "Borttagen workshop</td>" not in mine
    assert "Ändrade inställningar" in mine


def test_a_facilitator_who_is_not_a_lead_reads_only_what_concerns_them(
    app, logged_in, demo: Demo, facilitator: int
):
    with session_scope(app) as s:
        other = services.create_facilitator(
            s, email="other@example.org", name="Annan", password=PASSWORD
        )
        theirs = services.create_workshop(
            s, owner_id=other, title="Någon annans", date=None, target_group="adults"
        )
        for n, (who, wid, title) in enumerate(
            [
                (other, theirs, "Någon annans"),  # another's action on another's workshop
                (other, demo.workshop_id, "WS1 test"),  # another's action on mine
                (facilitator, None, None),  # my own action without a workshop
            ]
        ):
            audit.record(
                s,
                action="facilitator.settings",
                actor="x",
                facilitator_id=who,
                workshop_id=wid,
                workshop_title=title,
                detail={"n": 100 + n},
            )
        s.commit()
    page = logged_in.get("/f/audit").get_data(as_text=True)
    assert "n=100" not in page and "Någon annans" not in page
    assert "n=101" in page and "n=102" in page
    make_lead(app, facilitator)
    assert "n=100" in logged_in.get("/f/audit").get_data(as_text=True)


def test_the_log_page_needs_a_login(client: FlaskClient):
    response = client.get("/f/audit")
    assert response.status_code == 302 and "/login" in response.location
