"""How the journey-gap diagram reads on paper: labels off the lines, text on a plain ground, a
legend for every mark it uses, the board's words, and files that say their title and resolution."""

import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from journey_maps import export
from journey_maps.export import diagram_title, journey_dot, render
from journey_maps.model import Placement
from journey_maps.styles import WORDS, legend_table
from tests.unit.test_journey_export import journey, needs_dot, node_line

ROOT = Path(__file__).parents[2]


def legend_of(source):
    return node_line(source, "Teckenförklaring" if "Teckenförklaring" in source else "Legend")


def test_a_handoffs_mode_sits_on_a_white_ground_so_the_line_does_not_cross_the_letters():
    source = journey_dot(journey("demo_children"))
    remiss = [line for line in source.splitlines() if ">remiss</FONT>" in line]
    assert remiss
    for line in remiss:
        assert 'xlabel=<<TABLE BORDER="0"' in line and 'BGCOLOR="white"' in line
        assert f'<FONT COLOR="{export.CROSS_BLUE}">remiss</FONT>' in line
    assert 'xlabel="remiss"' not in source


def test_a_cell_with_two_principals_keeps_its_words_on_white_beside_a_swatch_per_principal():
    source = journey_dot(journey("demo_children"))
    assert "striped" not in source
    both = node_line(source, ">VC med UPH</TD>")
    assert 'fillcolor="white"' in both
    for colour in (export.PRINCIPAL_COLOURS["region"], export.PRINCIPAL_COLOURS["municipality"]):
        assert f'<TD BGCOLOR="{colour}"' in both
    assert ">Elevhälsa</TD>" in both
    role = node_line(source, "3  Den som möter och kommunicerar")
    assert 'fillcolor="white"' in role and role.count("<TD BGCOLOR=") == 2


def test_the_honesty_line_is_broken_into_lines_inside_the_legend():
    legend = legend_table(WORDS["sv"], "sv")
    honesty = re.search(r"<I>(.*?)</I>", legend)
    assert honesty is not None and "<BR/>" in honesty.group(1)
    assert all(len(line) <= 60 for line in honesty.group(1).split("<BR/>"))


def test_the_legend_explains_every_mark_the_drawing_uses():
    legend = legend_of(journey_dot(journey("demo_children")))
    words = WORDS["sv"]
    for text in (
        words["present_text"][:30],  # ● on a placement without an organisation
        words["split_text"][:30],  # the colour swatches of a cell with two principals
        words["boundary_text"][:30],  # ⇄ huvudmannagräns on a marker
        words["secondary_note_text"][:30],  # (sekundär) under a role
        "↩",  # the backward markers
    ):
        assert text in legend, text
    assert ">⇄ huvudmannagräns<" in legend and ">(sekundär)<" in legend


def test_the_legend_leaves_out_marks_and_principals_the_drawing_does_not_use():
    j = journey("demo_children")
    legend = legend_of(journey_dot(replace(j, transitions=[], handoffs=[])))
    for key in ("back_text", "cross_text", "dashed_text", "boundary_text", "continuity_text"):
        assert WORDS["sv"][key][:20] not in legend, key
    assert ">region<" in legend and ">kommun<" in legend and ">staten<" not in legend


def test_only_the_patient_carrying_a_transition_is_explained_when_it_happens():
    with_patient = legend_of(journey_dot(journey("bridges")))
    without = legend_of(journey_dot(journey("demo_children")))
    assert WORDS["sv"]["patient_text"][:30] in with_patient
    assert WORDS["sv"]["patient_text"][:30] not in without


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_grades_use_the_boards_words_on_the_markers_and_in_the_legend(lang):
    board = json.loads((ROOT / "translations" / f"board.{lang}.json").read_text("utf-8"))
    source = journey_dot(journey("bridges"), lang=lang)
    legend = legend_of(source)
    for grade, k in (("gap", "k=0"), ("fragile", "k=1"), ("robust", "k≥2")):
        name = board[f"board.grade.{grade}"]
        assert WORDS[lang][grade] == name + " k={k}"
        assert f">{name} {k}<" in legend  # the legend's sample names the grade
        assert WORDS[lang][f"{grade}_text"].startswith(name + " (")  # and so does its text
    assert f'label="{board["board.grade.gap"]} k=0' in source
    assert "GAP" not in source and "sårbar" not in source


def test_a_role_whose_name_has_its_own_parenthesis_gets_no_second_one():
    source = journey_dot(journey("demo_children"))
    assert "(familj/nätverk)\\n(person/nätverk)" not in source
    assert "(familj/nätverk)" in node_line(source, "2  Den som finns i barnets vardag")
    assert "(person/nätverk)" in node_line(source, "1  Barnet själv")


def test_tooltips_name_the_principal_in_the_diagrams_language():
    j = journey("demo_children")
    j = replace(j, placements=[*j.placements, Placement("2", "s1", "NSPH", "civil_society")])
    swedish, english = journey_dot(j), journey_dot(j, lang="en")
    assert "NSPH (civilsamhället)" in swedish and "(kommun)" in swedish
    assert "civil_society" not in swedish and "(municipality)" not in swedish
    assert "NSPH (civil society)" in english and "(municipality)" in english


def test_the_diagram_title_says_what_the_file_shows_in_its_language():
    j = journey("demo_children")
    assert diagram_title(j) == (
        "Barn och unga – patientresan (demo) – nuläge – patientresan med glappen"
    )
    assert diagram_title(j, lang="en").endswith("– the patient journey and its gaps")


@needs_dot
def test_the_pdf_carries_the_diagrams_title():
    pdf = render(journey_dot(journey("bridges")), "pdf", title="Vuxna – patientresan med glappen")
    titles = re.findall(rb"/Title <FEFF([0-9A-F]+)>", pdf)
    assert [bytes.fromhex(t.decode()).decode("utf-16-be") for t in titles] == [
        "Vuxna – patientresan med glappen"
    ]
    assert re.search(rb"/Info (\d+) 0 R /Prev \d+", pdf)
    assert pdf.rstrip().endswith(b"%%EOF")


@needs_dot
def test_the_png_says_it_is_drawn_at_180_dpi():
    from PIL import Image

    png = render(journey_dot(journey("bridges")), "png")
    with Image.open(io.BytesIO(png)) as image:
        image.load()  # a broken chunk (a wrong checksum) would fail here
        dpi = image.info.get("dpi")
    assert dpi is not None and round(dpi[0]) == round(dpi[1]) == export.PNG_DPI
