"""Journey-gap diagrams as Graphviz DOT (pure), rendered by `dot`, and findings as data."""

from __future__ import annotations

import json

from journey_maps.analysis import gap_report
from journey_maps.layout import Sheet
from journey_maps.model import Journey
from journey_maps.render import (
    A3_LANDSCAPE_IN,
    A3_MARGIN_IN,
    FORMATS,
    MEDIA_TYPES,
    PNG_DPI,
    RENDER_TIMEOUT_S,
    GraphvizMissing,
    RenderError,
    dot_available,
    render,
)
from journey_maps.report import Report, report_to_dict
from journey_maps.styles import (
    BACK_PURPLE,
    CONTINUITY_GREY,
    CROSS_BLUE,
    FONT,
    FRAGILE_ORANGE,
    GAP_RED,
    HANDOFF_DARK,
    NO_PRINCIPAL,
    PRINCIPAL_COLOURS,
    ROBUST_GREEN,
    ROW_HEIGHT,
    WORDS,
    HtmlLabel,
    attr_list,
    html_escape,
    quote,
)

# the diagram's look (styles), grid (layout) and the dot binary (render) live in their own
# modules; their public names are re-exported so that callers need one import
__all__ = [
    "A3_LANDSCAPE_IN",
    "A3_MARGIN_IN",
    "BACK_PURPLE",
    "CONTINUITY_GREY",
    "CROSS_BLUE",
    "FONT",
    "FORMATS",
    "FRAGILE_ORANGE",
    "GAP_RED",
    "HANDOFF_DARK",
    "MEDIA_TYPES",
    "NO_PRINCIPAL",
    "PNG_DPI",
    "PRINCIPAL_COLOURS",
    "RENDER_TIMEOUT_S",
    "ROBUST_GREEN",
    "ROW_HEIGHT",
    "GraphvizMissing",
    "RenderError",
    "diagram_title",
    "dot_available",
    "findings_json",
    "journey_dot",
    "quote",
    "render",
]


def journey_dot(
    journey: Journey, report: Report | None = None, *, lang: str = "sv", stamp: str | None = None
) -> str:
    """The journey-gap diagram as Graphviz DOT source (pure; nothing is run).

    Left to right: a column of role labels, then one column per stage and one per transition,
    where the gap marker sits; one row per role. Markers differ by colour, shape and text.

    Parameters
    ----------
    journey : Journey
    report : Report, optional
        The analysis to draw; computed when not given.
    lang : {"sv", "en"}
    stamp : str, optional
        A line under the title saying which map this is (its date, the version it was
        published with), for a picture that travels without the page it came from.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> source = journey_dot(example_journey())
    >>> source.startswith("digraph journey {"), "Glapp k=0" in source, "Skört k=1" in source
    (True, True, True)
    >>> 'fontname="DejaVu Sans"' in source, "Teckenförklaring" in source
    (True, True)
    >>> stamped = journey_dot(example_journey(), stamp="Kartan per 2026-11-24")
    >>> '<FONT POINT-SIZE="12">Kartan per 2026-11-24</FONT>' in stamped
    True
    """
    sheet = Sheet(journey, report or gap_report(journey), lang)
    title = _drawn_title(journey)
    graph = attr_list(
        rankdir="LR",
        newrank=True,
        nodesep=0.12,
        ranksep=0.3,
        fontname=FONT,
        fontsize=18,
        label=_title_label(title, stamp),
        labelloc="t",
        labeljust="l",
        tooltip=title,
        charset="UTF-8",
        outputorder="edgesfirst",  # boxes and markers stay on top of the lines
    )
    node = attr_list(fontname=FONT, fontsize=10, shape="box", style="rounded", height=ROW_HEIGHT)
    out = [
        "digraph journey {",
        f"  graph {graph};",
        f"  node {node};",
        # visible edges never pull the grid out of line
        f"  edge {attr_list(fontname=FONT, fontsize=8, weight=0)};",
        *sheet.grid(),
    ]
    for transition in journey.ordered_transitions:
        out += sheet.edges(transition)
    out.append("}")
    return "\n".join(out) + "\n"


def _title_label(title: str, stamp: str | None) -> str:
    """The sheet's title, with the stamp in smaller type on a line of its own."""
    if not stamp:
        return title
    return HtmlLabel(
        f'<{html_escape(title)}<BR ALIGN="LEFT"/>'
        f'<FONT POINT-SIZE="12">{html_escape(stamp)}</FONT><BR ALIGN="LEFT"/>>'
    )


def _drawn_title(journey: Journey) -> str:
    return journey.title + (f" – {journey.snapshot}" if journey.snapshot else "")


def diagram_title(journey: Journey, *, lang: str = "sv", stamp: str | None = None) -> str:
    """The diagram file's document title (a PDF's Title): the map's title and what it shows,
    and the stamp when there is one.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> diagram_title(example_journey(), lang="en").endswith(" – the patient journey and its gaps")
    True
    >>> diagram_title(example_journey(), stamp="Version 2").endswith("glappen (Version 2)")
    True
    """
    return f"{_drawn_title(journey)} – {WORDS[lang]['document']}" + (f" ({stamp})" if stamp else "")


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
