"""Tables of plain cells and their CSV for Swedish Excel, shared by every download that has one.

A cell is a number, a date, a flag, text, or a ``Label`` that the writers translate. CSV is
written for Swedish Excel, which most of the public administration uses: UTF-8 with a
byte-order mark (without it Excel reads the file as Windows-1252 and å, ä, ö come out garbled)
and ``;`` between cells (with Swedish regional settings Excel's list separator is the semicolon,
because the comma is the decimal sign, so a double-clicked comma file lands in one column).
Dates are ISO (2026-05-04), which Swedish Excel reads as dates. Text that starts like a formula
(=, +, -, @) gets a leading apostrophe, so that a participant's note can never run as a formula
in the reader's spreadsheet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from typing import Any

from i18n import translate


@dataclass(frozen=True)
class Label:
    """A cell the writers translate: a catalogue key and its parameters.

    >>> Label("topic.mandate").text("sv")
    'Uppdrag / insatser'
    >>> Label("data.withheld", (("threshold", 3),)).text("sv")
    'färre än 3 svar'
    """

    key: str
    params: tuple[tuple[str, Any], ...] = ()

    def text(self, lang: str) -> str:
        return translate(lang, self.key, **dict(self.params))


Cell = str | int | float | bool | dt.date | Label | None


@dataclass(frozen=True)
class Table:
    """One table: a key (its file and sheet), column keys, and rows of cells."""

    key: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...] = ()

    def column(self, key: str) -> list[Cell]:
        """Every cell of one column.

        >>> Table("t", ("a", "b"), ((1, 2), (3, 4))).column("b")
        [2, 4]
        """
        index = self.columns.index(key)
        return [row[index] for row in self.rows]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def header(table: Table, lang: str, threshold: int) -> list[str]:
    """The column names in ``lang``.

    >>> header(Table("t", ("number", "withheld")), "sv", 3)
    ['Nr', 'Fördelning dold']
    """
    return [translate(lang, f"data.col.{key}", threshold=threshold) for key in table.columns]


def csv_value(value: Cell, lang: str) -> str:
    """A cell as CSV text for Swedish Excel.

    >>> [csv_value(v, "sv") for v in (None, True, 3, dt.date(2026, 5, 4), "=1+1", "-ok")]
    ['', 'ja', '3', '2026-05-04', "'=1+1", "'-ok"]
    """
    if value is None:
        return ""
    if isinstance(value, Label):
        return value.text(lang)
    if isinstance(value, bool):
        return translate(lang, "data.true" if value else "data.false")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = CONTROL.sub("", value)
        return "'" + text if text.startswith(FORMULA_START) else text
    return str(value)


def table_csv(table: Table, lang: str, threshold: int) -> bytes:
    r"""One table as CSV: UTF-8 with a byte-order mark, ``;`` between cells (see the module's
    docstring for why).

    >>> table_csv(Table("t", ("organisation", "participants"), (("Hab", 4),)), "sv", 3)
    b'\xef\xbb\xbfVerksamhet;Deltagare\r\nHab;4\r\n'
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header(table, lang, threshold))
    for row in table.rows:
        writer.writerow([csv_value(v, lang) for v in row])
    return buffer.getvalue().encode("utf-8-sig")
