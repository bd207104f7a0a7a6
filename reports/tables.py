"""A workshop's data as tables of aggregates (never a person's answer), written as CSV or XLSX.

The tables are plain rows built by pure functions from the results the rest of the app computes
(``workshop_results``, ``organisation_breakdown``, ``validation_outcomes``, the gap analysis);
``workshop_tables`` reads them from the database. Rows keep codes rather than words: a cell is a
number, a date, a flag, text the workshop wrote, or a ``Label`` that the writers translate.

Anonymity: a distribution (a statement's answers, one organisation's cell of the breakdown, a
role's validation) is written only when at least the workshop's threshold answered. Otherwise
its counts are left blank and the row's ``withheld`` cell says so ("färre än 3 svar"): withheld,
never silently dropped. How many answered a statement is always given; how they answered only
from the threshold on (``workshops.domain.disclosed``).

CSV is written for Swedish Excel by ``tabular.table_csv`` (UTF-8 with a byte-order mark, ``;``
between cells, ISO dates; that module says why). Shares are whole percentages so that no decimal
sign is needed at all. Text that starts like a formula (=, +, -, @) gets a leading apostrophe in
CSV and is stored as text in XLSX, so a participant's note can never run as a formula in the
reader's spreadsheet.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from i18n import translate
from journey_maps.analysis import gap_report
from journey_maps.board import journey_document
from journey_maps.findings_table import findings_table, stage_labels
from journey_maps.format import parse_journey
from journey_maps.report import Report
from journey_maps.triage import triage_map
from roles.services import RoleOutcome, validation_outcomes
from tabular import CONTROL, Cell, Label, Table, header, table_csv
from workshops import domain
from workshops.domain import StatementResult, Tally
from workshops.models import Organisation, Participant
from workshops.results import (
    Results,
    organisation_breakdown,
    workshop_results,
)
from workshops.services import get_workshop


@dataclass(frozen=True)
class WorkshopTables:
    title: str
    kind: str
    threshold: int
    tables: tuple[Table, ...] = field(default=())

    def get(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def withheld(threshold: int, why: domain.Withheld = domain.Withheld.FEW) -> Label:
    if why is domain.Withheld.PROTECTS:
        return Label("data.withheld_protects")
    return Label("data.withheld", (("threshold", threshold),))


def percent(part: int, whole: int) -> int | None:
    """A share as a whole percentage (no decimal sign for a spreadsheet to misread).

    >>> percent(2, 3), percent(0, 0)
    (67, None)
    """
    return round(100 * part / whole) if whole else None


def distribution(t: Tally, threshold: int) -> tuple[Cell, ...]:
    """answers, yes, no, discuss, share of yes and withheld: counts only from the threshold on.

    >>> distribution(Tally(yes=2, no=1), 3)
    (3, 2, 1, 0, 67, None)
    >>> distribution(Tally(yes=1, no=1), 3)[:5], distribution(Tally(yes=1, no=1), 3)[5].key
    ((2, None, None, None, None), 'data.withheld')
    >>> distribution(Tally(), 3)
    (0, None, None, None, None, None)
    """
    if not t.total:
        return (0, None, None, None, None, None)
    if not domain.disclosed(t, threshold):
        return (t.total, None, None, None, None, withheld(threshold))
    return (t.total, t.yes, t.no, t.discuss, percent(t.yes, t.total), None)


DISTRIBUTION = ("answers", "yes", "no", "discuss", "share_yes", "withheld")


# --- Plain rows --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementRow:
    """A WS1 statement as the tables need it: numbered in running order (1, 2, ...)."""

    number: int
    result: StatementResult
    note: str | None = None
    hidden: bool = False
    previous: int | None = None  # the number of the wording this one replaced
    replaced_by: int | None = None
    gap: bool = False
    split: bool = False


def workshop_table(info: Sequence[tuple[str, Cell]]) -> Table:
    """The workshop's settings, one per row (the first sheet).

    >>> workshop_table([("title", "WS1"), ("date", dt.date(2026, 5, 4))]).rows[1]
    (Label(key='data.field.date', params=()), datetime.date(2026, 5, 4))
    """
    return Table(
        "workshop", ("field", "value"), tuple((Label(f"data.field.{k}"), v) for k, v in info)
    )


def organisations_table(organisations: Iterable[tuple[str, str, int]]) -> Table:
    """Every organisation with its principal and how many took part for it.

    >>> organisations_table([("BUP", "region", 3)]).rows
    (('BUP', Label(key='principal.region', params=()), 3),)
    """
    return Table(
        "organisations",
        ("organisation", "principal", "participants"),
        tuple((name, Label(f"principal.{p}"), n) for name, p, n in organisations),
    )


def principals_table(organisations: Iterable[tuple[str, str, int]]) -> Table:
    """Attendance per principal: organisations invited, represented, and participants.

    >>> principals_table([("BUP", "region", 3), ("Hab", "region", 0), ("IFO", "municipality", 2)]).rows
    ((Label(key='principal.municipality', params=()), 1, 1, 2), (Label(key='principal.region', params=()), 2, 1, 3))
    """  # noqa: E501
    totals: dict[str, list[int]] = {}
    for _name, principal, n in organisations:
        counts = totals.setdefault(principal, [0, 0, 0])
        counts[0] += 1
        counts[1] += 1 if n else 0
        counts[2] += n
    return Table(
        "principals",
        ("principal", "organisations", "represented", "participants"),
        tuple((Label(f"principal.{p}"), *totals[p]) for p in sorted(totals)),
    )


def statements_table(rows: Sequence[StatementRow], threshold: int) -> Table:
    """Every WS1 statement with its aggregate answers (withheld under the threshold).

    >>> r = StatementResult(7, "Hab", "mandate", "others", "Stödsamtal", Tally(yes=1, no=1))
    >>> row = statements_table([StatementRow(1, r)], 3).rows[0]
    >>> row[5:11]
    (2, None, None, None, None, Label(key='data.withheld', params=(('threshold', 3),)))
    """
    return Table(
        "statements",
        (
            "number",
            "organisation",
            "topic",
            "perspective",
            "text",
            *DISTRIBUTION,
            "expectation_gap",
            "split",
            "outcome",
            "note",
            "reworded_as",
            "rewording_of",
            "hidden",
        ),
        tuple(
            (
                s.number,
                s.result.organisation,
                Label(f"topic.{s.result.topic}"),
                Label(f"perspective.{s.result.perspective}"),
                s.result.text,
                *distribution(s.result.tally, threshold),
                _flag(s.gap, s, threshold),
                _flag(s.split, s, threshold),
                Label(f"outcome.{s.result.outcome}") if s.result.outcome else None,
                s.note,
                s.replaced_by,
                s.previous,
                s.hidden,
            )
            for s in rows
        ),
    )


def _flag(value: bool, s: StatementRow, threshold: int) -> bool | None:
    # gap and split say something about the distribution: blank where it is withheld
    return value if domain.disclosed(s.result.tally, threshold) else None


def breakdown_table(
    rows: Sequence[StatementRow],
    breakdown: dict[int, dict[str, Tally | domain.Withheld]],
    threshold: int,
) -> Table:
    """How each answering organisation answered each statement; a withheld cell (too few
    answers, or shown it would give a smaller group's answers away) has its counts blank and
    says why, never left out.

    >>> r = StatementResult(7, "Hab", "mandate", "own", "NPF", Tally(yes=4, no=1))
    >>> few, protects = domain.Withheld.FEW, domain.Withheld.PROTECTS
    >>> table = breakdown_table([StatementRow(1, r)], {7: {"BUP": protects, "IFO": few}}, 3)
    >>> [(row[3], row[-1].key) for row in table.rows]
    [('BUP', 'data.withheld_protects'), ('IFO', 'data.withheld')]
    """
    out = []
    for s in rows:
        for org, t in breakdown.get(s.result.id, {}).items():
            cells = (
                distribution(t, threshold)
                if isinstance(t, Tally)
                else (None, None, None, None, None, withheld(threshold, t))
            )
            out.append((s.number, s.result.organisation, s.result.text, org, *cells))
    return Table(
        "breakdown",
        ("number", "organisation", "text", "answering_organisation", *DISTRIBUTION),
        tuple(out),
    )


def gaps_table(rows: Sequence[StatementRow], recurring: Sequence[tuple[str, list[str]]]) -> Table:
    """Expectations outside an organisation's mandate: others' perceptions it answered No to,
    and the other organisations the same expectation was put on.

    >>> gap = StatementRow(3, StatementResult(9, "Hab", "mandate", "others", "Stödsamtal",
    ...                    Tally(no=3)), gap=True)
    >>> gaps_table([gap], [("stödsamtal", ["BUP", "Hab"])]).rows[0]
    (3, 'Hab', Label(key='topic.mandate', params=()), 'Stödsamtal', 3, 0, 3, 0, 'BUP')
    """
    also = {domain.normalise_text(text): orgs for text, orgs in recurring}
    return Table(
        "gaps",
        ("number", "organisation", "topic", "text", "answers", "yes", "no", "discuss", "also"),
        tuple(
            (
                s.number,
                s.result.organisation,
                Label(f"topic.{s.result.topic}"),
                s.result.text,
                s.result.tally.total,
                s.result.tally.yes,
                s.result.tally.no,
                s.result.tally.discuss,
                ", ".join(
                    o
                    for o in also.get(domain.normalise_text(s.result.text), [])
                    if o != s.result.organisation
                )
                or None,
            )
            for s in rows
            if s.gap
        ),
    )


def discussion_table(rows: Sequence[StatementRow], queue: Sequence[int], threshold: int) -> Table:
    """The discussion queue (``domain.discussion_queue``: the statements someone raised, most
    raised first, then every one answered by too few), then any other with a note or an
    outcome, with the facilitator's note, the outcome and any new wording. How many raised it is
    part of the distribution and withheld under the threshold.

    >>> a = StatementRow(1, StatementResult(5, "Hab", "mandate", "own", "x", Tally(discuss=1)))
    >>> b = StatementRow(2, StatementResult(6, "Hab", "mandate", "own", "y", Tally(yes=3)),
    ...                  note="Klart")
    >>> [(r[0], r[4], r[5] is not None, r[7]) for r in discussion_table([a, b], [5], 3).rows]
    [(1, None, True, None), (2, 0, False, 'Klart')]
    """
    by_id = {s.result.id: s for s in rows}
    chosen = [by_id[sid] for sid in queue if sid in by_id]
    chosen += [s for s in rows if s not in chosen and (s.note or s.result.outcome or s.replaced_by)]
    number = {s.number: s for s in rows}
    out = []
    for s in chosen:
        shown = domain.disclosed(s.result.tally, threshold)
        out.append(
            (
                s.number,
                s.result.organisation,
                s.result.text,
                s.result.tally.total,
                s.result.tally.discuss if shown else None,
                None if shown or not s.result.tally.total else withheld(threshold),
                Label(f"outcome.{s.result.outcome}") if s.result.outcome else None,
                s.note,
                number[s.replaced_by].result.text if s.replaced_by in number else None,
            )
        )
    return Table(
        "discussion",
        (
            "number",
            "organisation",
            "text",
            "answers",
            "raised",
            "withheld",
            "outcome",
            "note",
            "new_wording",
        ),
        tuple(out),
    )


def roles_table(outcomes: Sequence[RoleOutcome], threshold: int, lang: str) -> Table:
    """WS2 role validation: each role's aggregate answers (withheld under the threshold), the
    facilitator's outcome and note, and whether the wording was changed."""
    return Table(
        "roles",
        ("code", "role", *DISTRIBUTION, "outcome", "note", "revised", "comments"),
        tuple(
            (
                o.role["code"],
                o.role["name"].get(lang) or o.role["name"]["sv"],
                *distribution(o.tally, threshold),
                Label(f"outcome.{o.outcome}") if o.outcome else None,
                o.note,
                o.revised,
                len(o.comments),
            )
            for o in outcomes
            if o.statement_id is not None
        ),
    )


def role_comments_table(outcomes: Sequence[RoleOutcome], lang: str) -> Table:
    """The comments on each role without the answer each came with (that would be one
    person's vote), in the order every page shows them (``roles.comments.shown_comments``)."""
    return Table(
        "role_comments",
        ("code", "role", "comment"),
        tuple(
            (o.role["code"], o.role["name"].get(lang) or o.role["name"]["sv"], text)
            for o in outcomes
            for text in o.comment_texts
        ),
    )


def transitions_table(report: Report, stage_labels: dict[str, str]) -> Table:
    """Every transition of the journey with how many roles bridge it, and its grade."""
    return Table(
        "transitions",
        (
            "from",
            "to",
            "kind",
            "bridges",
            "bridges_with_person",
            "grade",
            "handoffs",
            "boundary",
            "owners",
            "single_points",
        ),
        tuple(
            (
                stage_labels.get(t.source, t.source),
                stage_labels.get(t.target, t.target),
                Label(f"board.kind.{t.kind}"),
                t.k,
                t.k_with_person,
                Label(f"board.grade.{t.grade}"),
                t.handoffs,
                t.boundary,
                " ".join(t.owners) or None,
                " ".join(t.single_points) or None,
            )
            for t in report.transitions
        ),
    )


# --- Reading the workshop ---------------------------------------------------------------------

COMMON_TABLES: tuple[str, ...] = ("workshop", "organisations", "principals")
WS1_TABLES: tuple[str, ...] = ("statements", "breakdown", "gaps", "discussion")


def kept(key: str, has_rows: bool, kind: str) -> bool:
    """Whether a workshop of ``kind`` offers a table: the common ones and those of its own kind
    always (empty, they say there is nothing yet), the other kind's only with rows.

    >>> kept("statements", False, "ws1"), kept("statements", False, "ws2")
    (True, False)
    >>> kept("roles", False, "ws1"), kept("roles", False, "ws2"), kept("roles", True, "ws1")
    (False, True, True)
    """
    return key in COMMON_TABLES or has_rows or (key in WS1_TABLES) == (kind != "ws2")


def workshop_tables(
    session: Session, workshop_id: int, *, lang: str = "sv", today: dt.date | None = None
) -> WorkshopTables:
    """Every table of a workshop: the common ones and its own kind's always, the other kind's
    when it has data (a WS2 workshop's workbook has no empty WS1 sheets)."""
    workshop = get_workshop(session, workshop_id)
    threshold = workshop.anonymity_threshold
    organisations = _attendance(session, workshop_id)
    results = workshop_results(session, workshop_id)
    statements = _statement_rows(results)
    breakdown = organisation_breakdown(session, [s.result.id for s in statements], threshold)
    outcomes = validation_outcomes(session, workshop_id=workshop_id)
    report, labels = _journey(session, workshop_id, lang)
    info: list[tuple[str, Cell]] = [
        ("title", workshop.title),
        ("date", workshop.date),
        ("kind", Label(f"kind.{workshop.kind}")),
        ("target_group", Label(f"group.{workshop.target_group}")),
        ("threshold", threshold),
        ("participants", sum(n for _o, _p, n in organisations)),
        ("organisations", len(organisations)),
        ("statements", len(statements)),
        ("exported", today or dt.date.today()),
    ]
    tables = [
        workshop_table(info),
        organisations_table(organisations),
        principals_table(organisations),
        statements_table(statements, threshold),
        breakdown_table(statements, breakdown, threshold),
        gaps_table(statements, results.recurring),
        discussion_table(statements, [item.result.id for item in results.queue], threshold),
        roles_table(outcomes, threshold, lang),
        role_comments_table(outcomes, lang),
    ]
    if report is not None:
        tables.append(transitions_table(report, labels))
        tables.append(findings_table(report, labels, triage_map(session, workshop_id), lang))
    return WorkshopTables(
        workshop.title,
        workshop.kind,
        threshold,
        tuple(t for t in tables if kept(t.key, bool(t.rows), workshop.kind)),
    )


def _attendance(session: Session, workshop_id: int) -> list[tuple[str, str, int]]:
    counts = dict(
        session.execute(
            select(Participant.organisation_id, func.count())
            .where(Participant.workshop_id == workshop_id, Participant.attended)
            .group_by(Participant.organisation_id)
        ).all()
    )
    orgs = session.scalars(select(Organisation).where(Organisation.workshop_id == workshop_id))
    return [
        (o.name, o.principal, counts.get(o.id, 0))
        for o in sorted(orgs, key=lambda o: (o.name.casefold(), o.name))
    ]


def _statement_rows(results: Results) -> list[StatementRow]:
    rows, states = results.every, results.states
    number = {r.id: n for n, r in enumerate(rows, start=1)}
    gaps = {r.id for r in results.gaps}
    split = {r.id for r in results.split}
    replaced_by = {old: new for old, new in results.superseded.items() if old in number}
    return [
        StatementRow(
            number=number[r.id],
            result=r,
            note=states[r.id].note,
            hidden=states[r.id].hidden,
            previous=number.get(states[r.id].previous_id or -1),
            replaced_by=number.get(replaced_by.get(r.id, -1)),
            gap=r.id in gaps,
            split=r.id in split,
        )
        for r in rows
    ]


def _journey(session: Session, workshop_id: int, lang: str) -> tuple[Report | None, dict[str, str]]:
    document = journey_document(session, workshop_id)
    if not document["stages"]:
        return None, {}
    journey = parse_journey(document)
    return gap_report(journey), stage_labels(journey, lang)


# --- Writing ----------------------------------------------------------------------------------


def csv_zip(tables: WorkshopTables, lang: str, stem: str) -> bytes:
    """Every table as its own CSV file in one ZIP (``<stem>-<table>.csv``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables.tables:
            archive.writestr(f"{stem}-{table.key}.csv", table_csv(table, lang, tables.threshold))
    return buffer.getvalue()


def sheet_name(table: Table, lang: str) -> str:
    """The sheet's name in ``lang`` (Excel allows 31 characters and no []:*?/\\).

    >>> sheet_name(Table("statements", ()), "sv"), sheet_name(Table("statements", ()), "en")
    ('Påståenden', 'Statements')
    """
    return re.sub(r"[\[\]:*?/\\]", " ", translate(lang, f"data.table.{table.key}"))[:31]


MAX_WIDTH = 60


def tables_xlsx(tables: WorkshopTables, lang: str) -> bytes:
    """Every table as a sheet of one workbook: a bold, frozen header row with a filter,
    columns as wide as their content (long text wraps), dates as real dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    book.properties.creator = "Brygga"
    book.properties.title = tables.title
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for table in tables.tables:
        sheet = book.create_sheet(sheet_name(table, lang))
        names = header(table, lang, tables.threshold)
        sheet.append(names)
        for cell in sheet[1]:
            cell.font = bold
        widths = [len(name) for name in names]
        for r, row in enumerate(table.rows, start=2):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c)
                _set(cell, value, lang)
                text = str(cell.value) if cell.value is not None else ""
                widths[c - 1] = max(
                    widths[c - 1], max((len(x) for x in text.split("\n")), default=0)
                )
                if len(text) > MAX_WIDTH or "\n" in text:
                    cell.alignment = wrap
        for c, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(c)].width = min(MAX_WIDTH, width + 2)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(names))}{max(1, len(table.rows) + 1)}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _set(cell: Any, value: Cell, lang: str) -> None:
    if isinstance(value, Label):
        value = value.text(lang)
    if isinstance(value, dt.date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, str):
        cell.value = CONTROL.sub("", value)
        cell.data_type = "s"  # text, even when it starts with "=": never a formula
    else:
        cell.value = value
