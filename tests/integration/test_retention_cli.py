"""`flask retention`: lists the workshops past RETENTION_DAYS and expired audit lines; deletes
them with --delete only after confirmation (or --yes); the dashboard flags the same workshops."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from db import session_scope
from tests.conftest import Demo, Ws2
from workshops import audit
from workshops.models import AuditEvent, Workshop


def make_old(app: Flask, workshop_id: int) -> None:
    with session_scope(app) as s:
        workshop = s.get(Workshop, workshop_id)
        assert workshop is not None
        workshop.date = dt.date.today() - dt.timedelta(days=400)
        line = audit.record(s, action="auth.login", actor="Gammal")
        line.at = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=800)
        s.commit()


def exists(app: Flask, workshop_id: int) -> bool:
    with session_scope(app) as s:
        return s.get(Workshop, workshop_id) is not None


def test_retention_lists_without_deleting(app, demo: Demo, ws2: Ws2):
    make_old(app, demo.workshop_id)
    result = app.test_cli_runner().invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert "Workshops older than 365 days: 1" in result.output
    assert f"#{demo.workshop_id}" in result.output and "WS1 test" in result.output
    assert "WS2 test" not in result.output
    assert "Audit lines older than 730 days: 1" in result.output
    assert exists(app, demo.workshop_id)


def test_retention_delete_asks_first_and_stops_on_no(app, demo: Demo):
    make_old(app, demo.workshop_id)
    result = app.test_cli_runner().invoke(args=["retention", "--delete"], input="n\n")
    assert result.exit_code != 0
    assert exists(app, demo.workshop_id)


def test_retention_delete_yes_deletes_the_flagged_and_prunes_the_log(app, demo: Demo, ws2: Ws2):
    make_old(app, demo.workshop_id)
    result = app.test_cli_runner().invoke(args=["retention", "--delete", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 workshops and 1 audit lines." in result.output
    assert not exists(app, demo.workshop_id) and exists(app, ws2.workshop_id)
    with session_scope(app) as s:
        left = [(a.action, a.workshop_id) for a in s.query(AuditEvent)]
    assert left == [("retention.delete_workshop", demo.workshop_id)]


def test_retention_days_zero_flags_nothing(app, demo: Demo):
    make_old(app, demo.workshop_id)
    app.config["RETENTION_DAYS"] = 0
    result = app.test_cli_runner().invoke(args=["retention", "--delete", "--yes"])
    assert result.exit_code == 0, result.output
    assert "RETENTION_DAYS is 0" in result.output
    assert exists(app, demo.workshop_id)


def test_the_dashboard_flags_only_the_workshop_past_the_period(app, logged_in, demo, ws2):
    make_old(app, demo.workshop_id)
    page = logged_in.get("/f/").get_data(as_text=True)
    assert page.count("Dags att radera") == 1
    assert "Äldre än 12 månader – radera när rapporten är verifierad." in page
    flagged = page.index("Dags att radera")
    assert page.rfind("WS1 test", 0, flagged) > page.rfind("WS2 test", 0, flagged)
