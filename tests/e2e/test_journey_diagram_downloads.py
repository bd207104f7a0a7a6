"""The diagram files downloaded from the map files page say their title and resolution."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable

import pytest
from PIL import Image

from journey_maps import render as rendering
from tests.conftest import on_the_day
from tests.e2e.test_journey_files import a_small_map, save, url

needs_dot = pytest.mark.skipif(not rendering.dot_available(), reason="Graphviz `dot` is missing")


def pdf_titles(pdf: bytes) -> list[str]:
    found = re.findall(rb"/Title <FEFF([0-9A-F]+)>", pdf)
    return [bytes.fromhex(t.decode()).decode("utf-16-be") for t in found]


@needs_dot
@pytest.mark.parametrize(
    ("language", "what", "stamp"),
    [
        ("sv", "patientresan med glappen", "Kartan per"),
        ("en", "the patient journey and its gaps", "The map as of"),
    ],
)
def test_the_downloaded_pdf_is_titled_with_the_map_what_it_shows_and_its_day(
    app, logged_in, ws2, language, what, stamp
):
    a_small_map(app, ws2)
    response, days = on_the_day(
        lambda: logged_in.get(url(ws2, f"download/diagram.pdf?language={language}"))
    )
    assert response.status_code == 200
    [title] = pdf_titles(response.data)
    assert title in {f"WS2 test – {what} ({stamp} {day})" for day in days}


@needs_dot
def test_the_diagram_says_under_its_title_which_map_it_is(app, logged_in, ws2):
    """A picture travels without the page it came from: the live map says its day, a saved
    version the day it was saved, in the file's language, not the interface's."""
    a_small_map(app, ws2)

    def says(path: Callable[[], str], stamp: str) -> str:
        """The SVG at the ``path`` it saves, checked to carry ``stamp`` (with {day}) on its day:
        a version is saved inside the clock's window, so its day is one of those too."""
        response, days = on_the_day(lambda: logged_in.get(url(ws2, path())))
        drawn = html.unescape(response.get_data(as_text=True))  # Graphviz writes "-" as "&#45;"
        assert any(f">{stamp.format(day=day)}</text>" in drawn for day in days), drawn
        return drawn

    def saved(kind: str, label: str = "", query: str = "") -> Callable[[], str]:
        return lambda: f"snapshots/{save(logged_in, ws2, kind, label)}/download/diagram.svg{query}"

    says(lambda: "download/diagram.svg", "Kartan per {day}")
    says(lambda: "download/diagram.svg?language=en", "The map as of {day}")
    # a label takes the kind's place in the title ("WS2 test – Före"): the stamp names it
    before = says(saved("as_is", "Före"), "Nuläge, sparad {day}")
    assert "Kartan per" not in before
    says(saved("to_be", "Efter", "?language=en"), "To-be, saved {day}")
    # without a label the title says the kind already
    unlabelled = says(saved("as_is"), "Sparad {day}")
    assert ">WS2 test – nuläge</text>" in unlabelled


@needs_dot
def test_the_downloaded_png_says_its_resolution(app, logged_in, ws2):
    a_small_map(app, ws2)
    response = logged_in.get(url(ws2, "download/diagram.png"))
    with Image.open(io.BytesIO(response.data)) as image:
        dpi = image.info.get("dpi")
    assert dpi is not None and round(dpi[0]) == rendering.PNG_DPI
