"""Dependencies point inward: the pure modules import no web framework and no database."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PURE = [
    "workshops/domain.py",
    "workshops/throttle.py",
    "workshops/catalogue.py",
    "i18n.py",
    "tabular.py",
    "journey_maps/format.py",
    "journey_maps/model.py",
    "journey_maps/validate.py",
    "journey_maps/graph.py",
    "journey_maps/analysis.py",
    "journey_maps/bridges.py",
    "journey_maps/messages.py",
    "journey_maps/report.py",
    "journey_maps/compare.py",
    "journey_maps/export.py",
    "journey_maps/styles.py",
    "journey_maps/layout.py",
    "journey_maps/render.py",
    "journey_maps/findings_table.py",
    "roles/catalogue.py",
    "roles/comments.py",
    "reports/archive_check.py",
    "reports/concerns.py",
    "workshops/survey_rules.py",
    "workshops/retention.py",
    "projects/overview.py",
]
FORBIDDEN = ("flask", "flask_socketio", "sqlalchemy", "db", "web")


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("module", PURE)
def test_pure_module_imports_no_framework(module):
    path = ROOT / module
    if not path.exists():
        pytest.skip(f"{module} does not exist yet")
    assert imported_roots(path) & set(FORBIDDEN) == set()


def test_journey_maps_imports_nothing_from_the_packages_that_build_on_it():
    # reports and projects read journey maps; an import back would be a cycle between layers
    above = {"reports", "projects"}
    offending = {
        str(path.relative_to(ROOT)): imported_roots(path) & above
        for path in sorted((ROOT / "journey_maps").glob("*.py"))
        if imported_roots(path) & above
    }
    assert offending == {}
