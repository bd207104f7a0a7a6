"""The report document as a print-ready HTML page and as a PDF (WeasyPrint).

One template serves every use: the facilitator's draft, a published version, the verifier's
page (with comment forms) and the PDF. The language is a parameter, not the visitor's
interface language, so that an English PDF can be made from a Swedish session.

WeasyPrint was chosen over a headless browser: it is a Python library (no browser process per
request), lays out paged media properly (running headers, page numbers, A4 margins) and embeds
the fonts it uses, so å, ä and ö print everywhere. It fetches nothing but the app's own static
files and ``data:`` URLs (``local_resource``): a report carries what participants and verifiers
wrote, and nothing in it may make the server read another file or reach the network.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import logging
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import render_template

import i18n
from journey_maps import render as rendering
from journey_maps.export import journey_dot
from reports.concerns import Concerns, concerns_of
from reports.document import protect_breakdowns
from reports.journey_part import finding_text, journey_and_analysis

STATIC = i18n.STATIC  # the app's static/ folder: the report's stylesheet and images
REPORT_CSS = STATIC / "css" / "report.css"
MODES = ("draft", "version", "verifier")
DRAW = "draw"  # render_report_html(diagram=DRAW): draw the journey diagram from the document

log = logging.getLogger(__name__)


def diagram_data_uri(document: dict[str, Any], *, lang: str) -> str | None:
    """The journey diagram of a report as an SVG data URI, or None without a map or ``dot``."""
    journey_part = document.get("journey")
    if not journey_part:
        return None
    journey, analysis = journey_and_analysis(journey_part)
    try:
        svg = rendering.render(journey_dot(journey, analysis, lang=lang), "svg")
    except (rendering.GraphvizMissing, rendering.RenderError) as exc:
        log.warning("report diagram not drawn: %s", exc)
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def render_report_html(
    document: dict[str, Any],
    *,
    lang: str,
    mode: str = "draft",
    changes: dict[str, str] | None = None,
    note_forms: bool = False,
    token: str | None = None,
    version: int | None = None,
    pdf: bool = False,
    standalone: bool = False,
    extra: dict[str, Any] | None = None,
    diagram: str | None = DRAW,
    concerns: Concerns | None = None,
) -> str:
    """The whole report page. ``changes`` (item key → "added"/"changed") marks what is new
    since the reader's last visit; ``note_forms`` adds a comment form to every item (the
    verifier's page, posting with ``token``). ``pdf`` leaves out the screen-only parts;
    ``standalone`` puts the stylesheet into the page so that a downloaded file looks right.
    ``diagram`` is the drawn journey as a data URI when the caller has it already.
    ``concerns`` (one invited organisation's reading) adds what is theirs to check to page 1
    and marks it where it stands."""
    if mode not in MODES:
        raise ValueError(f"unknown report mode {mode!r}")
    language = lang if lang in i18n.LANGUAGES else "sv"
    return render_template(
        "reports/report.html",
        # a stored version is checked again against today's rule before anyone reads it
        doc=protect_breakdowns(document),
        t=functools.partial(i18n.translate, language),
        report_lang=language,
        mode=mode,
        changes=changes or {},
        note_forms=note_forms,
        token=token,
        version=version,
        pdf=pdf,
        inline_css=REPORT_CSS.read_text(encoding="utf-8") if standalone else None,
        diagram=diagram_data_uri(document, lang=language) if diagram == DRAW else diagram,
        extra=extra or {},
        concerns=concerns,
        finding_wording=finding_text,
    )


def pdf_from_html(html: str) -> bytes:
    """Lay out a report page as an A4 PDF.

    Layout takes a second or two of CPU. Under gevent (the server's async mode) that would
    stall every phone's socket in the process, so it runs in gevent's pool of real threads,
    where the interpreter still switches back to the event loop every few milliseconds.
    """
    # loading WeasyPrint looks for Pango with a subprocess, which gevent allows only on the
    # main loop: import it here, before any thread
    import weasyprint  # noqa: F401

    if _gevent_patched():
        import gevent

        result: bytes = gevent.get_hub().threadpool.apply(_layout, (html,))
        return result
    return _layout(html)


def _gevent_patched() -> bool:
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return False
    return bool(monkey.is_module_patched("socket"))


def local_resource(url: str, root: Path = STATIC) -> bool:
    """Whether a PDF may fetch ``url``: a ``data:`` URL, or a file under ``root`` (the static
    folder: the report's stylesheet). Anything else, another file or any network address, is
    refused, so that text that slipped into the page as markup could not pull it in.

    >>> root = Path("/srv/brygga/static")
    >>> local_resource("file:///srv/brygga/static/css/report.css", root)
    True
    >>> local_resource("data:image/svg+xml;base64,PHN2Zy8+", root)
    True
    >>> [local_resource(url, root) for url in ("file:///etc/passwd",
    ...     "file:///srv/brygga/static/../instance/brygga.sqlite3",
    ...     "http://127.0.0.1:5000/f/", "https://example.org/x.png", "ftp://host/x")]
    [False, False, False, False, False]
    """
    parts = urlsplit(url)
    if parts.scheme == "data":
        return True
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    return Path(url2pathname(parts.path)).resolve().is_relative_to(root.resolve())


def _fetcher() -> Any:
    """WeasyPrint's fetcher, limited to ``local_resource``; a refused URL is left out of the
    PDF with an error in the log, and the rest is laid out. One per PDF: a fetcher keeps the
    request it is on, and PDFs are laid out in several threads at once."""
    return _local_only_fetcher()()


@functools.cache
def _local_only_fetcher() -> type:
    """The fetcher's class, made once: WeasyPrint is imported only when a PDF is laid out."""
    from weasyprint.urls import URLFetcher

    class LocalOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not local_resource(url):
                raise ValueError(f"a report fetches only its own static files, not {url!r}")
            return super().fetch(url, headers)

    return LocalOnly


def _layout(html: str) -> bytes:
    import weasyprint  # imported here: it loads Pango, which only the PDF needs

    fetcher = _fetcher()
    stylesheet = weasyprint.CSS(filename=str(REPORT_CSS), url_fetcher=fetcher)
    pdf: bytes = weasyprint.HTML(string=html, base_url=str(STATIC), url_fetcher=fetcher).write_pdf(
        stylesheets=[stylesheet]
    )
    return pdf


Layout = Callable[[str], bytes]  # a report page (HTML) to a PDF: pdf_from_html, or a stored one


def layout_key(html: str) -> str:
    """What laying out ``html`` reads, as a hash: the page, the report's stylesheet and the
    WeasyPrint release. A PDF kept under it (``reports.pdf_store``) is the one that the same
    page would be laid out as today; a changed template or stylesheet gives another key."""
    return fingerprint(html, REPORT_CSS.read_bytes(), _engine())


@functools.cache
def _engine() -> str:
    return metadata.version("weasyprint")


def fingerprint(html: str, stylesheet: bytes, engine: str) -> str:
    """A SHA-256 of a page, its stylesheet and the layout engine's version.

    >>> key = fingerprint("<p>Hej</p>", b"p {}", "66.0")
    >>> len(key), key == fingerprint("<p>Hej</p>", b"p {}", "66.0")
    (64, True)
    >>> key in {fingerprint("<p>Hej!</p>", b"p {}", "66.0"),
    ...         fingerprint("<p>Hej</p>", b"p { color: red }", "66.0"),
    ...         fingerprint("<p>Hej</p>", b"p {}", "67.0")}
    False
    """
    digest = hashlib.sha256()
    for part in (engine.encode("utf-8"), stylesheet, html.encode("utf-8")):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def report_pdf_from_document(
    document: dict[str, Any],
    *,
    lang: str,
    version: int | None = None,
    recipient: dict[str, str] | None = None,
    layout: Layout = pdf_from_html,
) -> bytes:
    """A report document (live or a frozen version) as a PDF; ``recipient`` (organisation,
    and ``until`` when it has a link) says on page 1 whose copy it is, until when their link
    takes remarks, and what in it concerns them. ``layout`` lays the page out (a published
    version's is kept: ``reports.pdf_store``)."""
    return layout(
        render_report_html(
            document,
            lang=lang,
            mode="version",
            version=version,
            pdf=True,
            extra={"recipient": recipient} if recipient else None,
            concerns=concerns_of(document, recipient["organisation"]) if recipient else None,
        )
    )


def report_files(
    document: dict[str, Any],
    *,
    lang: str,
    version: int | None = None,
    layout: Layout = pdf_from_html,
) -> tuple[bytes, str]:
    """A report document (the draft, or published ``version``) as a PDF and as a standalone
    HTML page, with one drawing of its diagram for both (for bundles of many workshops);
    ``layout`` as for ``report_pdf_from_document``."""
    drawn = diagram_data_uri(document, lang=lang)
    page = functools.partial(
        render_report_html, document, lang=lang, mode="version", version=version
    )
    return layout(page(pdf=True, diagram=drawn)), page(standalone=True, diagram=drawn)
