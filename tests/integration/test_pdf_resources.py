"""A report PDF fetches nothing but the app's own static files and data: URLs: markup that
slipped into a report could otherwise make the server read its files or reach the network."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from reports import render
from tests.e2e.test_verification_pages import NEEDS_PDFTOTEXT, pdf_text

pytestmark = NEEDS_PDFTOTEXT


def svg(text: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="40">'
        f'<text x="5" y="30" font-size="20">{text}</text></svg>'
    )


@pytest.fixture
def web() -> Iterator[tuple[str, list[str]]]:
    """A server on this machine that answers every request with an image and notes its path."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            body = svg("FROM-THE-NETWORK").encode()
            self.send_response(200)
            self.send_header("Content-Type", "image/svg+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", asked
    server.shutdown()
    thread.join()


def page(base: str, secret: Path) -> str:
    inline = base64.b64encode(svg("INLINE-DIAGRAM").encode()).decode()
    return (
        "<!doctype html><html><head>"
        f'<link rel="stylesheet" href="{base}/style.css"></head><body><p>Rapport</p>'
        f'<img src="{base}/picture.svg"><img src="{secret.as_uri()}">'
        f'<img src="data:image/svg+xml;base64,{inline}"></body></html>'
    )


def test_a_report_pdf_reaches_no_network_address_and_reads_no_file_outside_static(web, tmp_path):
    base, asked = web
    secret = tmp_path / "secret.svg"
    secret.write_text(svg("FROM-A-FILE"))
    text = pdf_text(render.pdf_from_html(page(base, secret)), tmp_path)
    assert "Rapport" in text and "INLINE-DIAGRAM" in text  # the page and its data: diagram
    assert asked == []
    assert "FROM-THE-NETWORK" not in text and "FROM-A-FILE" not in text


def test_without_the_limit_the_same_page_would_fetch_both(web, tmp_path, monkeypatch):
    """The control: the page above does reach out when the fetcher lets it."""
    base, asked = web
    secret = tmp_path / "secret.svg"
    secret.write_text(svg("FROM-A-FILE"))
    from weasyprint.urls import URLFetcher

    monkeypatch.setattr(render, "_fetcher", URLFetcher)  # WeasyPrint's own, unlimited
    text = pdf_text(render.pdf_from_html(page(base, secret)), tmp_path)
    assert sorted(asked) == ["/picture.svg", "/style.css"]
    assert "FROM-THE-NETWORK" in text and "FROM-A-FILE" in text
