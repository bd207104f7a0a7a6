"""The journey-gap diagram (DOT, rendered by Graphviz) and the findings as data."""

import html
import json
import re
import shutil
from pathlib import Path

import pytest

from journey_maps import export
from journey_maps.analysis import gap_report
from journey_maps.export import (
    GraphvizMissing,
    RenderError,
    dot_available,
    findings_json,
    journey_dot,
    render,
)
from journey_maps.format import load_journey

FIXTURES = Path(__file__).parent.parent / "fixtures" / "journeys"
needs_dot = pytest.mark.skipif(
    not dot_available(), reason="Graphviz `dot` is not on PATH (apt install graphviz)"
)


def journey(name):
    return load_journey(FIXTURES / f"{name}.json")


def node_line(source, text):
    return next(line for line in source.splitlines() if text in line and "label=" in line)


def test_the_dot_source_draws_every_kind_of_gap_marker_and_a_legend():
    source = journey_dot(journey("bridges"))
    assert source.startswith("digraph journey {") and source.rstrip().endswith("}")
    assert 'rankdir="LR"' in source and 'fontname="DejaVu Sans"' in source
    assert "Teckenförklaring" in source
    assert "Analysen beskriver kartan som workshopen ritade" in source


def test_gap_markers_differ_by_colour_shape_and_text():
    source = journey_dot(journey("bridges"))
    gap = node_line(source, 'label="Glapp k=0\\nbara patient/närstående"')
    fragile = node_line(source, 'label="Skört k=1"')
    robust = node_line(source, 'label="Robust k=2"')
    assert 'shape="octagon"' in gap and f'fillcolor="{export.GAP_RED}"' in gap
    assert 'shape="diamond"' in fragile and f'fillcolor="{export.FRAGILE_ORANGE}"' in fragile
    assert 'shape="box"' in robust and f'fillcolor="{export.ROBUST_GREEN}"' in robust


def test_a_transition_carried_only_by_secondary_roles_is_marked_fragile():
    source = journey_dot(journey("bridges"))
    assert 'label="Skört k=1"' in source  # a4>a5 hangs on secondary role 10 alone


def test_lines_are_styled_by_kind():
    source = journey_dot(journey("loops_pingpong"))
    assert f'color="{export.CONTINUITY_GREY}", penwidth="5"' in source
    assert f'color="{export.CROSS_BLUE}"' in source  # 4 (region) hands over to 8 (municipality)
    assert f'color="{export.BACK_PURPLE}"' in source
    assert 'style="dashed"' in source  # the unacknowledged referral back
    assert 'label="↩ Skört k=1' in source  # markers of backward transitions carry an arrow


def test_the_principal_shows_as_the_colour_of_the_role_row_and_no_clusters_are_used():
    source = journey_dot(journey("boundary_owners"))
    label = node_line(source, 'label="5B  Den som utreder')
    assert f'fillcolor="{export.PRINCIPAL_COLOURS["municipality"]}"' in label
    striped = node_line(source, 'label="4  Den som')
    assert f'fillcolor="{export.PRINCIPAL_COLOURS["region"]}"' in striped
    assert "cluster" not in source


def test_the_diagram_can_be_drawn_in_english():
    source = journey_dot(journey("bridges"), lang="en")
    assert "Legend" in source and 'label="Fragile k=1"' in source


def test_user_text_cannot_break_out_of_the_dot_source():
    assert export.quote('a "quoted" \\ text\nnext') == '"a \\"quoted\\" \\\\ text\\nnext"'


def test_the_dot_source_does_not_depend_on_the_order_placements_were_entered():
    from dataclasses import replace

    j = journey("demo_children")
    shuffled = replace(j, placements=j.placements[::-1], handoffs=j.handoffs[::-1])
    assert journey_dot(shuffled) == journey_dot(j)


def test_findings_json_keeps_swedish_letters_readable():
    text = findings_json(gap_report(journey("bridges")))
    assert "Övergången" in text and "\\u00d6" not in text
    assert json.loads(text)["format"] == "brygga.journey-analysis/1"


def test_the_dot_format_needs_no_graphviz(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert render("digraph { a }", "dot") == b"digraph { a }"


def test_a_missing_dot_binary_is_reported_clearly(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert dot_available() is False
    with pytest.raises(GraphvizMissing, match="Graphviz `dot` is not installed"):
        render(journey_dot(journey("bridges")), "svg")


@needs_dot
def test_the_svg_keeps_swedish_letters_and_tooltips():
    svg = render(journey_dot(journey("demo_children")), "svg").decode("utf-8")
    assert svg.lstrip().startswith("<?xml")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "Första kontakt" in texts and "Elevhälsa" in texts
    assert "Barn och unga – patientresan (demo) – nuläge" in texts
    assert "(person/nätverk)" in texts
    tooltips = [html.unescape(t) for t in re.findall(r'xlink:title="([^"]*)"', svg)]
    assert any("\n[high] Remiss-pingis mellan roll 3" in t for t in tooltips)
    assert any(
        t.startswith("[high] Övergången ”Oro / tidiga tecken” → ”Första kontakt”") for t in tooltips
    )
    assert 'font-family="DejaVu Sans' in svg


@needs_dot
def test_png_is_rendered_at_print_resolution():
    png = render(journey_dot(journey("bridges")), "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width > 2000  # 180 dpi, not the 96 dpi default


@needs_dot
@pytest.mark.parametrize("name", ["bridges", "demo_children"])
def test_pdf_is_one_a3_landscape_page(name):
    pdf = render(journey_dot(journey(name)), "pdf")
    assert pdf.startswith(b"%PDF")
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert box is not None
    width, height = float(box.group(1)), float(box.group(2))
    assert abs(width - 1190.55) < 2 and abs(height - 841.89) < 2


@needs_dot
def test_graphviz_errors_are_reported_with_its_message():
    with pytest.raises(RenderError, match="syntax error"):
        render("digraph { a -> }", "svg")


HOSTILE_TEXTS = [
    "<script>alert(1)</script>",
    "<<TABLE><TR><TD>x</TD></TR></TABLE>>",
    '"; digraph evil { a -> b } "',
    "}\n}\ndigraph x {",
    "a\\\\nb \\\\ \\\\\\\\",
    "<b>fet</b> & <i>kursiv</i>",
]


@needs_dot
@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_any_text_a_facilitator_types_is_drawn_as_text_never_read_as_dot_or_html(text):
    """Titles and stage names are the facilitator's words: one starting with "<" once went
    into DOT unquoted, as if it were an HTML-like label, and Graphviz refused the drawing."""
    document = json.loads((FIXTURES / "demo_children.json").read_text(encoding="utf-8"))
    document["title"] = f"{text} titel"
    for stage in document["stages"]:
        stage["label"] = f"{text} {stage['id']}"
    from journey_maps.format import parse_journey

    hostile = parse_journey(document)
    svg = render(journey_dot(hostile, gap_report(hostile)), "svg").decode("utf-8")
    assert "<script" not in svg
    shown = html.unescape(re.sub(r"<[^>]+>", "", svg))
    first_line = text.split("\n")[0].split("\\")[0].strip()
    assert first_line in shown
