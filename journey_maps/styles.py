"""The look of the journey-gap diagram: colours, words, markers, legend, and DOT quoting."""

from __future__ import annotations

import textwrap
from collections.abc import Collection, Iterable, Sequence

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
        "gap": "Glapp k={k}",
        "fragile": "Skört k={k}",
        "robust": "Robust k={k}",
        "secondary": "bara sekundära",
        "patient": "bara patient/närstående",
        "boundary": "⇄ huvudmannagräns",
        "empty": "(ingen roll)",
        "role_word": "Roll",
        "handoff": "Överlämning",
        "acknowledged": "kvitterad",
        "not_acknowledged": "inte kvitterad",
        "legend": "Teckenförklaring",
        "gap_text": "Glapp (röd åttkant): ingen yrkesroll bär övergången",
        "fragile_text": "Skört (orange romb): övergången hänger på en roll eller bara sekundära "
        "roller",
        "robust_text": "Robust (grön ruta): minst två roller bär övergången",
        "patient_text": "bara personen eller familjen/nätverket bär övergången, ingen yrkesroll",
        "boundary_text": "övergången leder in under en ny huvudman (t.ex. region → kommun)",
        "continuity_text": "grå tjock linje: rollen finns kvar i nästa steg",
        "handoff_text": "mörk linje: överlämning inom samma huvudman",
        "cross_text": "blå linje: överlämning mellan huvudmän",
        "dashed_text": "streckad linje: överlämningen är inte kvitterad",
        "back_text": "lila linje, ↩ och lila ram: övergång bakåt (återremiss, kontakten tappas)",
        "present_text": "rollen finns i steget, ingen verksamhet angiven (t.ex. personen själv)",
        "split_text": "färgrutor: flera huvudmän fyller rollen, en färg per huvudman",
        "secondary_note_text": "sekundär roll: påverkar ärendet indirekt",
        "person_note_text": "personen själv eller familjen/nätverket, ingen yrkesroll",
        "principal": "Huvudman (färg på radens roll)",
        "no_findings": "Inga fynd",
        "secondary_tier": "sekundär",
        "person": "person/nätverk",
        "back_row": "↩ övergångar bakåt",
        "document": "patientresan med glappen",
    },
    "en": {
        "gap": "Gap k={k}",
        "fragile": "Fragile k={k}",
        "robust": "Robust k={k}",
        "secondary": "secondary roles only",
        "patient": "patient/family only",
        "boundary": "⇄ principal boundary",
        "empty": "(no role)",
        "role_word": "Role",
        "handoff": "Handoff",
        "acknowledged": "acknowledged",
        "not_acknowledged": "not acknowledged",
        "legend": "Legend",
        "gap_text": "Gap (red octagon): no professional role carries the transition",
        "fragile_text": "Fragile (orange diamond): the transition hangs on one role or secondary "
        "roles only",
        "robust_text": "Robust (green box): at least two roles carry the transition",
        "patient_text": "only the person or their family/network carries the transition, "
        "no professional role",
        "boundary_text": "the transition brings the person under a new principal "
        "(e.g. region → municipality)",
        "continuity_text": "thick grey line: the role stays on at the next stage",
        "handoff_text": "dark line: handoff within one principal",
        "cross_text": "blue line: handoff across principals",
        "dashed_text": "dashed line: the handoff is not acknowledged",
        "back_text": "purple line, ↩ and purple border: backward transition (referred back, "
        "contact lost)",
        "present_text": "the role is present at the stage, no organisation given (e.g. the "
        "person themself)",
        "split_text": "colour swatches: several principals fill the role, one colour each",
        "secondary_note_text": "secondary role: indirect influence on the case",
        "person_note_text": "the person themself or their family/network, not a professional role",
        "principal": "Principal (colour of the role's row)",
        "no_findings": "No findings",
        "secondary_tier": "secondary",
        "person": "person/network",
        "back_row": "↩ backward transitions",
        "document": "the patient journey and its gaps",
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
    ('octagon', True, ['↩ Gap k=0', 'patient/family only', '⇄ principal boundary'])
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
    """Style and fill colour for a cell: the principal's colour; white under several, whose
    colours are shown as swatches beside the text (``swatch_label``) so that no colour boundary
    runs through the words.

    Examples
    --------
    >>> principal_fill(["region"]) == ("filled,rounded", PRINCIPAL_COLOURS["region"])
    True
    >>> principal_fill(["region", "municipality"]), principal_fill([])[1] == NO_PRINCIPAL
    (('filled,rounded', 'white'), True)
    """
    colours = [PRINCIPAL_COLOURS.get(p, NO_PRINCIPAL) for p in sorted(set(principals))]
    if not colours:
        return "filled,rounded", NO_PRINCIPAL
    if len(colours) == 1:
        return "filled,rounded", colours[0]
    return "filled,rounded", "white"


def _swatch(colour: str | None) -> str:
    if colour is None:
        return '<TD WIDTH="9"></TD>'
    return (
        f'<TD BGCOLOR="{colour}" BORDER="1" COLOR="#616161" WIDTH="9" HEIGHT="12"'
        ' FIXEDSIZE="TRUE"></TD>'
    )


def swatch_label(rows: Sequence[tuple[str, Iterable[str]]]) -> HtmlLabel:
    """A cell's text on a plain background with a small colour swatch per principal to its left:
    one table row per ``(text, principals)``; newlines in the text become line breaks.

    Examples
    --------
    >>> label = swatch_label([("BUP", ["region"]), ("Elevhälsa & co", ["school"])])
    >>> label.count("<TR>"), PRINCIPAL_COLOURS["region"] in label, "&amp; co" in label
    (2, True, True)
    """
    colours = [[PRINCIPAL_COLOURS.get(p, NO_PRINCIPAL) for p in sorted(set(ps))] for _, ps in rows]
    width = max((len(c) for c in colours), default=0)
    body = ""
    for (text, _), row in zip(rows, colours, strict=True):
        swatches = "".join(_swatch(c) for c in [*row, *[None] * (width - len(row))])
        lines = "<BR/>".join(html_escape(line) for line in text.split("\n"))
        body += f'<TR>{swatches}<TD ALIGN="LEFT" BALIGN="LEFT">{lines}</TD></TR>'
    return HtmlLabel(
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" CELLPADDING="1">' + body + "</TABLE>>"
    )


def edge_label(text: str | None, colour: str = "black") -> HtmlLabel | None:
    """A line's small label on a white ground, so that the line never runs through the letters.

    Examples
    --------
    >>> label = edge_label("remiss & svar", "#1565c0")
    >>> 'BGCOLOR="white"' in label, '<FONT COLOR="#1565c0">remiss &amp; svar</FONT>' in label
    (True, True)
    >>> edge_label("") is None
    True
    """
    if not text:
        return None
    lines = "<BR/>".join(html_escape(line) for line in text.split("\n"))
    return HtmlLabel(
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1" BGCOLOR="white">'
        f'<TR><TD><FONT COLOR="{colour}">{lines}</FONT></TD></TR></TABLE>>'
    )


LEGEND_SYMBOLS = (
    "patient",
    "boundary",
    "continuity",
    "handoff",
    "cross",
    "dashed",
    "back",
    "present",
    "split",
    "secondary_note",
    "person_note",
)


def _lines(text: str, width: int) -> str:
    """Escaped text broken into lines of at most ``width`` characters for a legend cell."""
    return "<BR/>".join(html_escape(line) for line in textwrap.wrap(text, width)) or ""


def legend_table(
    words: dict[str, str],
    lang: str,
    symbols: Collection[str] | None = None,
    principals: Collection[str] | None = None,
) -> HtmlLabel:
    """The legend as an HTML-like label: markers, then the lines, marks and principals that the
    drawing uses (all when ``symbols`` or ``principals`` is None), and the honesty line.

    Examples
    --------
    >>> table = legend_table(WORDS["en"], "en")
    >>> table.startswith("<<TABLE"), "Legend" in table, "not how<BR/>often handovers" in table
    (True, True, True)
    >>> small = legend_table(WORDS["sv"], "sv", symbols=(), principals=["region"])
    >>> "Glapp k=0" in small, "Robust k≥2" in small, "blå linje" in small, "kommun" in small
    (True, True, False, False)
    """
    shown = set(LEGEND_SYMBOLS if symbols is None else symbols)

    def row(cell: str, text: str, colour: str = "white", font: str = "black") -> str:
        return (
            f'<TR><TD BGCOLOR="{colour}" WIDTH="140"><FONT COLOR="{font}">{cell}</FONT></TD>'
            f'<TD ALIGN="LEFT" BALIGN="LEFT" WIDTH="290">{_lines(text, 46)}</TD></TR>'
        )

    def note(cell: str, text: str) -> str:
        return row(html_escape(cell), text)

    split = (
        '<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="0" FIXEDSIZE="TRUE" WIDTH="26"'
        ' HEIGHT="16"><TR>'
        + _swatch(PRINCIPAL_COLOURS["region"])
        + _swatch(PRINCIPAL_COLOURS["municipality"])
        + "</TR></TABLE>"
    )
    optional = {
        "patient": note(words["patient"], words["patient_text"]),
        "boundary": note(words["boundary"], words["boundary_text"]),
        "continuity": row(f'<FONT COLOR="{CONTINUITY_GREY}">━━━━</FONT>', words["continuity_text"]),
        "handoff": row(f'<FONT COLOR="{HANDOFF_DARK}">───▶</FONT>', words["handoff_text"]),
        "cross": row(f'<FONT COLOR="{CROSS_BLUE}">───▶</FONT>', words["cross_text"]),
        "dashed": row("- - -▶", words["dashed_text"]),
        "back": row(f'<FONT COLOR="{BACK_PURPLE}">↩ ◀───</FONT>', words["back_text"]),
        "present": note("●", words["present_text"]),
        "split": row(split, words["split_text"]),
        "secondary_note": note(f"({words['secondary_tier']})", words["secondary_note_text"]),
        "person_note": note(f"({words['person']})", words["person_note_text"]),
    }
    rows = [
        f'<TR><TD COLSPAN="2"><B>{html_escape(words["legend"])}</B></TD></TR>',
        row(html_escape(words["gap"].format(k=0)), words["gap_text"], GAP_RED, "white"),
        row(html_escape(words["fragile"].format(k=1)), words["fragile_text"], FRAGILE_ORANGE),
        row(
            html_escape(words["robust"].replace("={k}", "≥2")),
            words["robust_text"],
            ROBUST_GREEN,
            "white",
        ),
        *(optional[key] for key in LEGEND_SYMBOLS if key in shown),
    ]
    index = 0 if lang == "sv" else 1
    listed = [p for p in PRINCIPAL_COLOURS if principals is None or p in principals]
    if listed:
        rows.append(f'<TR><TD COLSPAN="2"><B>{html_escape(words["principal"])}</B></TD></TR>')
    for principal in listed:
        name = html_escape(PRINCIPAL_NAMES[principal][index])
        colour = PRINCIPAL_COLOURS[principal]
        rows.append(f'<TR><TD COLSPAN="2" BGCOLOR="{colour}">{name}</TD></TR>')
    honesty = HONESTY_SV if lang == "sv" else HONESTY_EN
    rows.append(f'<TR><TD COLSPAN="2" BALIGN="LEFT"><I>{_lines(honesty, 60)}</I></TD></TR>')
    return HtmlLabel(
        '<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4">'
        + "".join(rows)
        + "</TABLE>>"
    )


def principal_name(principal: str, lang: str) -> str:
    """A principal's name in the diagram's language (an unknown code as it is).

    Examples
    --------
    >>> principal_name("civil_society", "sv"), principal_name("municipality", "en")
    ('civilsamhället', 'municipality')
    """
    names = PRINCIPAL_NAMES.get(principal, (principal, principal))
    return names[0] if lang == "sv" else names[1]


def tooltip_text(lines: Sequence[str], words: dict[str, str]) -> str:
    """A cell's tooltip: its findings, one per line, or a note that there are none.

    Examples
    --------
    >>> tooltip_text([], WORDS["sv"])
    'Inga fynd'
    """
    return "\n".join(lines) if lines else words["no_findings"]
