"""Rendering DOT source with the Graphviz ``dot`` binary: SVG, PNG and A3 landscape PDF."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib

FORMATS: tuple[str, ...] = ("svg", "png", "pdf", "dot")
MEDIA_TYPES = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "pdf": "application/pdf",
    "dot": "text/vnd.graphviz; charset=utf-8",
}
PNG_DPI = 180
A3_LANDSCAPE_IN = (16.54, 11.69)
A3_MARGIN_IN = 0.4
RENDER_TIMEOUT_S = 120


class GraphvizMissing(RuntimeError):
    """The Graphviz ``dot`` binary is not on PATH; DOT source and findings data still work."""


class RenderError(RuntimeError):
    """``dot`` ran but failed; the message carries its error output."""


def dot_available() -> bool:
    """Whether the Graphviz ``dot`` binary is on PATH.

    Examples
    --------
    >>> isinstance(dot_available(), bool)
    True
    """
    return shutil.which("dot") is not None


def render(dot_source: str, fmt: str, *, title: str | None = None) -> bytes:
    """Render DOT source with the ``dot`` binary: "svg", "png" (180 dpi), "pdf" (A3 landscape).

    ``fmt="dot"`` returns the source itself as UTF-8 and needs no binary. The PNG says its
    resolution (a pHYs chunk), and the PDF carries ``title`` as its Title when one is given.

    Raises
    ------
    GraphvizMissing
        When ``dot`` is not on PATH.
    RenderError
        When ``dot`` fails.

    Examples
    --------
    >>> render("digraph { a }", "dot")
    b'digraph { a }'
    >>> render("digraph { a }", "gif")
    Traceback (most recent call last):
    ...
    ValueError: format must be one of svg, png, pdf, dot, not 'gif'
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "dot":
        return dot_source.encode("utf-8")
    binary = shutil.which("dot")
    if binary is None:
        raise GraphvizMissing(
            "Graphviz `dot` is not installed (apt install graphviz); "
            "the DOT source and the findings (JSON, CSV) are still available."
        )
    args = [binary, f"-T{fmt}"]
    if fmt == "png":
        args.append(f"-Gdpi={PNG_DPI}")
        return png_with_dpi(_run(args, dot_source), PNG_DPI)
    if fmt == "pdf":
        args += _a3_landscape(binary, dot_source)
        drawn = _run(args, dot_source)
        return pdf_with_title(drawn, title) if title else drawn
    return _run(args, dot_source)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_dpi(png: bytes, dpi: int) -> bytes:
    """The PNG with a pHYs chunk saying its resolution (cairo writes none, so print programs
    would size a 180 dpi drawing as if it were 72 dpi); an existing pHYs is replaced.

    Examples
    --------
    >>> bare = b"\\x89PNG\\r\\n\\x1a\\n" + _chunk(b"IHDR", bytes(13)) + _chunk(b"IEND", b"")
    >>> marked = png_with_dpi(bare, 180)
    >>> marked[33:41], struct.unpack(">IIB", marked[41:50])
    (b'\\x00\\x00\\x00\\tpHYs', (7087, 7087, 1))
    >>> png_with_dpi(marked, 96) == png_with_dpi(bare, 96)
    True
    """
    per_metre = round(dpi / 0.0254)
    chunks, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        end = at + 12 + length
        if png[at + 4 : at + 8] != b"pHYs":
            chunks.append(png[at:end])
        at = end
    phys = _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1))
    return png[:8] + chunks[0] + phys + b"".join(chunks[1:])


def _pdf_text(text: str) -> bytes:
    """A PDF text string: UTF-16BE with its byte-order mark, as hex (any letter, no escaping)."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def pdf_with_title(pdf: bytes, title: str) -> bytes:
    """The PDF with ``title`` as its Title, added as an incremental update (a new document
    information dictionary after the original, which stays untouched).

    Examples
    --------
    >>> original = (
    ...     b"%PDF-1.5\\n1 0 obj << /Type /Catalog >> endobj\\n2 0 obj << /Producer (cairo) >>"
    ...     b" endobj\\nxref\\n0 3\\n0000000000 65535 f \\n0000000009 00000 n \\n"
    ...     b"0000000046 00000 n \\ntrailer << /Size 3 /Root 1 0 R /Info 2 0 R >>\\n"
    ...     b"startxref\\n90\\n%%EOF\\n"
    ... )
    >>> titled = pdf_with_title(original, "Ö")
    >>> info = b"3 0 obj\\n<< /Producer (cairo) /Title <FEFF00D6> >>"
    >>> titled.startswith(original), info in titled
    (True, True)
    >>> titled.rstrip().endswith(b"%%EOF"), b"/Prev 90" in titled, b"/Info 3 0 R" in titled
    (True, True, True)

    A PDF without a classic trailer (a cross-reference stream) is returned as it is: a file
    without a title rather than no file.

    >>> pdf_with_title(b"%PDF-1.5\\n1 0 obj << /Type /XRef >> endobj\\n%%EOF\\n", "Ö")[:8]
    b'%PDF-1.5'
    """
    at = pdf.rfind(b"trailer")
    trailer = pdf[at:] if at >= 0 else b""
    size_found = re.search(rb"/Size (\d+)", trailer)
    root_found = re.search(rb"/Root (\d+ \d+ R)", trailer)
    if at < 0 or size_found is None or root_found is None or b"startxref" not in trailer:
        return pdf
    size, root = int(size_found.group(1)), root_found.group(1)
    previous = int(pdf[pdf.rindex(b"startxref") + 9 :].split()[0])
    info = re.search(rb"/Info (\d+) 0 R", trailer)
    producer = b""
    if info:
        old = re.search(rb"\n" + info.group(1) + rb" 0 obj\s*<<(.*?)>>\s*endobj", pdf, re.S)
        if old:
            producer = re.sub(rb"/Title\s*(\([^)]*\)|<[^>]*>)", b"", old.group(1)).strip() + b" "
    head = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    offset = len(head)
    body = b"%d 0 obj\n<< %s/Title %s >>\nendobj\n" % (size, producer, _pdf_text(title))
    xref = b"xref\n%d 1\n%010d 00000 n \n" % (size, offset)
    tail = b"trailer\n<< /Size %d /Root %s /Info %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        size + 1,
        root,
        size,
        previous,
        offset + len(body),
    )
    return head + body + xref + tail


def _run(args: list[str], dot_source: str) -> bytes:
    try:
        done = subprocess.run(
            args,
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=RENDER_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"dot took longer than {RENDER_TIMEOUT_S} s") from exc
    if done.returncode != 0:
        raise RenderError(done.stderr.decode("utf-8", "replace").strip() or "dot failed")
    return done.stdout


def _a3_landscape(binary: str, dot_source: str) -> list[str]:
    """Margin, padding and size that put the drawing (shrunk to fit if need be) centred on an
    A3 landscape page: cairo's page is the drawing plus padding plus margin, so the padding is
    chosen to give the drawing the page's proportions."""
    first = _run([binary, "-Tplain"], dot_source).decode("utf-8").split("\n", 1)[0].split()
    width, height = float(first[2]), float(first[3])
    page_w, page_h = A3_LANDSCAPE_IN
    room_w, room_h = page_w - 2 * A3_MARGIN_IN, page_h - 2 * A3_MARGIN_IN
    pad = 4 / 72  # Graphviz's default padding
    fixed = [f"-Gmargin={A3_MARGIN_IN}"]
    if width + 2 * pad <= room_w and height + 2 * pad <= room_h:
        return [*fixed, f"-Gpad={(room_w - width) / 2:.4f},{(room_h - height) / 2:.4f}"]
    if (width + 2 * pad) / (height + 2 * pad) > room_w / room_h:
        pad_w, pad_h = pad, ((width + 2 * pad) * room_h / room_w - height) / 2
    else:
        pad_w, pad_h = ((height + 2 * pad) * room_w / room_h - width) / 2, pad
    return [*fixed, f"-Gpad={pad_w:.4f},{pad_h:.4f}", f"-Gsize={room_w},{room_h}"]
