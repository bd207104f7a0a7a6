"""The diagram files downloaded from the map files page say their title and resolution."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from journey_maps import render as rendering
from tests.e2e.test_journey_files import a_small_map, url

needs_dot = pytest.mark.skipif(not rendering.dot_available(), reason="Graphviz `dot` is missing")


def pdf_titles(pdf: bytes) -> list[str]:
    found = re.findall(rb"/Title <FEFF([0-9A-F]+)>", pdf)
    return [bytes.fromhex(t.decode()).decode("utf-16-be") for t in found]


@needs_dot
@pytest.mark.parametrize(
    ("language", "what"),
    [("sv", "patientresan med glappen"), ("en", "the patient journey and its gaps")],
)
def test_the_downloaded_pdf_is_titled_with_the_map_and_what_it_shows(
    app, logged_in, ws2, language, what
):
    a_small_map(app, ws2)
    response = logged_in.get(url(ws2, f"download/diagram.pdf?language={language}"))
    assert response.status_code == 200
    [title] = pdf_titles(response.data)
    assert title.startswith("WS2 test") and title.endswith(f" – {what}")


@needs_dot
def test_the_downloaded_png_says_its_resolution(app, logged_in, ws2):
    a_small_map(app, ws2)
    response = logged_in.get(url(ws2, "download/diagram.png"))
    with Image.open(io.BytesIO(response.data)) as image:
        dpi = image.info.get("dpi")
    assert dpi is not None and round(dpi[0]) == rendering.PNG_DPI
