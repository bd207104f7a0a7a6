"""Two gap reports side by side: which findings closed, opened or persist."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from journey_maps.messages import HONESTY_EN, HONESTY_SV
from journey_maps.report import Finding, Report, figures_to_dict, finding_to_dict


@dataclass(frozen=True)
class Comparison:
    """Two reports finding by finding: closed (only in ``before``), opened, persisting."""

    before: Report
    after: Report
    closed: tuple[Finding, ...]
    opened: tuple[Finding, ...]
    persisting: tuple[Finding, ...]

    @property
    def k_changes(self) -> tuple[tuple[str, str, int, int], ...]:
        """``(from, to, k_before, k_after)`` for every transition in both whose k changed."""
        after = {result.key: result for result in self.after.transitions}
        return tuple(
            (result.source, result.target, result.k, after[result.key].k)
            for result in self.before.transitions
            if result.key in after and after[result.key].k != result.k
        )


def compare_reports(before: Report, after: Report) -> Comparison:
    """Compare two reports (as-is and to-be, children and adults) finding by finding.

    Examples
    --------
    >>> from journey_maps.analysis import gap_report
    >>> from journey_maps.format import example_journey, without_role
    >>> comparison = compare_reports(gap_report(example_journey()),
    ...                              gap_report(without_role(example_journey(), "8")))
    >>> [f.fingerprint for f in comparison.closed], comparison.opened, len(comparison.persisting)
    (['role:8:unplaced_role'], (), 11)
    """
    old, new = set(before.fingerprints), set(after.fingerprints)
    return Comparison(
        before=before,
        after=after,
        closed=tuple(f for f in before.findings if f.fingerprint not in new),
        opened=tuple(f for f in after.findings if f.fingerprint not in old),
        persisting=tuple(f for f in after.findings if f.fingerprint in old),
    )


def comparison_to_dict(comparison: Comparison) -> dict[str, Any]:
    """A comparison as JSON-ready data: fingerprints closed/opened/persisting, figures side by
    side, and the transitions whose k changed.

    Examples
    --------
    >>> from journey_maps.analysis import what_if_remove_role
    >>> from journey_maps.format import example_journey
    >>> data = comparison_to_dict(what_if_remove_role(example_journey(), "4"))
    >>> data["k_changes"]
    [{'from': 's2', 'to': 's3', 'k_before': 1, 'k_after': 0}]
    >>> sorted(data["figures"])
    ['after', 'before']
    """
    return {
        "closed": [finding_to_dict(f) for f in comparison.closed],
        "opened": [finding_to_dict(f) for f in comparison.opened],
        "persisting": [finding_to_dict(f) for f in comparison.persisting],
        "figures": {
            "before": figures_to_dict(comparison.before.figures),
            "after": figures_to_dict(comparison.after.figures),
        },
        "k_changes": [
            {"from": a, "to": b, "k_before": k_before, "k_after": k_after}
            for a, b, k_before, k_after in comparison.k_changes
        ],
        "honesty": HONESTY_SV,
        "honesty_en": HONESTY_EN,
    }
