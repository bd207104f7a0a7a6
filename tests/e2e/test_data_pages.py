"""The data page through the Flask test client: downloads, the anonymity threshold in every
file, an archive that names nobody, and importing an archive as a new workshop."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from db import session_scope
from reports.document import build_report, iter_items
from reports.tables import workshop_tables
from tests.conftest import Demo, Ws2, join_phone, on_the_day, post
from tests.integration.test_archive import answer, held_ws2
from workshops import services, voting
from workshops.models import Participant, Vote, Workshop

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def url(demo: Demo, path: str = "") -> str:
    return f"/f/w/{demo.workshop_id}/data/{path}"


@pytest.fixture
def phones(app: Flask, demo: Demo) -> dict[str, list[tuple[FlaskClient, int]]]:
    """Named phones that joined through the join page: three from BUP, two from Elevhälsa."""
    joined: dict[str, list[tuple[FlaskClient, int]]] = {}
    for org, names in (("BUP", ["Anna Andersson", "Bo", "Cia"]), ("Elevhälsa", ["Dan", "Eva"])):
        for name in names:
            phone = join_phone(app, demo, org, name)
            with phone.session_transaction() as sess:
                token = sess["pt"][demo.code]
            with session_scope(app) as session:
                info = voting.participant_for_token(session, token)
                assert info is not None
            joined.setdefault(org, []).append((phone, info.id))
    return joined


@pytest.fixture
def voted(app: Flask, demo: Demo, phones: dict[str, list[tuple[FlaskClient, int]]]) -> Demo:
    """Statement 1 answered by all five (shown), statement 2 by only two (withheld)."""
    everyone = [pid for org in phones.values() for _phone, pid in org]
    with session_scope(app) as session:
        answer(session, demo.workshop_id, demo.own[0], list(zip(everyone, "yyynd", strict=True)))
        answer(session, demo.workshop_id, demo.own[1], list(zip(everyone[:2], "yn", strict=True)))
    return demo


def download(client: FlaskClient, demo: Demo, name: str, **query: str) -> Any:
    response = client.get(url(demo, f"download/{name}"), query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response


def filename(response: Any) -> str:
    match = re.search(r'filename="([^"]+)"', response.headers["Content-Disposition"])
    assert match, response.headers["Content-Disposition"]
    return match.group(1)


def csv_rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


# --- The page ----------------------------------------------------------------------------------


def test_the_data_page_needs_a_login(client: FlaskClient, demo: Demo) -> None:
    assert client.get(url(demo)).status_code == 302
    assert client.get(url(demo, "download/workshop.json")).status_code == 302
    assert client.get("/f/import").status_code == 302


def test_the_data_page_lists_every_table_and_is_a_workshop_tab(
    logged_in: FlaskClient, voted: Demo
) -> None:
    page = logged_in.get(url(voted)).get_data(as_text=True)
    for key in ("workshop", "organisations", "principals", "statements", "breakdown", "gaps"):
        assert f'id="table-{key}"' in page
    assert 'id="table-roles"' not in page  # a WS1 workshop: no WS2 tables
    assert "färre än 3 svar" in page and 'aria-current="page">Data<' in page
    prepare = logged_in.get(f"/f/w/{voted.workshop_id}").get_data(as_text=True)
    assert f'href="/f/w/{voted.workshop_id}/data/"' in prepare
    assert 'href="/f/import"' in logged_in.get("/f/").get_data(as_text=True)


# --- Downloads ---------------------------------------------------------------------------------


def test_each_download_has_its_type_and_today_s_date_when_the_workshop_has_none(
    logged_in: FlaskClient, voted: Demo
) -> None:
    cases = {
        "workshop.json": ("application/json", "ws1-test-{day}.workshop.json"),
        "tables.xlsx": (XLSX, "ws1-test-{day}-sv.xlsx"),
        "tables.zip": ("application/zip", "ws1-test-{day}-sv-csv.zip"),
        "statements.csv": ("text/csv", "ws1-test-{day}-sv-statements.csv"),
    }
    for name, (media, expected) in cases.items():
        response, days = on_the_day(lambda name=name: download(logged_in, voted, name))
        assert response.mimetype == media
        assert filename(response) in {expected.format(day=day) for day in days}
    english, days = on_the_day(lambda: download(logged_in, voted, "breakdown.csv", language="en"))
    assert filename(english) in {f"ws1-test-{day}-en-breakdown.csv" for day in days}
    assert logged_in.get(url(voted, "download/nothing.csv")).status_code == 404
    assert logged_in.get(url(voted, "download/workshop.exe")).status_code == 404


def test_a_dated_workshop_s_files_carry_its_date_not_the_day_they_were_downloaded(
    app: Flask, logged_in: FlaskClient, voted: Demo
) -> None:
    with session_scope(app) as session:
        session.get(Workshop, voted.workshop_id).date = dt.date(2026, 5, 4)
        session.commit()
    for name, expected in (
        ("workshop.json", "ws1-test-2026-05-04.workshop.json"),
        ("tables.xlsx", "ws1-test-2026-05-04-sv.xlsx"),
        ("gaps.csv", "ws1-test-2026-05-04-sv-gaps.csv"),
        ("tables.zip", "ws1-test-2026-05-04-sv-csv.zip"),
    ):
        assert filename(download(logged_in, voted, name)) == expected
    with zipfile.ZipFile(io.BytesIO(download(logged_in, voted, "tables.zip").data)) as archive:
        assert all(n.startswith("ws1-test-2026-05-04-sv-") for n in archive.namelist())


def test_a_dated_ws2_workshop_s_files_also_carry_the_day_they_show_its_live_map(
    app: Flask, logged_in: FlaskClient, ws2: Ws2
) -> None:
    with session_scope(app) as session:
        session.get(Workshop, ws2.workshop_id).date = dt.date(2026, 5, 4)
        session.commit()
    response, days = on_the_day(
        lambda: logged_in.get(f"/f/w/{ws2.workshop_id}/data/download/tables.xlsx")
    )
    assert filename(response) in {f"ws2-test-2026-05-04-per-{day}-sv.xlsx" for day in days}


def test_a_download_names_its_charset_once(logged_in: FlaskClient, voted: Demo) -> None:
    for name, content_type in (
        ("statements.csv", "text/csv; charset=utf-8"),
        ("workshop.json", "application/json"),
        ("tables.zip", "application/zip"),
    ):
        assert download(logged_in, voted, name).headers["Content-Type"] == content_type


def test_the_zip_holds_every_table_as_csv(logged_in: FlaskClient, voted: Demo) -> None:
    response, days = on_the_day(lambda: download(logged_in, voted, "tables.zip"))
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
    keys = ["workshop", "organisations", "principals", "statements", "breakdown", "gaps"]
    assert names in [
        [f"ws1-test-{day}-sv-{key}.csv" for key in [*keys, "discussion"]] for day in days
    ]


def test_the_xlsx_has_one_sheet_per_table_in_the_chosen_language(
    app: Flask, logged_in: FlaskClient, voted: Demo
) -> None:
    with session_scope(app) as session:
        keys = [t.key for t in workshop_tables(session, voted.workshop_id).tables]
    swedish = load_workbook(io.BytesIO(download(logged_in, voted, "tables.xlsx").data))
    english = load_workbook(
        io.BytesIO(download(logged_in, voted, "tables.xlsx", language="en").data)
    )
    assert len(swedish.sheetnames) == len(english.sheetnames) == len(keys)
    assert swedish.sheetnames[:4] == ["Workshop", "Verksamheter", "Huvudmän", "Påståenden"]
    assert english.sheetnames[:4] == ["Workshop", "Organisations", "Principals", "Statements"]
    sheet = swedish["Verksamheter"]
    assert [c.value for c in sheet[1]] == ["Verksamhet", "Huvudman", "Deltagare"]
    assert [c.value for c in sheet[2]] == ["BUP", "Region", 3]


# --- The anonymity threshold holds in every export ---------------------------------------------


def test_two_answers_show_no_distribution_in_csv_xlsx_or_the_report_tables(
    app: Flask, logged_in: FlaskClient, voted: Demo
) -> None:
    shown, withheld = (
        "Barn och unga 0–18 år",
        "Barn med enbart autism t.o.m. 6 år",
    )
    statements = {
        r["Påstående"]: r for r in csv_rows(download(logged_in, voted, "statements.csv").data)
    }
    assert statements[shown]["Yes"] == "3" and statements[shown]["Fördelning dold"] == ""
    row = statements[withheld]
    assert (row["Antal svar"], row["Yes"], row["No"], row["Let's discuss"]) == ("2", "", "", "")
    assert row["Fördelning dold"] == "färre än 3 svar" and row["Andel Yes (%)"] == ""
    cells = csv_rows(download(logged_in, voted, "breakdown.csv").data)
    assert cells, "the breakdown names every answering organisation"
    # Elevhälsa's 2 are withheld; BUP's 3 too, or Elevhälsa's could be had by subtraction,
    # and BUP's row says so rather than "fewer than 3"
    why = {(c["Påstående"], c["Svarande verksamhet"]): c["Fördelning dold"] for c in cells}
    assert all(cell["Yes"] == "" for cell in cells)
    assert why == {
        (shown, "BUP"): "döljs så att en mindre grupps svar inte kan räknas fram",
        (shown, "Elevhälsa"): "färre än 3 svar",
        (withheld, "BUP"): "färre än 3 svar",
    }

    book = load_workbook(io.BytesIO(download(logged_in, voted, "tables.xlsx").data))
    sheet = book["Påståenden"]
    head = [c.value for c in sheet[1]]
    by_text = {
        r[head.index("Påstående")]: dict(zip(head, r, strict=True))
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert by_text[shown]["Yes"] == 3
    assert by_text[withheld]["Yes"] is None and by_text[withheld]["No"] is None
    assert by_text[withheld]["Fördelning dold"] == "färre än 3 svar"

    with session_scope(app) as session:
        tables = workshop_tables(session, voted.workshop_id)
    table = tables.get("statements")
    report = [dict(zip(table.columns, r, strict=True)) for r in table.rows]
    hidden = next(r for r in report if r["text"] == withheld)
    assert hidden["withheld"] and hidden["yes"] is hidden["no"] is hidden["discuss"] is None

    with session_scope(app) as session:
        items = {i["text"]: i for i in iter_items(build_report(session, voted.workshop_id))}
    # the report sent for verification says the same
    assert items[withheld]["withheld"] and items[withheld]["tally"] is None
    assert items[shown]["tally"]["yes"] == 3


def test_raising_the_threshold_withholds_more(
    app: Flask, logged_in: FlaskClient, voted: Demo
) -> None:
    with session_scope(app) as session:
        services.set_anonymity_threshold(session, workshop_id=voted.workshop_id, threshold=6)
    rows = csv_rows(download(logged_in, voted, "statements.csv").data)
    assert all(r["Yes"] == "" and r["Fördelning dold"] in ("", "färre än 6 svar") for r in rows)
    assert {r["Fördelning dold"] for r in rows if r["Antal svar"] != "0"} == {"färre än 6 svar"}


def test_the_archive_names_no_participant_and_carries_no_token_or_ballot(
    app: Flask,
    logged_in: FlaskClient,
    voted: Demo,
    phones: dict[str, list[tuple[FlaskClient, int]]],
) -> None:
    text = download(logged_in, voted, "workshop.json").get_data(as_text=True)
    document = json.loads(text)
    assert document["format"] == "brygga.workshop/1"
    with session_scope(app) as session:
        hashes = list(session.scalars(select(Participant.token_hash)))
        ballots = list(session.scalars(select(Vote.ballot_id)))
    tokens = []
    for org in phones.values():
        for phone, _pid in org:
            with phone.session_transaction() as sess:
                tokens.append(sess["pt"][voted.code])
    for secret in ("Anna Andersson", "Cia", voted.code, *tokens, *hashes, *ballots):
        assert secret not in text
    assert [o["participants"] for o in document["organisations"]] == [3, 2, 0]


# --- Import ------------------------------------------------------------------------------------


def upload(client: FlaskClient, data: bytes, name: str = "arkiv.json") -> Any:
    return post(
        client,
        "/f/import",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def workshops(app: Flask) -> int:
    with session_scope(app) as session:
        return session.scalar(select(func.count()).select_from(Workshop)) or 0


def test_an_archive_uploaded_on_the_import_page_becomes_a_new_workshop(
    app: Flask, logged_in: FlaskClient, voted: Demo
) -> None:
    archive = download(logged_in, voted, "workshop.json").data
    assert "Importera en workshop" in logged_in.get("/f/import").get_data(as_text=True)
    response = upload(logged_in, archive)
    assert response.status_code == 302
    new_id = int(re.search(r"/f/w/(\d+)$", response.location).group(1))  # type: ignore[union-attr]
    assert new_id != voted.workshop_id
    page = logged_in.get(response.location).get_data(as_text=True)
    assert "Workshopen är importerad" in page
    again = download(logged_in, Demo(new_id, "", {}, [], []), "workshop.json").data
    first, second = json.loads(archive), json.loads(again)
    assert {k for k in first if first[k] != second[k]} <= {"exported_at"}


def test_a_broken_archive_lists_every_problem_and_writes_nothing(
    app: Flask, logged_in: FlaskClient, voted: Demo
) -> None:
    document = json.loads(download(logged_in, voted, "workshop.json").data)
    document["statements"][0]["organisation"] = "o9"
    document["organisations"][0]["participants"] = 1
    before = workshops(app)
    response = upload(logged_in, json.dumps(document).encode(), "trasig.json")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="import-problems"' in page and "trasig.json" in page
    assert "statements[0].organisation: unknown organisation &#39;o9&#39;" in page
    assert "but only 1 took part for it" in page
    assert "Ingenting har lästs in" in page
    assert workshops(app) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "Filen är inte giltig JSON"),
        ("åäö".encode("latin-1"), "Filen är inte UTF-8-text"),
        (b'{"format": "brygga.workshop/9"}', "another version of Brygga"),
    ],
)
def test_a_file_that_is_no_archive_is_refused_with_a_clear_message(
    app: Flask, logged_in: FlaskClient, data: bytes, message: str
) -> None:
    before = workshops(app)
    response = upload(logged_in, data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert workshops(app) == before


def test_a_ws2_workshop_s_tables_include_role_validation_and_the_journey(
    app: Flask, logged_in: FlaskClient, ws2: Ws2
) -> None:
    with session_scope(app) as session:
        held_ws2(session, ws2)
    page = logged_in.get(f"/f/w/{ws2.workshop_id}/data/").get_data(as_text=True)
    for key in ("roles", "role_comments", "transitions", "findings"):
        assert f'id="table-{key}"' in page
    data = logged_in.get(f"/f/w/{ws2.workshop_id}/data/download/tables.xlsx").data
    book = load_workbook(io.BytesIO(data))
    # no empty WS1 sheets (statements, breakdown, expectations, discussion) in a WS2 workbook
    assert book.sheetnames == [
        "Workshop",
        "Verksamheter",
        "Huvudmän",
        "Rollvalidering",
        "Kommentarer om roller",
        "Övergångar",
        "Fynd i resan",
    ]
    assert 'id="table-statements"' not in page
    roles = book["Rollvalidering"]
    head = [c.value for c in roles[1]]
    rows = {
        r[0]: dict(zip(head, r, strict=True)) for r in roles.iter_rows(min_row=2, values_only=True)
    }
    assert rows["4"]["Yes"] == 3 and rows["4"]["Fördelning dold"] is None
    assert rows["7"]["Yes"] is None and rows["7"]["Fördelning dold"] == "färre än 3 svar"
    comments = [r[2] for r in book["Kommentarer om roller"].iter_rows(min_row=2, values_only=True)]
    assert comments == ["Bra", "Saknar EVI", "Skolan bedömer också"]
    assert not {"yes", "no", "Yes", "No"} & {c.value for c in book["Kommentarer om roller"][1]}
