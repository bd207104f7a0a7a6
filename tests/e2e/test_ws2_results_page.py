"""The WS2 results tab: the map's figures, findings and verdicts, and the roles that need
attention, at a glance."""

from __future__ import annotations

import html
import re

from db import session_scope
from journey_maps.summary import journey_summary
from journey_maps.triage import set_triage
from roles import services as roles
from tests.conftest import join_ws2, post
from workshops import voting


def results(client, wid: int, lang: str = "sv") -> str:
    response = client.get(f"/f/w/{wid}/results?lang={lang}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def text_of(page: str, section_id: str) -> str:
    start = page.index(f'id="{section_id}"')
    return " ".join(re.sub(r"<[^>]+>", " ", page[start : page.index("</section>", start)]).split())


def test_the_map_s_figures_findings_and_verdicts_are_summed_up(app, logged_in, ws2):
    wid = ws2.workshop_id
    with session_scope(app) as s:
        summary = journey_summary(s, wid)
    assert summary is not None and summary.critical  # an empty default map: nobody bridges
    first = summary.critical[0]
    with session_scope(app) as s:
        set_triage(s, workshop_id=wid, fingerprint=first.fingerprint, status="confirmed")

    journey = text_of(results(logged_in, wid), "ws2-journey")
    forward = summary.figures.forward_transitions
    assert f"Övergångar som någon roll bär 0 / {forward}" in journey
    assert f"{summary.findings} fynd:" in journey
    label = {"critical": "Kritisk", "high": "Hög", "medium": "Medel", "low": "Låg", "info": "Info"}
    shown = " ".join(f"{label[severity]} {n}" for severity, n in summary.severities)
    assert f"{summary.findings} fynd: {shown} Kritiska fynd" in journey
    assert f"Kritiska fynd ({len(summary.critical)})" in journey
    assert first.message_sv in journey
    assert f"Bedömda på tavlan: 1 av {summary.findings} (Bekräftat 1)" in journey
    assert "Analysen beskriver kartan som workshopen ritade" in journey
    assert f'href="/f/w/{wid}/board"' in results(logged_in, wid)

    english = text_of(results(logged_in, wid, "en"), "ws2-journey")
    assert first.message_en in english and "Critical findings" in english


def test_a_verdict_on_a_finding_that_has_closed_is_not_counted(app, logged_in, ws2):
    with session_scope(app) as s:
        set_triage(
            s, workshop_id=ws2.workshop_id, fingerprint="gone>away:unbridged", status="fixed"
        )
        summary = journey_summary(s, ws2.workshop_id)
    assert summary is not None and summary.judged == ()
    journey = text_of(results(logged_in, ws2.workshop_id), "ws2-journey")
    assert f"Bedömda på tavlan: 0 av {summary.findings}" in journey
    assert "Åtgärdat" not in journey


def test_the_roles_that_need_attention_are_named(app, logged_in, ws2):
    wid = ws2.workshop_id
    post(logged_in, f"/f/w/{wid}/roles/validation/statements")
    with session_scope(app) as s:
        sid = next(
            o.statement_id
            for o in roles.validation_outcomes(s, workshop_id=wid)
            if o.role["code"] == "5B"
        )
    post(logged_in, f"/f/w/{wid}/live/open", {"statement_id": sid})
    _phone, pid = join_ws2(app, ws2, "Elevhälsa")
    with session_scope(app) as s:
        voting.cast_vote(
            s,
            participant_id=pid,
            statement_id=sid,
            choice="yes",
            ballot_id="ballot-5b-0001",
            comment="Saknar LSS-handläggaren",
        )
        total = len(roles.validation_outcomes(s, workshop_id=wid))
    part = text_of(results(logged_in, wid), "ws2-roles")
    # any comment flags a role (the flag must not tell how the one who commented answered)
    assert f"1 av {total} roller har svar · 1 behöver uppmärksamhet" in part
    assert "5B Den som utreder och beslutar om insats/bistånd" in part
    assert "Saknar LSS-handläggaren" not in part  # the comments are on the role outcome page


def test_a_map_without_stages_says_where_to_add_them(app, logged_in, ws2):
    from journey_maps import stages as journey_stages

    with session_scope(app) as s:
        for stage in journey_stages.stages(s, ws2.workshop_id):
            journey_stages.remove_stage(s, workshop_id=ws2.workshop_id, stage_id=stage.id)
    journey = text_of(results(logged_in, ws2.workshop_id), "ws2-journey")
    assert "Kartan har inga steg ännu." in journey


def test_a_ws1_workshop_s_results_have_no_map_or_roles(logged_in, demo):
    page = results(logged_in, demo.workshop_id)
    assert 'id="ws2-journey"' not in page and 'id="ws2-roles"' not in page
