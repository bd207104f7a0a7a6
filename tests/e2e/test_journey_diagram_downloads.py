"""The diagram files downloaded from the map files page say their title and resolution."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from PIL import Image

from journey_maps import render as rendering
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
    response = logged_in.get(url(ws2, f"download/diagram.pdf?language={language}"))
    assert response.status_code == 200
    [title] = pdf_titles(response.data)
    today = dt.date.today().isoformat()
    assert title == f"WS2 test – {what} ({stamp} {today})"


@needs_dot
def test_the_diagram_says_under_its_title_which_map_it_is(app, logged_in, ws2):
    """A picture travels without the page it came from: the live map says its day, a saved
    version the day it was saved, in the file's language, not the interface's."""
    a_small_map(app, ws2)
    today = dt.date.today().isoformat()

    def svg(path: str) -> str:  # Graphviz writes "-" as "&#45;"
        return html.unescape(logged_in.get(url(ws2, path)).get_data(as_text=True))

    live = svg("download/diagram.svg")
    assert f">Kartan per {today}</text>" in live
    english = svg("download/diagram.svg?language=en")
    assert f">The map as of {today}</text>" in english
    # a label takes the kind's place in the title ("WS2 test – Före"): the stamp names it
    sid = save(logged_in, ws2, "as_is", "Före")
    saved = svg(f"snapshots/{sid}/download/diagram.svg")
    assert f">Nuläge, sparad {today}</text>" in saved and "Kartan per" not in saved
    assert f">To-be, saved {today}</text>" in svg(
        f"snapshots/{save(logged_in, ws2, 'to_be', 'Efter')}/download/diagram.svg?language=en"
    )
    # without a label the title says the kind already
    unlabelled = svg(f"snapshots/{save(logged_in, ws2, 'as_is')}/download/diagram.svg")
    assert ">WS2 test – nuläge</text>" in unlabelled and f">Sparad {today}</text>" in unlabelled


@needs_dot
def test_the_downloaded_png_says_its_resolution(app, logged_in, ws2):
    a_small_map(app, ws2)
    response = logged_in.get(url(ws2, "download/diagram.png"))
    with Image.open(io.BytesIO(response.data)) as image:
        dpi = image.info.get("dpi")
    assert dpi is not None and round(dpi[0]) == rendering.PNG_DPI
