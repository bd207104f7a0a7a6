"""Rendering DOT source with the Graphviz ``dot`` binary: SVG, PNG and A3 landscape PDF."""

from __future__ import annotations

import shutil
import subprocess

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


def render(dot_source: str, fmt: str) -> bytes:
    """Render DOT source with the ``dot`` binary: "svg", "png" (180 dpi), "pdf" (A3 landscape).

    ``fmt="dot"`` returns the source itself as UTF-8 and needs no binary.

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
    if fmt == "pdf":
        args += _a3_landscape(binary, dot_source)
    return _run(args, dot_source)


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
