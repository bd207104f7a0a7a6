"""The data tables without a database: aggregates only, withheld under the threshold, and files
that Swedish Excel opens as they are."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from journey_maps.analysis import gap_report
from journey_maps.findings_table import map_findings_csv
from journey_maps.format import load_journey
from reports.archive_check import fingerprint_stages, rename_fingerprint
from reports.tables import (
    Label,
    StatementRow,
    Table,
    WorkshopTables,
    breakdown_table,
    csv_zip,
    discussion_table,
    distribution,
    gaps_table,
    principals_table,
    role_comments_table,
    roles_table,
    sheet_name,
    statements_table,
    table_csv,
    tables_xlsx,
    workshop_table,
)
from roles.services import RoleOutcome
from workshops.domain import StatementResult, Tally

FIXTURES = Path(__file__).parents[1] / "fixtures" / "journeys"


def row(number: int, tally: Tally, **kw: object) -> StatementRow:
    result = StatementResult(
        number * 10, "Habilitering", "mandate", "others", f"påstående {number}", tally
    )
    return StatementRow(number, result, **kw)  # type: ignore[arg-type]


def cells(table: Table, index: int) -> dict[str, object]:
    return dict(zip(table.columns, table.rows[index], strict=True))


def outcome(code: str, tally: Tally, comments: tuple[tuple[str, str], ...] = ()) -> RoleOutcome:
    role = {"code": code, "name": {"sv": f"Roll {code}", "en": f"Role {code}"}}
    return RoleOutcome(role, 1, "closed", tally, comments, None, None, False, threshold=3)


# --- The anonymity threshold -------------------------------------------------------------------


def test_a_distribution_answered_by_fewer_than_the_threshold_is_withheld_but_counted() -> None:
    answers, yes, no, discuss, share, withheld = distribution(Tally(yes=1, no=1), 3)
    assert (answers, yes, no, discuss, share) == (2, None, None, None, None)
    assert withheld == Label("data.withheld", (("threshold", 3),))
    assert distribution(Tally(yes=2, no=1), 3) == (3, 2, 1, 0, 67, None)


def test_a_withheld_statement_says_nothing_about_gaps_or_splits() -> None:
    table = statements_table([row(1, Tally(no=2), gap=True, split=True)], 3)
    got = cells(table, 0)
    assert got["withheld"] and got["answers"] == 2
    assert [got[k] for k in ("yes", "no", "discuss", "expectation_gap", "split")] == [None] * 5


def test_a_breakdown_cell_under_the_threshold_is_marked_withheld_never_left_out() -> None:
    statement = row(1, Tally(yes=5, no=1))
    table = breakdown_table(
        [statement], {statement.result.id: {"BUP": Tally(yes=3), "IFO": None}}, 3
    )
    assert [cells(table, i)["answering_organisation"] for i in range(2)] == ["BUP", "IFO"]
    ifo = cells(table, 1)
    assert ifo["withheld"] and ifo["answers"] is ifo["yes"] is ifo["no"] is None
    assert cells(table, 0)["yes"] == 3 and not cells(table, 0)["withheld"]


def test_how_many_raised_a_withheld_statement_is_not_shown() -> None:
    table = discussion_table([row(1, Tally(discuss=2)), row(2, Tally(discuss=3))], [20, 10], 3)
    assert [cells(table, i)["number"] for i in range(2)] == [2, 1]
    assert cells(table, 0)["raised"] == 3 and not cells(table, 0)["withheld"]
    assert cells(table, 1)["raised"] is None and cells(table, 1)["withheld"]


def test_a_role_validated_by_too_few_is_withheld() -> None:
    table = roles_table([outcome("4", Tally(yes=2)), outcome("7", Tally(yes=3))], 3, "en")
    assert cells(table, 0)["withheld"] and cells(table, 0)["yes"] is None
    assert cells(table, 1)["yes"] == 3 and cells(table, 1)["role"] == "Role 7"


def test_role_comments_come_without_the_answer_they_came_with() -> None:
    table = role_comments_table(
        [outcome("4", Tally(yes=2, no=1), (("no", "saknar skolan"), ("yes", "Bra")))], "sv"
    )
    assert table.columns == ("code", "role", "comment")
    assert table.rows == (("4", "Roll 4", "Bra"), ("4", "Roll 4", "saknar skolan"))


# --- The other tables --------------------------------------------------------------------------


def test_attendance_per_principal_counts_organisations_and_participants() -> None:
    table = principals_table(
        [("BUP", "region", 3), ("Hab", "region", 0), ("IFO", "municipality", 2)]
    )
    assert table.rows == (
        (Label("principal.municipality"), 1, 1, 2),
        (Label("principal.region"), 2, 1, 3),
    )


def test_an_expectation_gap_names_the_other_organisations_it_recurs_at() -> None:
    gap = row(3, Tally(no=3), gap=True)
    table = gaps_table([gap, row(4, Tally(yes=3))], [("Påstående 3.", ["BUP", "Habilitering"])])
    assert len(table.rows) == 1 and cells(table, 0)["also"] == "BUP"


# --- Files -------------------------------------------------------------------------------------


def sample(threshold: int = 3) -> WorkshopTables:
    return WorkshopTables(
        "WS1 – Barn och unga",
        "ws1",
        threshold,
        (
            workshop_table([("title", "WS1 – Barn och unga"), ("date", dt.date(2026, 5, 4))]),
            statements_table(
                [row(1, Tally(yes=2, no=1), note='=HYPERLINK("x")'), row(2, Tally(no=2))],
                threshold,
            ),
        ),
    )


def test_csv_opens_in_swedish_excel_utf8_with_bom_and_semicolons() -> None:
    tables = sample()
    data = table_csv(tables.get("statements"), "sv", 3)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    head = rows[0]
    assert head[:5] == ["Nr", "Verksamhet", "Ämne", "Perspektiv", "Påstående"]
    first, second = (dict(zip(head, r, strict=True)) for r in rows[1:])
    assert (
        first["Yes"] == "2"
        and first["Andel Yes (%)"] == "67"
        and first["Ämne"] == "Uppdrag / insatser"
    )
    assert first["Anteckning"].startswith("'=")  # never a formula in the reader's spreadsheet
    assert (second["Antal svar"], second["Yes"], second["No"]) == ("2", "", "")
    assert second["Fördelning dold"] == "färre än 3 svar"
    assert first["Dold för rummet"] == "nej"


def test_the_csv_zip_holds_one_file_per_table() -> None:
    with zipfile.ZipFile(io.BytesIO(csv_zip(sample(), "en", "ws1-2026-05-04-en"))) as archive:
        assert archive.namelist() == [
            "ws1-2026-05-04-en-workshop.csv",
            "ws1-2026-05-04-en-statements.csv",
        ]
        text = archive.read("ws1-2026-05-04-en-statements.csv").decode("utf-8-sig")
    assert "fewer than 3 answers" in text and text.splitlines()[0].startswith("No.;Organisation")


def test_a_map_s_findings_csv_is_the_data_tab_s_table_with_stage_names_and_verdicts() -> None:
    journey = load_journey(FIXTURES / "loops_pingpong.json")
    verdicts = {"c4>c5:unbridged": {"status": "dismissed", "reason": "Ingen övergång i praktiken"}}
    data = map_findings_csv(journey, verdicts, "sv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    head = rows[0]
    assert head[:7] == ["Allvar", "Kod", "Var", "Roller", "Fynd", "Bedömt", "Motivering"]
    first = dict(zip(head, rows[1], strict=True))
    stages = {s.id: s.label for s in journey.stages}
    assert first["Allvar"] == "Kritisk" and first["Kod"] == "unbridged"
    assert first["Var"] == f"{stages['c4']} → {stages['c5']}"
    assert (first["Bedömt"], first["Motivering"]) == ("Avfärdat", "Ingen övergång i praktiken")
    assert len(rows) == 1 + len(gap_report(journey).findings)
    english = map_findings_csv(journey, verdicts, "en").decode("utf-8-sig")
    assert english.startswith("Severity;Code;Where;") and "Critical;unbridged;" in english


def test_xlsx_has_one_sheet_per_table_with_a_bold_frozen_header_and_real_dates() -> None:
    book = load_workbook(io.BytesIO(tables_xlsx(sample(), "sv")))
    assert book.sheetnames == ["Workshop", "Påståenden"]
    info, statements = book["Workshop"], book["Påståenden"]
    assert info.freeze_panes == statements.freeze_panes == "A2"
    assert all(cell.font.bold for cell in statements[1])
    assert info["B3"].value == dt.datetime(2026, 5, 4) and info["B3"].is_date
    assert statements["O2"].value == '=HYPERLINK("x")' and statements["O2"].data_type == "s"
    assert [c.value for c in statements[3]][5:11] == [2, None, None, None, None, "färre än 3 svar"]
    assert 10 < statements.column_dimensions["E"].width <= 62


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_sheet_name_fits_excel(lang: str) -> None:
    keys = [
        *("workshop", "organisations", "principals", "statements", "breakdown", "gaps"),
        *("discussion", "roles", "role_comments", "transitions", "findings"),
    ]
    names = [sheet_name(Table(key, ()), lang) for key in keys]
    assert len(set(names)) == len(names)
    assert all(0 < len(name) <= 31 and not set(name) & set("[]:*?/\\") for name in names)


# --- Fingerprints in the archive ---------------------------------------------------------------


def test_a_verdict_s_fingerprint_follows_its_stages_to_their_new_ids() -> None:
    names = {"s12": "s1", "s13": "s2", "s14": "s3"}
    assert rename_fingerprint("s12>s13:unacknowledged:3>4", names) == "s1>s2:unacknowledged:3>4"
    assert rename_fingerprint("loop:s14>s13:loop_without_holder", names) == (
        "loop:s3>s2:loop_without_holder"
    )
    assert rename_fingerprint("roles:3+4:ping_pong", names) == "roles:3+4:ping_pong"
    assert rename_fingerprint("stage:s99:empty_stage", names) is None
    assert fingerprint_stages("journey:thread_broken") == []
