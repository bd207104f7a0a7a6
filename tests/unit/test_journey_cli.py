"""``flask analyse-journey`` and ``flask export-journey`` on a bare Flask app, no database."""

import json
import shutil
from pathlib import Path

import pytest
from flask import Flask

from journey_maps.cli import register_cli
from journey_maps.export import dot_available

FIXTURES = Path(__file__).parent.parent / "fixtures" / "journeys"
needs_dot = pytest.mark.skipif(
    not dot_available(), reason="Graphviz `dot` is not on PATH (apt install graphviz)"
)


@pytest.fixture
def runner():
    app = Flask(__name__)
    register_cli(app)
    return app.test_cli_runner()


def fixture(name):
    return str(FIXTURES / f"{name}.json")


def test_register_cli_adds_both_commands_to_the_app():
    app = Flask(__name__)
    register_cli(app)
    assert {"analyse-journey", "export-journey"} <= set(app.cli.commands)


def test_analyse_journey_prints_the_full_analysis_as_json(runner):
    result = runner.invoke(args=["analyse-journey", fixture("loops_pingpong")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [t["k"] for t in data["transitions"]] == [1, 1, 1, 2, 1, 0]
    assert data["findings"][0]["fingerprint"] == "c4>c5:unbridged"
    assert data["honesty"].startswith("Analysen beskriver kartan")


def test_analyse_journey_as_text_is_a_readable_swedish_summary(runner):
    result = runner.invoke(args=["analyse-journey", fixture("bridges"), "--format", "text"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Bärande roller"
    assert lines[1].startswith("Analysen beskriver kartan som workshopen ritade")
    assert (
        "  a1>a2      k=1 (2)  skört    Oro / tidiga tecken → Första kontakt; hänger på 3" in lines
    )
    unbridged = (
        "  [critical] Ingen roll bär övergången ”Uppföljning” → ”Avslut”: ingen finns på båda "
        "sidor och ingen överlämning är registrerad, så personen riskerar att falla mellan "
        "stolarna."
    )
    assert unbridged in lines
    assert "Fynd (12)" in lines


def test_analyse_journey_as_text_in_english(runner):
    args = ["analyse-journey", fixture("bridges"), "--format", "text", "--lang", "en"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0
    assert "Findings (12)" in result.stdout
    assert "The analysis describes the map the workshop drew" in result.stdout


def test_an_invalid_file_lists_every_problem_and_exits_with_code_2(runner):
    result = runner.invoke(args=["analyse-journey", fixture("invalid")])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "invalid journey (15 problem(s)):" in result.stderr
    assert "  - handoffs[0]: role '4' is not placed on stage 's2'" in result.stderr.splitlines()


def test_a_file_that_is_not_json_exits_with_code_2(runner, tmp_path):
    path = tmp_path / "trasig.json"
    path.write_text("{", encoding="utf-8")
    result = runner.invoke(args=["analyse-journey", str(path)])
    assert result.exit_code == 2 and "not valid JSON" in result.stderr


def test_export_journey_writes_the_dot_source_and_the_findings_beside_it(runner, tmp_path):
    out = tmp_path / "karta" / "demo.dot"
    args = ["export-journey", fixture("demo_children"), "--format", "dot", "--out", str(out)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("digraph journey {")
    findings = json.loads((tmp_path / "karta" / "demo.findings.json").read_text(encoding="utf-8"))
    assert findings["title"] == "Barn och unga – patientresan (demo)"
    csv_text = (tmp_path / "karta" / "demo.findings.csv").read_text(encoding="utf-8-sig")
    assert csv_text.startswith("Allvar;Kod;Var;Roller;Fynd;Bedömt;Motivering;Fingeravtryck")
    assert result.stdout.splitlines() == [
        str(out),
        str(tmp_path / "karta" / "demo.findings.json"),
        str(tmp_path / "karta" / "demo.findings.csv"),
    ]


@needs_dot
@pytest.mark.parametrize(
    ("fmt", "magic"), [("svg", b"<?xml"), ("png", b"\x89PNG"), ("pdf", b"%PDF")]
)
def test_export_journey_draws_the_diagram(runner, tmp_path, fmt, magic):
    out = tmp_path / f"karta.{fmt}"
    result = runner.invoke(
        args=["export-journey", fixture("bridges"), "--format", fmt, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(magic)


def test_export_without_graphviz_says_so_and_suggests_dot(runner, tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    out = tmp_path / "karta.svg"
    args = ["export-journey", fixture("bridges"), "--format", "svg", "--out", str(out)]
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "Graphviz `dot` is not installed" in result.stderr and "--format dot" in result.stderr
    assert not out.exists()


def test_export_of_an_invalid_file_writes_nothing(runner, tmp_path):
    out = tmp_path / "karta.dot"
    result = runner.invoke(
        args=["export-journey", fixture("invalid"), "--format", "dot", "--out", str(out)]
    )
    assert result.exit_code == 2 and not out.exists()
