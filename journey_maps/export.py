"""Journey-gap diagrams as Graphviz DOT (pure), rendered by `dot`, and findings as data."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import textwrap
from collections.abc import Iterable, Sequence
from itertools import pairwise

from journey_maps.analysis import (
    HONESTY_EN,
    HONESTY_SV,
    PRINCIPAL_NAMES,
    Report,
    TransitionResult,
    cross_principal_handoffs,
    gap_report,
    report_to_dict,
)
from journey_maps.format import Journey, Transition, role_sort_key

FORMATS: tuple[str, ...] = ("svg", "png", "pdf", "dot")
MEDIA_TYPES = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "pdf": "application/pdf",
    "dot": "text/vnd.graphviz; charset=utf-8",
}
FONT = "DejaVu Sans"  # has å, ä, ö and the arrows and box-drawing characters used below
PNG_DPI = 180
A3_LANDSCAPE_IN = (16.54, 11.69)
A3_MARGIN_IN = 0.4
RENDER_TIMEOUT_S = 120
ROW_HEIGHT = 0.62  # inches; every cell in a row has it, so rows stay straight

GAP_RED = "#c62828"
FRAGILE_ORANGE = "#ef6c00"
ROBUST_GREEN = "#2e7d32"
CONTINUITY_GREY = "#9e9e9e"
HANDOFF_DARK = "#37474f"
CROSS_BLUE = "#1565c0"
BACK_PURPLE = "#7b1fa2"
PRINCIPAL_COLOURS = {
    "region": "#cfe2f3",
    "municipality": "#d9ead3",
    "school": "#fff2cc",
    "private": "#ead1dc",
    "civil_society": "#fce5cd",
    "state": "#d9d2e9",
}
NO_PRINCIPAL = "#f3f3f3"

_WORDS = {
    "sv": {
        "gap": "GAP k={k}",
        "fragile": "sårbar k={k}",
        "robust": "robust k={k}",
        "secondary": "bara sekundära",
        "patient": "bara patient/närstående",
        "boundary": "⇄ huvudmannagräns",
        "empty": "(ingen roll)",
        "role_word": "Roll",
        "handoff": "Överlämning",
        "acknowledged": "kvitterad",
        "not_acknowledged": "inte kvitterad",
        "legend": "Teckenförklaring",
        "gap_text": "röd åttkant: ingen yrkesroll bär övergången",
        "fragile_text": "orange romb: övergången hänger på en roll eller bara sekundära roller",
        "robust_text": "grön ruta: minst två roller bär övergången",
        "continuity_text": "grå tjock linje: rollen finns kvar i nästa steg",
        "handoff_text": "mörk linje: överlämning inom samma huvudman",
        "cross_text": "blå linje: överlämning mellan huvudmän",
        "dashed_text": "streckad linje: överlämningen är inte kvitterad",
        "back_text": "lila: övergång bakåt (återremiss, kontakten tappas)",
        "principal": "Huvudman (färg på radens roll)",
        "no_findings": "Inga fynd",
        "secondary_tier": "sekundär",
        "person": "person/nätverk",
        "back_row": "↩ övergångar bakåt",
    },
    "en": {
        "gap": "GAP k={k}",
        "fragile": "fragile k={k}",
        "robust": "robust k={k}",
        "secondary": "secondary roles only",
        "patient": "patient/family only",
        "boundary": "⇄ principal boundary",
        "empty": "(no role)",
        "role_word": "Role",
        "handoff": "Handoff",
        "acknowledged": "acknowledged",
        "not_acknowledged": "not acknowledged",
        "legend": "Legend",
        "gap_text": "red octagon: no professional role carries the transition",
        "fragile_text": "orange diamond: the transition hangs on one role or secondary roles only",
        "robust_text": "green box: at least two roles carry the transition",
        "continuity_text": "thick grey line: the role stays on at the next stage",
        "handoff_text": "dark line: handoff within one principal",
        "cross_text": "blue line: handoff across principals",
        "dashed_text": "dashed line: the handoff is not acknowledged",
        "back_text": "purple: backward transition (referred back, contact lost)",
        "principal": "Principal (colour of the role's row)",
        "no_findings": "No findings",
        "secondary_tier": "secondary",
        "person": "person/network",
        "back_row": "↩ backward transitions",
    },
}


class GraphvizMissing(RuntimeError):
    """The Graphviz ``dot`` binary is not on PATH; DOT source and findings data still work."""


class RenderError(RuntimeError):
    """``dot`` ran but failed; the message carries its error output."""


def dot_available() -> bool:
    """Whether the Graphviz ``dot`` binary is on PATH.

    Examples
    --------
    >>> isinstance(dot_available(), bool)
    True
    """
    return shutil.which("dot") is not None


def quote(text: str) -> str:
    """A DOT double-quoted string; newlines become DOT line breaks.

    Examples
    --------
    >>> print(quote('Säg "hej"\\\\nu'))
    "Säg \\"hej\\"\\\\nu"
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attrs(**attributes: object) -> str:
    parts = []
    for key, value in attributes.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        text = str(value)
        parts.append(f"{key}={text}" if text.startswith("<") else f"{key}={quote(text)}")
    return "[" + ", ".join(parts) + "]" if parts else ""


def _wrap(text: str, width: int = 24) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _columns(journey: Journey) -> list[tuple[str, str | Transition]]:
    """Column order: role labels, then each stage followed by the transitions leaving it."""
    columns: list[tuple[str, str | Transition]] = [("label", "")]
    order = journey.stage_order
    for stage in journey.stages:
        columns.append(("stage", stage.id))
        leaving = [t for t in journey.transitions if t.source == stage.id]
        leaving.sort(key=lambda t: (t.kind != "forward", order[t.target]))
        columns.extend(("transition", t) for t in leaving)
    return columns


def _marker(result: TransitionResult, words: dict[str, str]) -> dict[str, object]:
    lines = [words[result.grade].format(k=result.k)]
    if result.k == 0 and result.k_with_person > 0:
        lines.append(words["patient"])
    elif result.grade == "fragile" and result.k > 1:
        lines.append(words["secondary"])
    if result.boundary:
        lines.append(words["boundary"])
    if result.kind == "back":
        lines[0] = "↩ " + lines[0]
    style = {
        "gap": ("octagon", GAP_RED, "white"),
        "fragile": ("diamond", FRAGILE_ORANGE, "black"),
        "robust": ("box", ROBUST_GREEN, "white"),
    }[result.grade]
    return {
        "shape": style[0],
        "style": "filled,bold" if result.grade != "robust" else "filled,rounded,bold",
        "fillcolor": style[1],
        "fontcolor": style[2],
        "color": BACK_PURPLE if result.kind == "back" else "black",
        "penwidth": 3 if result.kind == "back" else 1.5,
        "label": "\n".join(lines),
        "margin": "0.05,0.03",
    }


def _fill(principals: Iterable[str]) -> tuple[str, str]:
    colours = [PRINCIPAL_COLOURS.get(p, NO_PRINCIPAL) for p in sorted(set(principals))]
    if not colours:
        return "filled,rounded", NO_PRINCIPAL
    if len(colours) == 1:
        return "filled,rounded", colours[0]
    return "striped", ":".join(colours)


def _legend(words: dict[str, str], lang: str) -> str:
    def row(cell: str, text: str, colour: str = "white", font: str = "black") -> str:
        return (
            f'<TR><TD BGCOLOR="{colour}"><FONT COLOR="{font}">{cell}</FONT></TD>'
            f'<TD ALIGN="LEFT">{_html(text)}</TD></TR>'
        )

    rows = [
        f'<TR><TD COLSPAN="2"><B>{_html(words["legend"])}</B></TD></TR>',
        row("GAP k=0", words["gap_text"], GAP_RED, "white"),
        row(_html(words["fragile"].format(k=1)), words["fragile_text"], FRAGILE_ORANGE),
        row("robust k≥2", words["robust_text"], ROBUST_GREEN, "white"),
        row(f'<FONT COLOR="{CONTINUITY_GREY}">━━━━</FONT>', words["continuity_text"]),
        row(f'<FONT COLOR="{HANDOFF_DARK}">───▶</FONT>', words["handoff_text"]),
        row(f'<FONT COLOR="{CROSS_BLUE}">───▶</FONT>', words["cross_text"]),
        row("- - -▶", words["dashed_text"]),
        row(f'<FONT COLOR="{BACK_PURPLE}">◀───</FONT>', words["back_text"]),
        f'<TR><TD COLSPAN="2"><B>{_html(words["principal"])}</B></TD></TR>',
    ]
    index = 0 if lang == "sv" else 1
    for principal, colour in PRINCIPAL_COLOURS.items():
        name = _html(PRINCIPAL_NAMES[principal][index])
        rows.append(f'<TR><TD COLSPAN="2" BGCOLOR="{colour}">{name}</TD></TR>')
    honesty = HONESTY_SV if lang == "sv" else HONESTY_EN
    rows.append(f'<TR><TD COLSPAN="2"><I>{_html(honesty)}</I></TD></TR>')
    return (
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4">'
        + "".join(rows)
        + "</TABLE>>"
    )


def _tooltip(lines: Sequence[str], words: dict[str, str]) -> str:
    return "\n".join(lines) if lines else words["no_findings"]


class _Sheet:
    """Lays out one diagram: columns (labels, stages, transitions) by rows (stage headers, the
    backward markers if any, then one row per role)."""

    HEADER, BACK = "@header", "@back"

    def __init__(self, journey: Journey, report: Report, lang: str) -> None:
        self.journey, self.lang, self.words = journey, lang, _WORDS[lang]
        self.results = {result.key: result for result in report.transitions}
        self.columns = _columns(journey)
        has_back = any(t.kind == "back" for t in journey.transitions)
        self.rows = [self.HEADER, *([self.BACK] if has_back else []), *journey.role_ids]
        self.row_of = {role: row for row, role in enumerate(self.rows)}
        self.stage_col = {w: c for c, (kind, w) in enumerate(self.columns) if kind == "stage"}
        self.transition_col = {
            w.key: c for c, (_, w) in enumerate(self.columns) if isinstance(w, Transition)
        }
        self.professional = {role.id for role in journey.roles if role.professional}
        self.notes: dict[object, list[str]] = {}
        for finding in report.findings:
            text = f"[{finding.severity}] " + (
                finding.message_sv if lang == "sv" else finding.message_en
            )
            keys: list[object] = [finding.transition or finding.stage]
            keys += [("role", role) for role in finding.roles if not finding.transition]
            for key in keys:
                self.notes.setdefault(key, []).append(text)
        self.principals: dict[str, set[str]] = {}
        for (_, role), principals in journey.principals_at.items():
            self.principals.setdefault(role, set()).update(principals)

    @staticmethod
    def cell(col: int, row: int) -> str:
        return quote(f"c{col}r{row}")

    def is_marker(self, col: int, row: int) -> bool:
        what = self.columns[col][1]
        if not isinstance(what, Transition):
            return False
        return self.rows[row] == (self.BACK if what.kind == "back" else self.HEADER)

    def passable(self, col: int, row: int) -> bool:
        """Whether a line may run straight through this cell (an invisible waypoint)."""
        kind, what = self.columns[col]
        if kind == "transition":
            return not self.is_marker(col, row)
        role = self.rows[row]
        return (
            kind == "stage"
            and role not in (self.HEADER, self.BACK)
            and (role not in self.journey.roles_at[str(what)])
        )

    def node(self, col: int, row: int) -> str:
        kind, what = self.columns[col]
        role = self.rows[row]
        if isinstance(what, Transition):
            if self.is_marker(col, row):
                tip = _tooltip(self.notes.get(what.key, []), self.words)
                return _attrs(**_marker(self.results[what.key], self.words), tooltip=tip)
            # transition cells are mere waypoints: tiny, so lines pass straight through them
            return _attrs(shape="point", style="invis", width=0.01, height=0.01)
        if role == self.HEADER:
            return self.stage_header(str(what)) if kind == "stage" else _attrs(style="invis")
        if role == self.BACK:
            if kind == "label":
                return _attrs(label=self.words["back_row"], shape="plain", fontcolor=BACK_PURPLE)
            return _attrs(style="invis", label="")
        if kind == "label":
            return self.role_label(role)
        return self.placement(str(what), role)

    def stage_header(self, stage: str) -> str:
        empty = not self.journey.roles_at[stage]
        label = _wrap(self.journey.stage_label(stage, self.lang), 18)
        return _attrs(
            label=label + (f"\n{self.words['empty']}" if empty else ""),
            style="filled,bold",
            fillcolor="#ffcdd2" if empty else "#eceff1",
            fontsize=12,
            tooltip=_tooltip(self.notes.get(stage, []), self.words),
        )

    def role_label(self, role: str) -> str:
        entry, words = self.journey.role_by_id[role], self.words
        style, colour = _fill(self.principals.get(role, ()))
        notes = [] if entry.tier == "primary" else [words["secondary_tier"]]
        notes += [] if entry.professional else [words["person"]]
        name = self.journey.role_label(role, self.lang)
        text = f"{role}  {_wrap(name, 34)}" + (f"\n({', '.join(notes)})" if notes else "")
        tip = [f"{words['role_word']} {role}: {name}", *self.notes.get(("role", role), [])]
        return _attrs(label=text, style=style, fillcolor=colour, width=2.8, tooltip="\n".join(tip))

    def placement(self, stage: str, role: str) -> str:
        placements = [p for p in self.journey.placements if p.stage == stage and p.role == role]
        if not placements:
            return _attrs(style="invis", label="", width=0.3)
        organisations = sorted({p.organisation for p in placements if p.organisation})
        style, colour = _fill(p.principal for p in placements if p.principal)
        where = self.journey.stage_label(stage, self.lang)
        tip = [f"{self.words['role_word']} {role} – {where}"]
        for p in sorted(placements, key=lambda p: p.organisation or ""):
            if p.organisation or p.principal:
                tip.append(
                    " ".join(x for x in (p.organisation, p.principal and f"({p.principal})") if x)
                )
            tip += [p.notes] if p.notes else []
        label = "\n".join(_wrap(o, 16) for o in organisations) or "●"
        return _attrs(label=label, style=style, fillcolor=colour, tooltip="\n".join(tip))

    def grid(self) -> list[str]:
        out = []
        for col in range(len(self.columns)):
            out.append(f"  subgraph col{col} {{ rank=same;")
            out += [
                f"    {self.cell(col, row)} {self.node(col, row)};" for row in range(len(self.rows))
            ]
            if col == 0:
                out.append(
                    f"    legend {_attrs(shape='plain', label=_legend(self.words, self.lang))};"
                )
            out.append("  }")
        # a root whose ordered out-edges fix the row order (ordering=out), then every row chained
        # left to right with a heavy weight so that it stays straight
        out.append(f"  root {_attrs(style='invis', label='', width=0.01, ordering='out')};")
        out += [f"  root -> {self.cell(0, row)} [style=invis];" for row in range(len(self.rows))]
        out.append("  root -> legend [style=invis];")
        for row in range(len(self.rows)):
            chain = " -> ".join(self.cell(col, row) for col in range(len(self.columns)))
            out.append(f"  {chain} {_attrs(style='invis', weight=100)};")
        return out

    def line(self, cells: Sequence[tuple[int, int]], arrow: bool, **style: object) -> list[str]:
        """One visible line through a sequence of cells: clipped only at its two real ends, one
        arrowhead at most, tooltip and label on its last segment."""
        label: dict[str, object] = {k: style.pop(k) for k in ("xlabel", "fontcolor") if k in style}
        out = []
        for index, (tail, head) in enumerate(pairwise(cells)):
            last = index == len(cells) - 2
            attrs: dict[str, object] = {
                **style,
                "constraint": False,
                "tailclip": None if index == 0 else False,
                "headclip": None if last else False,
                "arrowhead": None if last and arrow else "none",
                **(label if last else {}),
            }
            out.append(f"  {self.cell(*tail)} -> {self.cell(*head)} {_attrs(**attrs)};")
        return out

    def along(self, row: int, start: int, stop: int) -> list[tuple[int, int]]:
        """The passable waypoints of ``row`` strictly between columns ``start`` and ``stop``."""
        return [(col, row) for col in range(start + 1, stop) if self.passable(col, row)]

    def edges(self, t: Transition) -> list[str]:
        """Header arrows, continuity and handoffs of one transition."""
        a, b, mid = self.stage_col[t.source], self.stage_col[t.target], self.transition_col[t.key]
        words, move = self.words, _move_text(self.journey, t, self.lang)
        label = (t.label if self.lang == "sv" else t.label_en or t.label) or None
        if t.kind == "back":
            back = self.row_of[self.BACK]
            out = self.line([(a, 0), (mid, back)], False, color=BACK_PURPLE, penwidth=1.5)
            out += self.line(
                [(mid, back), (b, 0)], True, color=BACK_PURPLE, penwidth=1.5, xlabel=label
            )
        else:
            header = {"color": "black", "weight": 10}
            out = self.line([(a, 0), *self.along(0, a, mid), (mid, 0)], False, **header)
            out += self.line(
                [(mid, 0), *self.along(0, mid, b), (b, 0)], True, xlabel=label, **header
            )
            staying = self.journey.roles_at[t.source] & self.journey.roles_at[t.target]
            for role in sorted(staying, key=role_sort_key):
                row = self.row_of[role]
                out += self.line(
                    [(a, row), *self.along(row, a, b), (b, row)],
                    False,
                    color=CONTINUITY_GREY,
                    penwidth=5 if role in self.professional else 2.5,
                    weight=10,
                    tooltip=f"{words['role_word']} {role}: {move}",
                )
        crossing = set(cross_principal_handoffs(self.journey, t.key))
        for h in self.journey.handoffs_at[t.key]:
            giver, taker = self.row_of[h.from_role], self.row_of[h.to_role]
            colour = (
                BACK_PURPLE if t.kind == "back" else CROSS_BLUE if h in crossing else HANDOFF_DARK
            )
            status = words["acknowledged"] if h.acknowledged else words["not_acknowledged"]
            tip = f"{words['handoff']} {h.from_role} → {h.to_role}, {move}, " + ", ".join(
                x for x in (h.mode, status, h.evidence) if x
            )
            if t.kind == "back":
                # through the backward marker, like the transition's own arrow
                route = [(a, giver), (mid, self.row_of[self.BACK]), (b, taker)]
            elif a < mid < b:
                # cross rows in the gap after the giving stage, then run along the taker's row
                route = [(a, giver), (mid, taker), *self.along(taker, mid, b), (b, taker)]
            else:
                route = [(a, giver), (mid, giver), (b, taker)]
            out += self.line(
                route,
                True,
                color=colour,
                penwidth=2,
                style="solid" if h.acknowledged else "dashed",
                tooltip=tip,
                xlabel=h.mode,
                fontcolor=colour,
            )
        return out


def journey_dot(journey: Journey, report: Report | None = None, *, lang: str = "sv") -> str:
    """The journey-gap diagram as Graphviz DOT source (pure; nothing is run).

    Left to right: a column of role labels, then one column per stage and one per transition,
    where the gap marker sits; one row per role. Markers differ by colour, shape and text.

    Parameters
    ----------
    journey : Journey
    report : Report, optional
        The analysis to draw; computed when not given.
    lang : {"sv", "en"}

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> source = journey_dot(example_journey())
    >>> source.startswith("digraph journey {"), "GAP k=0" in source, "sårbar k=1" in source
    (True, True, True)
    >>> 'fontname="DejaVu Sans"' in source, "Teckenförklaring" in source
    (True, True)
    """
    sheet = _Sheet(journey, report or gap_report(journey), lang)
    title = journey.title + (f" – {journey.snapshot}" if journey.snapshot else "")
    graph = _attrs(
        rankdir="LR",
        newrank=True,
        nodesep=0.12,
        ranksep=0.3,
        fontname=FONT,
        fontsize=18,
        label=title,
        labelloc="t",
        labeljust="l",
        tooltip=title,
        charset="UTF-8",
        outputorder="edgesfirst",  # boxes and markers stay on top of the lines
    )
    node = _attrs(fontname=FONT, fontsize=10, shape="box", style="rounded", height=ROW_HEIGHT)
    out = [
        "digraph journey {",
        f"  graph {graph};",
        f"  node {node};",
        # visible edges never pull the grid out of line
        f"  edge {_attrs(fontname=FONT, fontsize=8, weight=0)};",
        *sheet.grid(),
    ]
    for transition in journey.ordered_transitions:
        out += sheet.edges(transition)
    out.append("}")
    return "\n".join(out) + "\n"


def _move_text(journey: Journey, t: Transition, lang: str) -> str:
    return f"{journey.stage_label(t.source, lang)} → {journey.stage_label(t.target, lang)}"


def render(dot_source: str, fmt: str) -> bytes:
    """Render DOT source with the ``dot`` binary: "svg", "png" (180 dpi), "pdf" (A3 landscape).

    ``fmt="dot"`` returns the source itself as UTF-8 and needs no binary.

    Raises
    ------
    GraphvizMissing
        When ``dot`` is not on PATH.
    RenderError
        When ``dot`` fails.

    Examples
    --------
    >>> render("digraph { a }", "dot")
    b'digraph { a }'
    >>> render("digraph { a }", "gif")
    Traceback (most recent call last):
    ...
    ValueError: format must be one of svg, png, pdf, dot, not 'gif'
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "dot":
        return dot_source.encode("utf-8")
    binary = shutil.which("dot")
    if binary is None:
        raise GraphvizMissing(
            "Graphviz `dot` is not installed (apt install graphviz); "
            "the DOT source and the findings (JSON, CSV) are still available."
        )
    args = [binary, f"-T{fmt}"]
    if fmt == "png":
        args.append(f"-Gdpi={PNG_DPI}")
    if fmt == "pdf":
        args += _a3_landscape(binary, dot_source)
    return _run(args, dot_source)


def _run(args: list[str], dot_source: str) -> bytes:
    try:
        done = subprocess.run(
            args,
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=RENDER_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"dot took longer than {RENDER_TIMEOUT_S} s") from exc
    if done.returncode != 0:
        raise RenderError(done.stderr.decode("utf-8", "replace").strip() or "dot failed")
    return done.stdout


def _a3_landscape(binary: str, dot_source: str) -> list[str]:
    """Margin, padding and size that put the drawing (shrunk to fit if need be) centred on an
    A3 landscape page: cairo's page is the drawing plus padding plus margin, so the padding is
    chosen to give the drawing the page's proportions."""
    first = _run([binary, "-Tplain"], dot_source).decode("utf-8").split("\n", 1)[0].split()
    width, height = float(first[2]), float(first[3])
    page_w, page_h = A3_LANDSCAPE_IN
    room_w, room_h = page_w - 2 * A3_MARGIN_IN, page_h - 2 * A3_MARGIN_IN
    pad = 4 / 72  # Graphviz's default padding
    fixed = [f"-Gmargin={A3_MARGIN_IN}"]
    if width + 2 * pad <= room_w and height + 2 * pad <= room_h:
        return [*fixed, f"-Gpad={(room_w - width) / 2:.4f},{(room_h - height) / 2:.4f}"]
    if (width + 2 * pad) / (height + 2 * pad) > room_w / room_h:
        pad_w, pad_h = pad, ((width + 2 * pad) * room_h / room_w - height) / 2
    else:
        pad_w, pad_h = ((height + 2 * pad) * room_w / room_h - width) / 2, pad
    return [*fixed, f"-Gpad={pad_w:.4f},{pad_h:.4f}", f"-Gsize={room_w},{room_h}"]


CSV_COLUMNS = (
    "severity",
    "code",
    "fingerprint",
    "from",
    "to",
    "stage",
    "roles",
    "stages",
    "message_sv",
    "message_en",
)


def findings_csv(report: Report) -> str:
    """The findings as CSV (one row per finding, in report order), honesty line last.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> text = findings_csv(gap_report(example_journey()))
    >>> print(text.splitlines()[0])
    severity,code,fingerprint,from,to,stage,roles,stages,message_sv,message_en
    >>> print(text.splitlines()[1][:41])
    critical,patient_carries,s3>s2:patient_ca
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for f in report.findings:
        writer.writerow(
            [
                f.severity,
                f.code,
                f.fingerprint,
                f.transition[0] if f.transition else "",
                f.transition[1] if f.transition else "",
                f.stage or "",
                " ".join(f.roles),
                " ".join(f.stages),
                f.message_sv,
                f.message_en,
            ]
        )
    writer.writerow(["info", "honesty", "", "", "", "", "", "", HONESTY_SV, HONESTY_EN])
    return buffer.getvalue()


def findings_json(report: Report) -> str:
    """The full analysis as pretty-printed JSON (UTF-8 text, å/ä/ö kept as they are).

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> text = findings_json(gap_report(example_journey()))
    >>> json.loads(text)["honesty"][:40]
    'Analysen beskriver kartan som workshopen'
    """
    return json.dumps(report_to_dict(report), ensure_ascii=False, indent=2) + "\n"
