"""The live pages hand their scripts the messages those scripts show, and no others: a phone's
page carried the whole catalogue (some 100 KB) before, on every load, over a venue's network."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

import i18n
from journey_maps.placing import HANDOFF_MODES
from tests.conftest import Demo, Ws2, join_phone, join_ws2, page_data

SCRIPT_TAG = re.compile(r'<script src="/static/(js/[^"?]+)')


def shown_by(html: str) -> set[str]:
    """Every catalogue message named in the scripts the page loads (read off its script tags,
    not the template's list)."""
    scripts = tuple(SCRIPT_TAG.findall(html))
    assert scripts, "a live page loads its scripts"
    return set(i18n.client_catalogue("sv", scripts))


# page -> messages it must carry, picked by hand (a broken reading of the scripts drops them)
EXPECTED = {
    "phone": {
        "vote.yes",
        "vote.discuss",
        "explain.own.yes",
        "explain.others.mandate.no",
        "phone.saved",
        "progress.voted.one",
        "conn.online",
        "anonymity.withheld",
    },
    "journey phone": {"pj.agree", "conn.offline", *(f"pj.mode.{m}" for m in HANDOFF_MODES)},
    "projector": {"projector.welcome", "progress.n_of_m", "vote.no", "topic.mandate"},
    "console": {"console.open", "console.on_screen", "state.open", "progress.have_voted"},
    "board": {"board.agree_n", "board.journey_is_open", "count.participants"},
    "board projector": {"board.agree_n", "count.handoffs", "conn.connecting"},
}


@pytest.fixture
def pages(app: Flask, demo: Demo, ws2: Ws2, logged_in: FlaskClient) -> dict[str, str]:
    ws1_phone = join_phone(app, demo, "BUP")
    ws2_phone, _ = join_ws2(app, ws2, "BUP")
    urls = {
        "phone": (ws1_phone, f"/{demo.code}/p"),
        "journey phone": (ws2_phone, f"/{ws2.code}/journey"),
        "projector": (logged_in, f"/f/w/{demo.workshop_id}/projector"),
        "console": (logged_in, f"/f/w/{demo.workshop_id}/console"),
        "board": (logged_in, f"/f/w/{ws2.workshop_id}/board"),
        "board projector": (logged_in, f"/f/w/{ws2.workshop_id}/board/projector"),
    }
    html = {}
    for name, (client, url) in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        html[name] = response.get_data(as_text=True)
    return html


def test_each_live_page_carries_what_its_scripts_show_and_nothing_else(pages):
    everything = i18n.catalogue("sv")
    for name, html in pages.items():
        carried = page_data(html)["t"]
        assert set(carried) == shown_by(html), name
        assert EXPECTED[name] <= set(carried), name
        assert all(carried[k] == everything[k] for k in carried), name
        assert "report.title" not in carried and len(carried) < len(everything) / 8, name


def test_a_phone_page_is_a_few_kilobytes(pages):
    assert len(pages["phone"].encode()) < 16_000  # 108 KB with the whole catalogue
    assert len(pages["journey phone"].encode()) < 32_000


def test_the_phone_gets_its_messages_in_english_when_asked(app: Flask, demo: Demo):
    phone = join_phone(app, demo, "BUP")
    html = phone.get(f"/{demo.code}/p?lang=en").get_data(as_text=True)
    carried = page_data(html)["t"]
    assert carried["vote.discuss"] == "Let's discuss"
    assert carried["phone.saved"] == i18n.catalogue("en")["phone.saved"]
    assert set(carried) == shown_by(html)


def test_every_message_a_script_shows_is_named_by_a_literal():
    """The rule ``i18n.named_in_script`` relies on: the first argument of every ``t(…)`` call
    holds a quoted name (``t("phone.saved")``, ``t("explain." + topic)``,
    ``t(ok ? "a.b" : "a.c")``); a name that arrived from elsewhere would reach no page."""
    unnamed = []
    for path in sorted((i18n.STATIC / "js").glob("*.js")):
        source = path.read_text("utf-8")
        for call in re.finditer(r"(?<![\w.$])t\(", source):
            if source[max(0, call.start() - 9) : call.start()] == "function ":
                continue
            first = _first_argument(source, call.end())
            if '"' not in first and "'" not in first:
                unnamed.append(f"{path.name}: t({first}")
    assert unnamed == []


def _first_argument(source: str, start: int) -> str:
    depth = 0
    for i in range(start, len(source)):
        c = source[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                return source[start:i]
            depth -= 1
        elif c == "," and depth == 0:
            return source[start:i]
    return source[start:]


def test_a_page_may_name_only_the_app_s_own_scripts():
    with pytest.raises(ValueError, match="not a script of this app"):
        i18n.client_catalogue("sv", ("../../app.py",))
    with pytest.raises(ValueError, match="not a script of this app"):
        i18n.client_catalogue("sv", ("css/app.css",))
