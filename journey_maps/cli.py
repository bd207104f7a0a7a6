"""``flask analyse-journey`` and ``flask export-journey``: the analysis without a database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask import Flask

from journey_maps.analysis import HONESTY_EN, HONESTY_SV, Report, gap_report, report_to_dict
from journey_maps.export import (
    FORMATS,
    GraphvizMissing,
    RenderError,
    diagram_title,
    findings_json,
    journey_dot,
    render,
)
from journey_maps.findings_table import map_findings_csv
from journey_maps.format import Journey, JourneyFormatError, load_journey

EXIT_INVALID = 2

_TEXT = {
    "sv": {
        "transitions": "Övergångar (k = yrkesroller som bär övergången, med person/närstående)",
        "findings": "Fynd",
        "figures": "Nyckeltal (framåtriktade övergångar)",
        "bridged": "bärs (k≥1)",
        "robust": "robusta (k≥2)",
        "owned": "har exakt en ägare",
        "boundary": "huvudmannagränser med kvitterad överlämning",
        "redundancy": "redundans (minsta k)",
        "none": "Inga fynd.",
        "back": "bakåt",
        "hangs_on": "hänger på",
    },
    "en": {
        "transitions": "Transitions (k = professional roles carrying it, with the person/family)",
        "findings": "Findings",
        "figures": "Figures (forward transitions)",
        "bridged": "bridged (k≥1)",
        "robust": "robust (k≥2)",
        "owned": "exactly one owner",
        "boundary": "principal boundaries with an acknowledged handoff",
        "redundancy": "redundancy (minimum k)",
        "none": "No findings.",
        "back": "backward",
        "hangs_on": "hangs on",
    },
}


# the grades in the words of the board, the diagram and the report
_GRADES = {
    "sv": {"gap": "glapp", "fragile": "skört", "robust": "robust"},
    "en": {"gap": "gap", "fragile": "fragile", "robust": "robust"},
}


def _load(path: Path) -> Journey:
    try:
        return load_journey(path)
    except JourneyFormatError as exc:
        click.echo(f"{path}: invalid journey ({len(exc.messages)} problem(s)):", err=True)
        for message in exc.messages:
            click.echo(f"  - {message}", err=True)
        raise SystemExit(EXIT_INVALID) from exc


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole}"


def report_text(journey: Journey, report: Report, lang: str = "sv") -> str:
    """A readable summary of the analysis in Swedish or English.

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> journey = example_journey()
    >>> text = report_text(journey, gap_report(journey))
    >>> print(text.splitlines()[0])
    Exempel
    >>> "[critical] Bara patienten/närstående bär övergången" in text
    True
    """
    words, figures = _TEXT[lang], report.figures
    lines = [journey.title, HONESTY_SV if lang == "sv" else HONESTY_EN, "", words["transitions"]]
    for result in report.transitions:
        move = (
            f"{journey.stage_label(result.source, lang)} → "
            f"{journey.stage_label(result.target, lang)}"
        )
        back = f" ({words['back']})" if result.kind == "back" else ""
        cut = f"; {words['hangs_on']} {', '.join(result.cut)}" if result.k == 1 else ""
        grade = _GRADES[lang][result.grade]
        lines.append(
            f"  {result.name:<10} k={result.k} ({result.k_with_person})  {grade:<8} "
            f"{move}{back}{cut}"
        )
    lines += ["", words["figures"]]
    forward = figures.forward_transitions
    lines.append(f"  {words['bridged']}: {_share(figures.bridged, forward)}")
    lines.append(f"  {words['robust']}: {_share(figures.robust, forward)}")
    lines.append(f"  {words['owned']}: {_share(figures.owned, forward)}")
    boundary = _share(figures.boundary_acknowledged, figures.boundary_transitions)
    lines.append(f"  {words['boundary']}: {boundary}")
    lines.append(f"  {words['redundancy']}: {figures.redundancy}")
    lines += ["", f"{words['findings']} ({len(report.findings)})"]
    for finding in report.findings:
        message = finding.message_sv if lang == "sv" else finding.message_en
        lines.append(f"  [{finding.severity}] {message}")
        lines.append(f"      {finding.fingerprint}")
    if not report.findings:
        lines.append(f"  {words['none']}")
    return "\n".join(lines) + "\n"


@click.command("analyse-journey")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["json", "text"]), default="json", show_default=True
)
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
def analyse_journey_command(file: Path, fmt: str, lang: str) -> None:
    """Analyse a brygga.journey/1 FILE and print the gaps it shows.

    An invalid file prints every problem and exits with code 2.
    """
    journey = _load(file)
    report = gap_report(journey)
    if fmt == "json":
        data: dict[str, Any] = report_to_dict(report)
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(report_text(journey, report, lang), nl=False)


@click.command("export-journey")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), required=True)
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv", show_default=True)
def export_journey_command(file: Path, fmt: str, out: Path, lang: str) -> None:
    """Draw the journey-gap diagram of FILE to OUT (svg, png, pdf or dot).

    The findings are written beside it as OUT-stem.findings.json (the analysis's data) and
    OUT-stem.findings.csv (the Data tab's table in --lang: semicolons, for Swedish Excel).
    """
    journey = _load(file)
    report = gap_report(journey)
    try:
        source = journey_dot(journey, report, lang=lang)
        picture = render(source, fmt, title=diagram_title(journey, lang=lang))
    except GraphvizMissing as exc:
        raise click.ClickException(f"{exc} Try --format dot.") from exc
    except RenderError as exc:
        raise click.ClickException(f"Graphviz failed: {exc}") from exc
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(picture)
    json_path = out.with_name(out.stem + ".findings.json")
    csv_path = out.with_name(out.stem + ".findings.csv")
    json_path.write_text(findings_json(report), encoding="utf-8")
    # a file carries no verdicts
    csv_path.write_bytes(map_findings_csv(journey, {}, lang, report=report))
    for path in (out, json_path, csv_path):
        click.echo(str(path))


def register_cli(app: Flask) -> None:
    """Add ``analyse-journey`` and ``export-journey`` to ``app.cli``.

    Examples
    --------
    >>> app = Flask("demo")
    >>> register_cli(app)
    >>> sorted(name for name in app.cli.commands if "journey" in name)
    ['analyse-journey', 'export-journey']
    """
    app.cli.add_command(analyse_journey_command)
    app.cli.add_command(export_journey_command)
