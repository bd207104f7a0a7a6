"""The look of the journey-gap diagram: colours, words, markers, legend, and DOT quoting."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence

from journey_maps.messages import HONESTY_EN, HONESTY_SV, PRINCIPAL_NAMES
from journey_maps.report import TransitionResult

FONT = "DejaVu Sans"  # has å, ä, ö and the arrows and box-drawing characters used below
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

WORDS = {
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


def quote(text: str) -> str:
    """A DOT double-quoted string; newlines become DOT line breaks.

    Examples
    --------
    >>> print(quote('Säg "hej"\\\\nu'))
    "Säg \\"hej\\"\\\\nu"
    """
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def html_escape(text: str) -> str:
    """Text safe inside a Graphviz HTML-like label.

    Examples
    --------
    >>> html_escape("<b> & </b>")
    '&lt;b&gt; &amp; &lt;/b&gt;'
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class HtmlLabel(str):
    """A Graphviz HTML-like label (``<<TABLE …>>``) built here from escaped parts. Only these go
    into DOT unquoted: text that merely starts with "<" (a workshop title, a stage name) is
    quoted like any other."""


def attr_list(**attributes: object) -> str:
    """A DOT attribute list; ``None`` values are left out and HTML-like labels stay unquoted.

    Examples
    --------
    >>> print(attr_list(shape="box", width=0.3, constraint=False, tooltip=None))
    [shape="box", width="0.3", constraint="false"]
    >>> attr_list()
    ''
    >>> print(attr_list(label="<script>x</script> – nuläge", legend=HtmlLabel("<<B>x</B>>")))
    [label="<script>x</script> – nuläge", legend=<<B>x</B>>]
    """
    parts = []
    for key, value in attributes.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        text = str(value)
        parts.append(f"{key}={text}" if isinstance(value, HtmlLabel) else f"{key}={quote(text)}")
    return "[" + ", ".join(parts) + "]" if parts else ""


def wrap(text: str, width: int = 24) -> str:
    """Text broken into lines of at most ``width`` characters where it can be.

    Examples
    --------
    >>> print(wrap("Bedömning och styrning vidare", 18))
    Bedömning och
    styrning vidare
    """
    return "\n".join(textwrap.wrap(text, width)) or text


def marker_attrs(result: TransitionResult, words: dict[str, str]) -> dict[str, object]:
    """The gap marker of a transition: shape, colour and text differ by grade.

    Examples
    --------
    >>> from journey_maps.analysis import gap_report
    >>> from journey_maps.format import example_journey
    >>> back = gap_report(example_journey()).transition("s3", "s2")
    >>> marker = marker_attrs(back, WORDS["en"])
    >>> marker["shape"], marker["fillcolor"] == GAP_RED, marker["label"].splitlines()
    ('octagon', True, ['↩ GAP k=0', 'patient/family only', '⇄ principal boundary'])
    """
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


def principal_fill(principals: Iterable[str]) -> tuple[str, str]:
    """Style and fill colour for a cell: the principal's colour, stripes when there are more.

    Examples
    --------
    >>> principal_fill(["region"]) == ("filled,rounded", PRINCIPAL_COLOURS["region"])
    True
    >>> principal_fill(["region", "municipality"])[0], principal_fill([])[1] == NO_PRINCIPAL
    ('striped', True)
    """
    colours = [PRINCIPAL_COLOURS.get(p, NO_PRINCIPAL) for p in sorted(set(principals))]
    if not colours:
        return "filled,rounded", NO_PRINCIPAL
    if len(colours) == 1:
        return "filled,rounded", colours[0]
    return "striped", ":".join(colours)


def legend_table(words: dict[str, str], lang: str) -> HtmlLabel:
    """The legend as an HTML-like label: markers, lines, principals and the honesty line.

    Examples
    --------
    >>> table = legend_table(WORDS["en"], "en")
    >>> table.startswith("<<TABLE"), "Legend" in table, "not how often" in table
    (True, True, True)
    """

    def row(cell: str, text: str, colour: str = "white", font: str = "black") -> str:
        return (
            f'<TR><TD BGCOLOR="{colour}"><FONT COLOR="{font}">{cell}</FONT></TD>'
            f'<TD ALIGN="LEFT">{html_escape(text)}</TD></TR>'
        )

    rows = [
        f'<TR><TD COLSPAN="2"><B>{html_escape(words["legend"])}</B></TD></TR>',
        row("GAP k=0", words["gap_text"], GAP_RED, "white"),
        row(html_escape(words["fragile"].format(k=1)), words["fragile_text"], FRAGILE_ORANGE),
        row("robust k≥2", words["robust_text"], ROBUST_GREEN, "white"),
        row(f'<FONT COLOR="{CONTINUITY_GREY}">━━━━</FONT>', words["continuity_text"]),
        row(f'<FONT COLOR="{HANDOFF_DARK}">───▶</FONT>', words["handoff_text"]),
        row(f'<FONT COLOR="{CROSS_BLUE}">───▶</FONT>', words["cross_text"]),
        row("- - -▶", words["dashed_text"]),
        row(f'<FONT COLOR="{BACK_PURPLE}">◀───</FONT>', words["back_text"]),
        f'<TR><TD COLSPAN="2"><B>{html_escape(words["principal"])}</B></TD></TR>',
    ]
    index = 0 if lang == "sv" else 1
    for principal, colour in PRINCIPAL_COLOURS.items():
        name = html_escape(PRINCIPAL_NAMES[principal][index])
        rows.append(f'<TR><TD COLSPAN="2" BGCOLOR="{colour}">{name}</TD></TR>')
    honesty = HONESTY_SV if lang == "sv" else HONESTY_EN
    rows.append(f'<TR><TD COLSPAN="2"><I>{html_escape(honesty)}</I></TD></TR>')
    return HtmlLabel(
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4">'
        + "".join(rows)
        + "</TABLE>>"
    )


def tooltip_text(lines: Sequence[str], words: dict[str, str]) -> str:
    """A cell's tooltip: its findings, one per line, or a note that there are none.

    Examples
    --------
    >>> tooltip_text([], WORDS["sv"])
    'Inga fynd'
    """
    return "\n".join(lines) if lines else words["no_findings"]
