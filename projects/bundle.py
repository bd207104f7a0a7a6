"""Use case: everything a project produced in one ZIP: reports, journey diagrams, findings."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

import i18n
from db import end_reading
from journey_maps import render as rendering
from journey_maps.analysis import gap_report
from journey_maps.board import workshop_journey
from journey_maps.export import diagram_title, journey_dot
from journey_maps.findings_table import map_findings_csv
from journey_maps.messages import honesty
from journey_maps.triage import triage_map
from projects.overview import folder_name
from projects.services import get_project, in_order
from reports.journey_part import journey_and_analysis, published_findings
from reports.verification import latest_version
from workshops.models import Workshop

README = "README.txt"
REPORT_FILES = ("report.pdf", "report.html")
OVERVIEW_FILES = ("overview.pdf", "overview.html")  # projects.render.overview_files
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
    version: int | None = None  # the published report version bundled; None: the draft


def project_bundle(
    session: Session, project_id: int, *, lang: str, today: dt.date | None = None
) -> bytes:
    """The project as a ZIP: per workshop a folder (title and date) with its report as PDF and
    HTML and, for a WS2 workshop, the journey diagram (SVG and PDF when Graphviz's ``dot`` is
    installed, DOT always) and the findings as CSV; at the root the project's overview as PDF
    and HTML (``projects.render``), made from the reports in the folders, and a README.txt that
    says what each file is.

    The report is the latest published version, the one sent to the organisations for
    verification; a workshop with none published gets its draft, and the README says so.
    The reports need the Flask application (their template), so call this inside an app
    context. Anonymity is the report's: a distribution answered by fewer than the workshop's
    threshold is withheld there, and the diagrams and findings hold no answers at all.
    """
    language = lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    today = today or dt.date.today()
    project = get_project(session, project_id)
    workshops = in_order(list(project.workshops))
    buffer = io.BytesIO()
    folders: list[Folder] = []
    taken: set[str] = set()
    named: dict[int, str] = {}  # workshop id → its folder
    versions: dict[int, int | None] = {}  # workshop id → the report version in it
    documents: dict[int, dict[str, Any]] = {}  # workshop id → that report's document
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for workshop in workshops:
            name = named[workshop.id] = folder_name(workshop.title, workshop.date, taken)
            version, pdf, html, document = bundled_report(session, workshop.id, lang=language)
            versions[workshop.id], documents[workshop.id] = version, document
            files: list[tuple[str, bytes]] = [
                ("report.pdf", pdf),
                ("report.html", html.encode("utf-8")),
            ]
            if workshop.kind == "ws2":
                # the map of the report beside it: a published version's, not today's
                part = document.get("journey")
                stamp = (
                    i18n.translate(language, "files.stamp_version", n=version)
                    if version and part
                    else i18n.translate(language, "files.stamp_live", date=today.isoformat())
                )
                files += journey_files(session, workshop.id, lang=language, part=part, stamp=stamp)
            for filename, data in files:
                archive.writestr(f"{name}/{filename}", data)
            folders.append(_folder(name, workshop, [filename for filename, _ in files], version))
        # the overview renders through Flask, like the reports
        from projects.render import overview_files

        for filename, data in overview_files(
            session,
            project_id,
            lang=language,
            today=today,
            folders=named,
            versions=versions,
            reports=documents,
        ):
            archive.writestr(filename, data)
        text = readme_text(project.name, folders, lang=language, today=today)
        archive.writestr(README, text.encode("utf-8"))
    return buffer.getvalue()


def _folder(name: str, workshop: Workshop, files: list[str], version: int | None) -> Folder:
    return Folder(
        name,
        workshop.title,
        workshop.kind,
        workshop.target_group,
        workshop.date,
        workshop.anonymity_threshold,
        tuple(files),
        version,
    )


def bundled_report(
    session: Session, workshop_id: int, *, lang: str
) -> tuple[int | None, bytes, str, dict[str, Any]]:
    """The report to bundle as a PDF and a standalone HTML page, and its document: the latest
    published version (its number first) or, when none is published, the draft (None)."""
    # the reports module renders through Flask; imported here so that this module loads without
    from reports import render
    from reports.document import build_report
    from reports.pdf_store import stored_layout

    published = latest_version(session, workshop_id)
    layout: render.Layout = render.pdf_from_html
    if published is None:
        number, document = None, build_report(session, workshop_id)
    else:
        number, document = published
        # a published version's PDF is laid out once and kept (reports.pdf_store)
        layout = stored_layout(session, workshop_id=workshop_id, number=number)
    end_reading(session)
    pdf, html = render.report_files(document, lang=lang, version=number, layout=layout)
    return number, pdf, html, document


def journey_files(
    session: Session,
    workshop_id: int,
    *,
    lang: str,
    part: dict[str, Any] | None = None,
    stamp: str | None = None,
) -> list[tuple[str, bytes]]:
    """A WS2 workshop's map as files: the diagram (SVG and A3 PDF when ``dot`` can draw it),
    its DOT source, and the findings as the Data tab's CSV (semicolons and a byte-order mark,
    for Swedish Excel) with the facilitator's verdicts. ``part`` is the journey part of the
    report bundled beside them, a published version's or the draft's (its map, analysis,
    verdicts and accepted corrections as that report has them); without one (a version
    published before the map had stages) the map is drawn as it is now, with today's
    verdicts. ``stamp`` says which under the diagram's title."""
    texts: dict[str, str] = {}
    if part:
        journey, report = journey_and_analysis(part)
        # the verdicts and the wording as the report beside it has them
        verdicts, texts = published_findings(part, lang)
    else:
        journey = workshop_journey(session, workshop_id)
        report = gap_report(journey)
        verdicts = triage_map(session, workshop_id)
    end_reading(session)  # before drawing: see db.end_reading
    source = journey_dot(journey, report, lang=lang, stamp=stamp)
    try:
        title = diagram_title(journey, lang=lang, stamp=stamp)
        drawn = [
            (name, rendering.render(source, name.rsplit(".", 1)[1], title=title))
            for name in DIAGRAM_FILES
        ]
    except (rendering.GraphvizMissing, rendering.RenderError):
        drawn = []  # the README says why; the DOT source can be drawn elsewhere
    return [
        *drawn,
        ("diagram.dot", source.encode("utf-8")),
        ("findings.csv", map_findings_csv(journey, verdicts, lang, report=report, texts=texts)),
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
        *(
            f"{name:<14} {t('projects.readme.file.' + name.replace('.', '_'), date=today)}"
            for name in OVERVIEW_FILES
        ),
        "",
    ]
    missing_diagram = False
    for folder in folders:
        facts = [folder.kind.upper(), t(f"group.{folder.target_group}")]
        if folder.date:
            facts.append(folder.date.isoformat())
        lines += [f"{folder.name}/", f"  {folder.title} ({', '.join(facts)})"]
        for name in folder.files:
            lines.append(f"  {name:<14} {_describe(name, folder, lang)}")
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
    lines.append(honesty(lang))
    return "\n".join(lines) + "\n"


def _describe(name: str, folder: Folder, lang: str) -> str:
    """What a file of a workshop's folder is, for the README; the report says its version.

    >>> from dataclasses import replace
    >>> folder = Folder("ws1", "WS1", "ws1", "adults", None, 3, ("report.pdf",), version=2)
    >>> print(_describe("report.pdf", folder, "en")[:42])
    The workshop's report, published version 2
    >>> print(_describe("report.pdf", replace(folder, version=None), "en")[:33])
    A DRAFT of the workshop's report:
    """
    if name == "report.pdf" and folder.version is None:
        return i18n.translate(lang, "projects.readme.file.report_pdf_draft")
    key = f"projects.readme.file.{name.replace('.', '_')}"
    return i18n.translate(lang, key, number=folder.version)
