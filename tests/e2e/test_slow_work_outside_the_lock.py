"""Laying out a PDF takes a second or more of CPU, drawing a diagram tens of milliseconds, and
on SQLite every transaction holds the database's write lock (``db.make_engine``). No download
may hold the lock meanwhile: every vote in every room on the server would wait for it.

Probes stand in for the layout and wrap each run of Graphviz's ``dot``: at the moment they are
called, they try to take the write lock from a second connection without waiting, and record
whether it was free. The layout's probe returns a stand-in, so nothing here needs WeasyPrint's
CPU; the drawings are real (the tests that draw need ``dot``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from db import session_scope
from journey_maps import render as drawing
from projects import services as project_services
from projects.bundle import journey_files
from reports import render as layout
from tests.conftest import Demo, Ws2, post
from tests.e2e.test_verification_pages import bup_on_a_published_map, new_link, publish

pytestmark = pytest.mark.lead  # the project pages are open to a project lead


@dataclass
class Probe:
    """Whether the write lock was free each time slow work began, and which work it was."""

    database: Path
    seen: list[tuple[str, bool]] = field(default_factory=list)

    def lock_is_free(self) -> bool:
        raw = sqlite3.connect(self.database, isolation_level=None, timeout=0)
        try:
            raw.execute("BEGIN IMMEDIATE")
            raw.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            raw.close()

    def saw(self, what: str) -> None:
        self.seen.append((what, self.lock_is_free()))

    def held(self) -> list[str]:
        return [what for what, free in self.seen if not free]


@pytest.fixture
def probe(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Probe:
    url = app.config["DATABASE_URL"]
    found = Probe(Path(url.removeprefix("sqlite:///")))

    def pdf(html: str) -> bytes:
        found.saw("pdf")
        return b"%PDF-1.7 stand-in"

    real_run = drawing._run

    def dot(args: list[str], source: str) -> bytes:
        found.saw("dot")
        return real_run(args, source)

    monkeypatch.setattr(layout, "_layout", pdf)
    monkeypatch.setattr(drawing, "_run", dot)
    return found


NEEDS_DOT = pytest.mark.skipif(not drawing.dot_available(), reason="needs Graphviz (dot)")


def fetched(client: FlaskClient, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.data


def assert_lock_free_while(probe: Probe, fetch: Callable[[], object], *, expect: str) -> None:
    probe.seen.clear()
    fetch()
    assert expect in {what for what, _ in probe.seen}, probe.seen  # the slow work was reached
    assert probe.held() == [], probe.seen


def test_report_pdfs_are_laid_out_without_the_lock(app, logged_in, demo: Demo, probe):
    publish(logged_in, demo, "Första utskicket")
    token = new_link(logged_in, demo)
    wid, bup = demo.workshop_id, demo.orgs["BUP"]
    for url in (
        f"/f/w/{wid}/report/report.pdf",
        f"/f/w/{wid}/verification/versions/1.pdf",
        f"/f/w/{wid}/verification/versions/1.pdf?for={bup}",
        f"/v/{token}/report.pdf",
    ):
        assert_lock_free_while(probe, lambda url=url: fetched(logged_in, url), expect="pdf")


@NEEDS_DOT
def test_a_map_is_drawn_without_the_lock(app, logged_in, ws2: Ws2, probe):
    token = bup_on_a_published_map(app, logged_in, ws2)
    wid = ws2.workshop_id
    assert (
        post(logged_in, f"/f/w/{wid}/map/snapshots", {"kind": "as_is", "label": ""}).status_code
        == 302
    )
    for url in (
        f"/f/w/{wid}/map/preview.svg",
        f"/f/w/{wid}/map/download/diagram.svg",
        f"/f/w/{wid}/map/download/diagram.pdf",
        f"/f/w/{wid}/map/download/diagram.png",
        f"/f/w/{wid}/map/snapshots/1/download/diagram.pdf",
        f"/f/w/{wid}/report/",
        f"/f/w/{wid}/verification/versions/1",
        f"/v/{token}",
    ):
        assert_lock_free_while(probe, lambda url=url: fetched(logged_in, url), expect="dot")
    assert_lock_free_while(
        probe, lambda: fetched(logged_in, f"/f/w/{wid}/report/report.pdf"), expect="pdf"
    )


@NEEDS_DOT
def test_a_project_s_overview_and_zip_are_made_without_the_lock(
    app, logged_in, demo: Demo, ws2: Ws2, probe
):
    publish(logged_in, demo)  # one published report, and a draft with a map
    with session_scope(app) as s:
        pid = project_services.create_project(s, name="Ingen ska falla mellan stolarna")
        for wid in (demo.workshop_id, ws2.workshop_id):
            project_services.assign_workshop(s, project_id=pid, workshop_id=wid)
    assert_lock_free_while(
        probe, lambda: fetched(logged_in, f"/f/projects/{pid}/overview.pdf"), expect="pdf"
    )
    assert_lock_free_while(
        probe, lambda: fetched(logged_in, f"/f/projects/{pid}/bundle.zip"), expect="pdf"
    )
    assert {"pdf", "dot"} <= {what for what, _ in probe.seen}


@NEEDS_DOT
def test_a_map_without_a_report_part_is_drawn_without_the_lock(app, ws2: Ws2, probe):
    # a ZIP draws today's map beside a version published before the map had stages
    with app.app_context(), session_scope(app) as session:
        files = journey_files(session, ws2.workshop_id, lang="sv")
    assert "diagram.svg" in dict(files)
    assert "dot" in {what for what, _ in probe.seen}
    assert probe.held() == [], probe.seen
