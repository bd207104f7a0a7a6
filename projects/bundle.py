"""Use case: everything a project produced in one ZIP: reports, journey diagrams, findings."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from sqlalchemy.orm import Session

import i18n
from journey_maps import render as rendering
from journey_maps.analysis import gap_report
from journey_maps.board import workshop_journey
from journey_maps.export import findings_csv, journey_dot
from journey_maps.messages import HONESTY_EN, HONESTY_SV
from projects.overview import folder_name
from projects.services import get_project, in_order
from workshops.models import Workshop

README = "README.txt"
REPORT_FILES = ("report.pdf", "report.html")
DIAGRAM_FILES = ("diagram.svg", "diagram.pdf")


@dataclass(frozen=True)
class Folder:
    """One workshop's folder in the ZIP and the files put into it."""

    name: str
    title: str
    kind: str
    target_group: str
    date: dt.date | None
    threshold: int
    files: tuple[str, ...]


def project_bundle(
    session: Session, project_id: int, *, lang: str, today: dt.date | None = None
) -> bytes:
    """The project as a ZIP: per workshop a folder (title and date) with its report as PDF and
    HTML and, for a WS2 workshop, the journey diagram (SVG and PDF when Graphviz's ``dot`` is
    installed, DOT always) and the findings as CSV; a README.txt says what each file is.

    The reports need the Flask application (their template), so call this inside an app
    context. Anonymity is the report's: a distribution answered by fewer than the workshop's
    threshold is withheld there, and the diagrams and findings hold no answers at all.
    """
    # the reports module renders through Flask; imported here so that this module loads without
    from reports.render import report_files

    language = lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    project = get_project(session, project_id)
    workshops = in_order(list(project.workshops))
    buffer = io.BytesIO()
    folders: list[Folder] = []
    taken: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for workshop in workshops:
            name = folder_name(workshop.title, workshop.date, taken)
            pdf, html = report_files(session, workshop.id, lang=language)
            files: list[tuple[str, bytes]] = [
                ("report.pdf", pdf),
                ("report.html", html.encode("utf-8")),
            ]
            if workshop.kind == "ws2":
                files += journey_files(session, workshop.id, lang=language)
            for filename, data in files:
                archive.writestr(f"{name}/{filename}", data)
            folders.append(_folder(name, workshop, [filename for filename, _ in files]))
        text = readme_text(project.name, folders, lang=language, today=today or dt.date.today())
        archive.writestr(README, text.encode("utf-8"))
    return buffer.getvalue()


def _folder(name: str, workshop: Workshop, files: list[str]) -> Folder:
    return Folder(
        name,
        workshop.title,
        workshop.kind,
        workshop.target_group,
        workshop.date,
        workshop.anonymity_threshold,
        tuple(files),
    )


def journey_files(session: Session, workshop_id: int, *, lang: str) -> list[tuple[str, bytes]]:
    """A WS2 workshop's map as files: the diagram (SVG and A3 PDF when ``dot`` can draw it),
    its DOT source, and the findings as CSV (with a byte-order mark, for spreadsheets)."""
    journey = workshop_journey(session, workshop_id)
    report = gap_report(journey)
    source = journey_dot(journey, report, lang=lang)
    try:
        drawn = [(name, rendering.render(source, name.rsplit(".", 1)[1])) for name in DIAGRAM_FILES]
    except (rendering.GraphvizMissing, rendering.RenderError):
        drawn = []  # the README says why; the DOT source can be drawn elsewhere
    return [
        *drawn,
        ("diagram.dot", source.encode("utf-8")),
        ("findings.csv", findings_csv(report).encode("utf-8-sig")),
    ]


def readme_text(project: str, folders: Sequence[Folder], *, lang: str, today: dt.date) -> str:
    """What the ZIP holds, file by file, in Swedish or English, with the date, the anonymity
    rule and the honesty line of the gap analysis.

    >>> folder = Folder("ws2-barn-2026-05-04", "WS2 Barn", "ws2", "children",
    ...                 dt.date(2026, 5, 4), 3, ("report.pdf", "diagram.dot"))
    >>> text = readme_text("Ingen ska falla", [folder], lang="en", today=dt.date(2026, 6, 1))
    >>> print(text.splitlines()[0])
    Ingen ska falla
    >>> "ws2-barn-2026-05-04/" in text, "2026-06-01" in text, "not how often" in text
    (True, True, True)
    >>> "could not draw them" in text  # a WS2 folder without SVG and PDF: the README says why
    True
    """
    t = partial(i18n.translate, lang)
    lines = [
        project,
        t("projects.readme.made", date=today.isoformat()),
        "",
        t("projects.readme.contents"),
        "-" * len(t("projects.readme.contents")),
        f"{README:<14} {t('projects.readme.file.readme')}",
        "",
    ]
    missing_diagram = False
    for folder in folders:
        facts = [folder.kind.upper(), t(f"group.{folder.target_group}")]
        if folder.date:
            facts.append(folder.date.isoformat())
        lines += [f"{folder.name}/", f"  {folder.title} ({', '.join(facts)})"]
        for name in folder.files:
            lines.append(f"  {name:<14} {t('projects.readme.file.' + name.replace('.', '_'))}")
        if folder.kind == "ws2" and not set(DIAGRAM_FILES) & set(folder.files):
            missing_diagram = True
        lines.append("")
    if not folders:
        lines += [t("projects.readme.no_workshops"), ""]
    thresholds = sorted({f.threshold for f in folders})
    lines += [
        t("projects.readme.about"),
        "-" * len(t("projects.readme.about")),
        t(
            "projects.readme.anonymity",
            threshold=" / ".join(str(n) for n in thresholds) if thresholds else "3",
        ),
    ]
    if missing_diagram:
        lines.append(t("projects.readme.no_dot"))
    lines.append(HONESTY_SV if lang == "sv" else HONESTY_EN)
    return "\n".join(lines) + "\n"
