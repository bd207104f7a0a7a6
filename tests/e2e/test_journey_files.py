"""The map files pages through the Flask test client: downloads, import, versions, comparison."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from db import session_scope
from journey_maps import board, placing, triage
from journey_maps import render as rendering
from journey_maps.model import MODE_LIMIT
from reports.tables import table_csv, workshop_tables
from tests.conftest import Ws2, join_ws2, on_the_day, post
from workshops import services
from workshops.setup import prepare_ws2

FIXTURES = Path(__file__).parents[1] / "fixtures" / "journeys"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def url(ws2: Ws2, path: str = "") -> str:
    return f"/f/w/{ws2.workshop_id}/map/{path}"


def text(response: Any) -> str:
    return response.get_data(as_text=True)


def a_small_map(app: Flask, ws2: Ws2, *, notes: bool = False) -> None:
    """Role 3 at the first two stages, role 4 at the third, a handoff 3 → 4 between them."""
    _, school = join_ws2(app, ws2, "Elevhälsa")
    _, bup = join_ws2(app, ws2, "BUP")
    s = ws2.stages
    with session_scope(app) as session:
        for n, (pid, role, stage, org) in enumerate(
            [(school, "3", 0, "Elevhälsa"), (school, "3", 1, "Elevhälsa"), (bup, "4", 2, "BUP")]
        ):
            placing.place_role(
                session,
                participant_id=pid,
                role_id=ws2.roles[role],
                stage_id=s[stage],
                client_id=f"files-p{n}",
                organisation_id=ws2.orgs[org],
                needs="snabb konsultation" if notes and n == 0 else None,
                obstacles="vet inte vart" if notes and n == 0 else None,
            )
        placing.record_handoff(
            session,
            participant_id=bup,
            transition_id=ws2.transitions[(s[1], s[2])],
            from_role_id=ws2.roles["3"],
            to_role_id=ws2.roles["4"],
            client_id="files-h1",
            acknowledged=True,
            notes="ring först",
        )


def upload(client: FlaskClient, ws2_id: int, data: bytes, name: str = "karta.json") -> Any:
    return post(
        client,
        f"/f/w/{ws2_id}/map/import",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def fresh_ws2(app: Flask, facilitator: int, title: str = "Kopia") -> int:
    with session_scope(app) as session:
        wid = services.create_workshop(
            session, owner_id=facilitator, title=title, date=None, target_group="children",
            kind="ws2",
        )  # fmt: skip
        prepare_ws2(session, workshop_id=wid)
    return wid


def document(app: Flask, wid: int) -> dict[str, Any]:
    with session_scope(app) as session:
        return board.journey_document(session, wid)


def without_ids(doc: dict[str, Any]) -> dict[str, Any]:
    """A document with its database ids replaced: stages by their position, no entry ids."""
    position = {s["id"]: f"#{n}" for n, s in enumerate(doc["stages"])}
    renamed = json.dumps({k: v for k, v in doc.items() if k != "title"}, ensure_ascii=False)
    for old, new in sorted(position.items(), key=lambda item: -len(item[0])):
        renamed = renamed.replace(f'"{old}"', f'"{new}"')
    data = json.loads(renamed)
    for key in ("placements", "handoffs"):
        for entry in data[key]:
            entry.pop("id", None)
    return data


# --- Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["", "download/journey.json", "download/diagram.svg", "preview.svg", "compare"]
)
def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login(client, ws2, path):
    response = client.get(url(ws2, path))
    assert response.status_code == 302
    assert "/login" in response.location


def test_an_upload_without_login_is_sent_to_the_login_and_writes_nothing(app, client, ws2):
    before = document(app, ws2.workshop_id)
    response = upload(client, ws2.workshop_id, (FIXTURES / "demo_children.json").read_bytes())
    assert response.status_code == 302 and "/login" in response.location
    assert document(app, ws2.workshop_id) == before


# --- The page and the downloads ----------------------------------------------------------------


def test_the_page_offers_every_download_the_honesty_line_and_a_preview(app, logged_in, ws2):
    a_small_map(app, ws2)
    page = text(logged_in.get(url(ws2)))
    for name in ("journey.json", "diagram.svg", "diagram.png", "diagram.pdf", "diagram.dot"):
        assert url(ws2, f"download/{name}") in page
    for language in ("sv", "en"):
        assert url(ws2, f"download/findings.csv?language={language}") in page
    assert "Analysen beskriver kartan som workshopen ritade" in page
    assert f'<img src="{url(ws2, "preview.svg")}"' in page
    assert "3 placeringar, 1 överlämning," in page
    assert 'style="' not in page and "<script>" not in page


@pytest.mark.parametrize(
    ("name", "media_type", "check"),
    [
        ("journey.json", "application/json", lambda d: json.loads(d)["title"] == "WS2 test"),
        ("findings.json", "application/json", lambda d: "honesty" in json.loads(d)),
        ("findings.csv", "text/csv", lambda d: d.startswith("\ufeffAllvar;Kod;Var;".encode())),
        ("diagram.svg", "image/svg+xml", lambda d: b"<svg" in d and "Första kontakt".encode() in d),
        ("diagram.png", "image/png", lambda d: d.startswith(PNG_MAGIC)),
        ("diagram.pdf", "application/pdf", lambda d: d.startswith(b"%PDF")),
        ("diagram.dot", "text/vnd.graphviz", lambda d: d.startswith(b"digraph")),
    ],
)  # fmt: skip
def test_every_download_has_its_content_type_content_and_a_dated_file_name(
    app, logged_in, ws2, name, media_type, check
):
    a_small_map(app, ws2)
    response, days = on_the_day(lambda: logged_in.get(url(ws2, f"download/{name}")))
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert check(response.data)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="ws2-test-')
    assert any(day in disposition for day in days)


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("journey.json", "application/json"),
        ("findings.json", "application/json"),
        ("findings.csv", "text/csv; charset=utf-8"),
        ("diagram.svg", "image/svg+xml; charset=utf-8"),
        ("diagram.dot", "text/vnd.graphviz; charset=utf-8"),
    ],
)
def test_a_text_download_names_its_charset_once(app, logged_in, ws2, name, content_type):
    a_small_map(app, ws2)
    sid = save(logged_in, ws2, "as_is")
    for path in (f"download/{name}", f"snapshots/{sid}/download/{name}"):
        assert logged_in.get(url(ws2, path)).headers["Content-Type"] == content_type


def findings_rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def test_the_findings_csv_is_the_data_tab_s_table_with_the_verdicts_in_the_language_asked_for(
    app, logged_in, ws2
):
    a_small_map(app, ws2)
    before = findings_rows(logged_in.get(url(ws2, "download/findings.csv")))
    first = before[0]
    assert (first["Bedömt"], first["Motivering"]) == ("", "")
    assert "→" in first["Var"] and not re.search(r"\bs\d+\b", first["Var"])  # names, not ids
    assert first["Allvar"] in {"Kritisk", "Hög", "Medel", "Info"}
    with session_scope(app) as session:
        triage.set_triage(
            session,
            workshop_id=ws2.workshop_id,
            fingerprint=first["Fingeravtryck"],
            status="dismissed",
            reason="Sker i SIP",
        )
    after = findings_rows(logged_in.get(url(ws2, "download/findings.csv")))
    assert (after[0]["Bedömt"], after[0]["Motivering"]) == ("Avfärdat", "Sker i SIP")
    sid = save(logged_in, ws2, "as_is")
    saved = findings_rows(logged_in.get(url(ws2, f"snapshots/{sid}/download/findings.csv")))
    assert saved[0]["Bedömt"] == "Avfärdat"
    with session_scope(app) as session:
        tables = workshop_tables(session, ws2.workshop_id)
        data_tab = table_csv(tables.get("findings"), "sv", tables.threshold)
    assert logged_in.get(url(ws2, "download/findings.csv")).data == data_tab  # one table
    english = logged_in.get(url(ws2, "download/findings.csv?language=en"))
    rows = findings_rows(english)
    assert (rows[0]["Verdict"], rows[0]["Reason"]) == ("Dismissed", "Sker i SIP")
    assert english.headers["Content-Disposition"].endswith('-en.findings.csv"')
    assert "lang=" not in english.headers.get("Set-Cookie", "")


def test_the_diagram_speaks_the_language_asked_for_without_switching_the_interface(
    app, logged_in, ws2
):
    a_small_map(app, ws2)
    english = logged_in.get(url(ws2, "download/diagram.svg?language=en"))
    assert b"First contact" in english.data
    assert 'filename="ws2-test-' in english.headers["Content-Disposition"]
    assert english.headers["Content-Disposition"].endswith('-en.svg"')
    assert "lang=" not in english.headers.get("Set-Cookie", "")
    assert "Första kontakt".encode() in logged_in.get(url(ws2, "download/diagram.dot")).data


def test_the_preview_is_served_inline_for_the_page_image(app, logged_in, ws2):
    a_small_map(app, ws2)
    response = logged_in.get(url(ws2, "preview.svg"))
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "Content-Disposition" not in response.headers


def test_an_unknown_download_is_not_found(logged_in, ws2):
    assert logged_in.get(url(ws2, "download/diagram.gif")).status_code == 404


# --- Without Graphviz --------------------------------------------------------------------------


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """A server without Graphviz: nothing called `dot` on PATH."""
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not rendering.dot_available()


def test_without_graphviz_the_page_says_so_and_still_offers_dot_json_and_csv(
    app, logged_in, ws2, no_dot
):
    a_small_map(app, ws2)
    page = text(logged_in.get(url(ws2)))
    assert "Graphviz (programmet dot) finns inte på servern" in page
    for name in ("diagram.svg", "diagram.png", "diagram.pdf"):
        assert url(ws2, f"download/{name}") not in page
    assert url(ws2, "preview.svg") not in page
    for name in ("diagram.dot", "journey.json", "findings.json", "findings.csv"):
        assert url(ws2, f"download/{name}") in page
        assert logged_in.get(url(ws2, f"download/{name}")).status_code == 200


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_without_graphviz_a_drawing_answers_with_a_message_not_an_error(
    app, logged_in, ws2, no_dot, fmt
):
    response = logged_in.get(url(ws2, f"download/diagram.{fmt}"), follow_redirects=True)
    assert response.status_code == 200
    assert "Diagrammet kan inte ritas: Graphviz (dot) finns inte på servern" in text(response)
    assert logged_in.get(url(ws2, "preview.svg")).status_code == 503


def test_when_graphviz_fails_the_page_says_so(app, logged_in, ws2, monkeypatch):
    def broken(dot_source: str, fmt: str, *, title: str | None = None) -> bytes:
        raise rendering.RenderError("syntax error in line 1")

    monkeypatch.setattr(rendering, "render", broken)
    response = logged_in.get(url(ws2, "download/diagram.pdf"), follow_redirects=True)
    assert response.status_code == 200
    assert "Graphviz kunde inte rita diagrammet" in text(response)


# --- Import ----------------------------------------------------------------------------------


def test_a_map_exported_and_imported_into_a_fresh_workshop_exports_the_same(
    app, logged_in, ws2, facilitator
):
    a_small_map(app, ws2)
    exported = logged_in.get(url(ws2, "download/journey.json")).data
    copy = fresh_ws2(app, facilitator)

    response = upload(logged_in, copy, exported)
    assert response.status_code == 302
    again = logged_in.get(f"/f/w/{copy}/map/download/journey.json").data

    original, imported = json.loads(exported), json.loads(again)
    assert imported["title"] == "Kopia"
    assert without_ids(imported) == without_ids(original)
    page = text(logged_in.get(f"/f/w/{copy}/map/"))
    assert "Kartan lästes in: 7 steg, 8 övergångar, 3 placeringar, 1 överlämning." in page


def test_placement_notes_survive_a_round_trip(app, logged_in, ws2, facilitator):
    a_small_map(app, ws2, notes=True)
    exported = logged_in.get(url(ws2, "download/journey.json")).data
    copy = fresh_ws2(app, facilitator)
    upload(logged_in, copy, exported)
    again = logged_in.get(f"/f/w/{copy}/map/download/journey.json").data
    assert without_ids(json.loads(again)) == without_ids(json.loads(exported))


def test_an_import_with_a_too_long_mode_names_it_among_the_other_problems_and_cuts_nothing(
    app, logged_in, ws2
):
    before = document(app, ws2.workshop_id)
    broken = json.loads((FIXTURES / "demo_children.json").read_text(encoding="utf-8"))
    broken["handoffs"][0]["mode"] = "följer med till besöket och " * 5
    broken["placements"][0]["role"] = "99"
    response = upload(logged_in, ws2.workshop_id, json.dumps(broken).encode())
    assert response.status_code == 400
    page = text(response)
    assert "Filen karta.json lästes inte in – 2 fel att rätta:" in page
    assert f"handoffs[0]: &#39;mode&#39; is 140 characters long, at most {MODE_LIMIT}" in page
    assert "placements[0]: unknown role &#39;99&#39;" in page
    assert document(app, ws2.workshop_id) == before


def test_an_import_with_broken_references_lists_every_problem_and_writes_nothing(
    app, logged_in, ws2
):
    before = document(app, ws2.workshop_id)
    response = upload(logged_in, ws2.workshop_id, (FIXTURES / "invalid.json").read_bytes())
    assert response.status_code == 400
    page = text(response)
    assert "Filen karta.json lästes inte in" in page
    for problem in (
        "stages[1]: duplicate stage id &#39;s1&#39;",
        "transitions[0]: unknown stage &#39;s9&#39;",
        "placements[2]: unknown role &#39;99&#39;",
    ):
        assert problem in page
    problems = re.search(r'<div class="problems".*?</div>', page, re.S)
    assert problems is not None and problems.group(0).count("<li>") >= 10
    assert "Ingenting ändrades i workshopen." in page
    assert document(app, ws2.workshop_id) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"format": "brygga.journey/1",\n "title": }', "Filen är inte giltig JSON: rad 2"),
        ("ö".encode("latin-1"), "Filen är inte text i UTF-8"),
        (b"[]", "the document must be a JSON object"),
    ],
)
def test_a_file_that_is_not_a_journey_is_refused_with_the_reason(
    app, logged_in, ws2, data, message
):
    before = document(app, ws2.workshop_id)
    response = upload(logged_in, ws2.workshop_id, data)
    assert response.status_code == 400
    assert message in text(response)
    assert document(app, ws2.workshop_id) == before


def test_a_file_over_the_size_limit_is_refused_with_the_limit(app, logged_in, ws2):
    before = document(app, ws2.workshop_id)
    response = upload(logged_in, ws2.workshop_id, b" " * (2 * 1024 * 1024 + 1))
    assert response.status_code == 413
    assert "Filen är för stor (högst 2 MB)." in text(response)
    assert document(app, ws2.workshop_id) == before


def test_an_import_without_a_file_asks_for_one(logged_in, ws2):
    response = post(logged_in, url(ws2, "import"), {}, follow_redirects=True)
    assert "Välj en fil att läsa in." in text(response)


def test_an_import_over_placed_roles_is_refused_and_explained(app, logged_in, ws2):
    a_small_map(app, ws2)
    before = document(app, ws2.workshop_id)
    page = text(logged_in.get(url(ws2)))
    assert "Deltagare har redan placerat roller" in page
    response = upload(logged_in, ws2.workshop_id, (FIXTURES / "demo_children.json").read_bytes())
    assert response.status_code == 302
    followed = text(logged_in.get(response.location))
    assert "Kartan kan bara läsas in i en workshop där ingen har placerat roller än." in followed
    assert document(app, ws2.workshop_id) == before


def test_a_valid_map_replaces_an_empty_workshops_stages(app, logged_in, ws2):
    response = upload(logged_in, ws2.workshop_id, (FIXTURES / "demo_children.json").read_bytes())
    assert response.status_code == 302
    demo = json.loads((FIXTURES / "demo_children.json").read_text("utf-8"))
    imported = document(app, ws2.workshop_id)
    assert [s["label"] for s in imported["stages"]] == [s["label"] for s in demo["stages"]]
    assert len(imported["placements"]) == len(demo["placements"])


# --- Versions --------------------------------------------------------------------------------


def save(client: FlaskClient, ws2: Ws2, kind: str, label: str = "") -> int:
    """Save a version through the form; returns its id, read from the page it lands on."""
    response = post(client, url(ws2, "snapshots"), {"kind": kind, "label": label})
    assert response.status_code == 302, text(response)
    page = text(client.get(response.location))
    assert "Versionen är sparad." in page
    return max(int(i) for i in re.findall(r'id="snapshot-(\d+)"', page))


def test_a_saved_version_is_listed_downloaded_and_deleted(app, logged_in, ws2):
    a_small_map(app, ws2)
    sid = save(logged_in, ws2, "as_is", "Före workshopen")
    page = text(logged_in.get(url(ws2)))
    assert "Nuläge</span> Före workshopen" in page

    snap = logged_in.get(url(ws2, f"snapshots/{sid}/download/journey.json"))
    assert snap.mimetype == "application/json"
    assert json.loads(snap.data)["snapshot"] == "Före workshopen"
    assert 'filename="ws2-test-nulage-fore-workshopen-' in snap.headers["Content-Disposition"]
    svg = logged_in.get(url(ws2, f"snapshots/{sid}/download/diagram.svg"))
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data

    response = post(logged_in, url(ws2, f"snapshots/{sid}/delete"), follow_redirects=True)
    assert "Versionen är borttagen." in text(response)
    assert f'id="snapshot-{sid}"' not in text(response)
    assert logged_in.get(url(ws2, f"snapshots/{sid}/download/journey.json")).status_code == 404


def test_a_dated_workshop_s_map_files_carry_its_date_and_a_version_the_day_it_was_saved(
    app, logged_in, ws2
):
    a_small_map(app, ws2)
    with session_scope(app) as session:
        services.get_workshop(session, ws2.workshop_id).date = dt.date(2019, 3, 14)
        session.commit()
    # the live map as it is today: a download on another day gets another name
    live, days = on_the_day(lambda: logged_in.get(url(ws2, "download/journey.json")))
    assert live.headers["Content-Disposition"] in {
        f'attachment; filename="ws2-test-2019-03-14-per-{day}.journey.json"' for day in days
    }
    findings, days = on_the_day(lambda: logged_in.get(url(ws2, "download/findings.csv")))
    assert findings.headers["Content-Disposition"] in {
        f'attachment; filename="ws2-test-2019-03-14-per-{day}-sv.findings.csv"' for day in days
    }

    sid = save(logged_in, ws2, "to_be")
    snap = logged_in.get(url(ws2, f"snapshots/{sid}/download/journey.json"))
    saved = re.search(
        r'filename="ws2-test-malbild-([\d-]+)\.journey\.json"', snap.headers["Content-Disposition"]
    )
    assert saved and saved.group(1) != "2019-03-14"  # the day it was saved, not the workshop's


def test_a_version_with_a_bad_kind_is_refused_with_a_message(logged_in, ws2):
    response = post(logged_in, url(ws2, "snapshots"), {"kind": "x"}, follow_redirects=True)
    assert "Välj nuläge, målbild eller annan version." in text(response)
    assert 'id="snapshot-' not in text(response)


def test_deleting_a_version_needs_the_csrf_token(logged_in, ws2):
    sid = save(logged_in, ws2, "to_be")
    assert logged_in.post(url(ws2, f"snapshots/{sid}/delete")).status_code == 400
    assert f'id="snapshot-{sid}"' in text(logged_in.get(url(ws2)))


# --- Comparison ------------------------------------------------------------------------------


def test_the_compare_page_shows_closed_opened_persisting_and_the_figures(app, logged_in, ws2):
    sid = save(logged_in, ws2, "as_is")  # the empty map
    a_small_map(app, ws2)
    page = text(logged_in.get(url(ws2, f"compare?before=snapshot:{sid}&after=live")))
    assert "Analysen beskriver kartan som workshopen ritade" in page
    closed = re.search(r'<ul class="finding-list" id="closed">(.*?)</ul>', page, re.S)
    opened = re.search(r'<ul class="finding-list" id="opened">(.*?)</ul>', page, re.S)
    persisting = re.search(r'<ul class="finding-list" id="persisting">(.*?)</ul>', page, re.S)
    assert closed and opened and persisting
    assert "Ingen roll i steget ”Första kontakt”" in closed.group(1)
    assert "hänger på en roll" in opened.group(1)
    assert "Ingen roll i steget ”Utredning (klinisk eller myndighet)”" in persisting.group(1)
    assert "Övergångar som bärs (k ≥ 1)" in page
    assert "0/6" in page and "2/6" in page


def test_the_compare_page_speaks_english_when_asked(app, logged_in, ws2):
    sid = save(logged_in, ws2, "as_is")
    a_small_map(app, ws2)
    page = text(logged_in.get(url(ws2, f"compare?before=snapshot:{sid}&after=live&lang=en")))
    closed = re.search(r'<ul class="finding-list" id="closed">(.*?)</ul>', page, re.S)
    assert closed is not None
    assert "No role at the stage “First contact”" in closed.group(1)
    assert "Ingen roll" not in page
    assert "The analysis describes the map the workshop drew" in page
    assert "Closed findings" in page


def test_the_compare_page_offers_another_ws2_workshop(app, logged_in, ws2, facilitator):
    adults = fresh_ws2(app, facilitator, title="Vuxna – Östra")
    page = text(logged_in.get(url(ws2, "compare")))
    assert f'value="workshop:{adults}"' in page
    result = text(logged_in.get(url(ws2, f"compare?before=live&after=workshop:{adults}")))
    assert "stegen har parats ihop efter namn" in result


def test_comparing_a_map_with_itself_is_refused_with_a_message(logged_in, ws2):
    response = logged_in.get(url(ws2, "compare?before=live&after=live"))
    assert response.status_code == 400
    assert "Välj två olika kartor att jämföra." in text(response)


def test_a_ws1_workshop_says_it_has_no_journey_map(logged_in, demo):
    page = text(logged_in.get(f"/f/w/{demo.workshop_id}/map/"))
    assert "Det här är en WS1-workshop" in page


def test_the_compare_link_shows_once_there_is_another_map_to_compare_with(
    app, logged_in, ws2, facilitator
):
    compare = f'href="{url(ws2, "compare")}"'
    assert compare not in text(logged_in.get(url(ws2)))  # only the map as it is now
    save(logged_in, ws2, "as_is")
    assert compare in text(logged_in.get(url(ws2)))


def test_another_ws2_workshop_is_enough_to_compare_with(app, logged_in, ws2, facilitator):
    fresh_ws2(app, facilitator, title="Vuxna – Östra")
    page = text(logged_in.get(url(ws2)))
    assert f'href="{url(ws2, "compare")}">Jämför kartor</a>' in page


def test_the_dashboard_shows_a_ws2_workshop_by_its_board(app, logged_in, ws2, demo):
    a_small_map(app, ws2)
    page = text(logged_in.get("/f/"))
    item = re.search(
        rf'<li class="card workshop-item">((?:(?!</li>).)*?{ws2.code}.*?)</li>', page, re.S
    )
    assert item is not None
    assert "WS2 · " in item.group(1)
    assert "3 placeringar · " in item.group(1)
    assert f'href="/f/w/{ws2.workshop_id}/board"' in item.group(1)
    assert f'href="/f/w/{ws2.workshop_id}/console"' not in item.group(1)
    assert f'href="/f/w/{demo.workshop_id}/console"' in page  # a WS1 workshop keeps Kör live
