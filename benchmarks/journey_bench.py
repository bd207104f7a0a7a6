"""Time the journey gap analysis and the SVG rendering: ``python -m benchmarks.journey_bench``."""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from journey_maps.analysis import gap_report
from journey_maps.export import dot_available, journey_dot, render
from journey_maps.format import DEFAULT_STAGES, FORMAT, Journey, parse_journey
from roles.catalogue import load_catalogue

ORGANISATIONS = (
    ("BUP", "region"),
    ("VC med UPH", "region"),
    ("Habilitering", "region"),
    ("UMO", "region"),
    ("Elevhälsa", "municipality"),
    ("IFO socialtjänst", "municipality"),
    ("Förskola", "municipality"),
    ("NSPH", "civil_society"),
)


def typical_journey(seed: int = 1) -> Journey:
    """A map the size of a real workshop: 15 roles, 9 stages, about 60 placements."""
    rng = random.Random(seed)
    stages = [(i, sv, en) for i, sv, en, _ in DEFAULT_STAGES]
    stages.insert(3, ("w1", "Väntan", "Waiting"))
    stages.append(("s8", "Övergång till vuxenvård", "Transition to adult care"))
    ids = [stage[0] for stage in stages]
    transitions = [{"from": a, "to": b} for a, b in pairwise(ids)]
    transitions += [
        {"from": "s3", "to": "s2", "kind": "back"},
        {"from": "s5", "to": "s2", "kind": "back"},
    ]
    roles = [role.code for role in load_catalogue().core]
    pairs = sorted({(rng.choice(roles), rng.choice(ids)) for _ in range(200)})
    rng.shuffle(pairs)
    placements = []
    for role, stage in pairs[:60]:
        organisation, principal = rng.choice(ORGANISATIONS)
        placements.append(
            {"role": role, "stage": stage, "organisation": organisation, "principal": principal}
        )
    return parse_journey(
        {
            "format": FORMAT,
            "title": "Typisk karta",
            "target_group": "children",
            "stages": [{"id": i, "label": sv, "label_en": en} for i, sv, en in stages],
            "transitions": transitions,
            "roles": roles,
            "placements": placements,
            "handoffs": _handoffs(rng, transitions, placements, 20),
            "owners": [{"from": t["from"], "to": t["to"], "role": "8"} for t in transitions[:6]],
        }
    )


def _handoffs(
    rng: random.Random, transitions: list[dict[str, Any]], placements: list[dict[str, Any]], n: int
) -> list[dict[str, Any]]:
    at: dict[str, list[str]] = {}
    for placement in placements:
        at.setdefault(placement["stage"], []).append(placement["role"])
    found: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for _ in range(n * 20):
        if len(found) == n:
            break
        t = rng.choice(transitions)
        if not at.get(t["from"]) or not at.get(t["to"]):
            continue
        key = (t["from"], rng.choice(at[t["from"]]), t["to"], rng.choice(at[t["to"]]))
        found[key] = {
            "from_stage": key[0],
            "from_role": key[1],
            "to_stage": key[2],
            "to_role": key[3],
            "acknowledged": rng.random() < 0.5,
        }
    return list(found.values())


def stress_journey(seed: int = 2) -> Journey:
    """A deliberately large map: 50 stages, 40 roles, 2 000 placements, 500 handoffs."""
    rng = random.Random(seed)
    ids = [f"s{i}" for i in range(1, 51)]
    transitions = [{"from": a, "to": b} for a, b in pairwise(ids)]
    for start in range(5, 50, 5):
        transitions.append({"from": ids[start], "to": ids[start - 3], "kind": "back"})
    for start in range(2, 45, 9):
        transitions.append({"from": ids[start], "to": ids[start + 2]})
    roles: list[Any] = [role.code for role in load_catalogue().roles]
    roles += [
        {"id": f"c{i}", "label": f"Egen roll {i}", "tier": "primary" if i % 3 else "secondary"}
        for i in range(1, 41 - len(roles))
    ]
    role_ids = [r if isinstance(r, str) else r["id"] for r in roles]
    triples: set[tuple[str, str, int]] = set()
    while len(triples) < 2000:
        triples.add((rng.choice(role_ids), rng.choice(ids), rng.randrange(len(ORGANISATIONS))))
    placements = [
        {"role": r, "stage": s, "organisation": name, "principal": principal}
        for r, s, (name, principal) in ((r, s, ORGANISATIONS[o]) for r, s, o in sorted(triples))
    ]
    return parse_journey(
        {
            "format": FORMAT,
            "title": "Stresskarta",
            "target_group": "adults",
            "stages": [{"id": i, "label": f"Steg {i[1:]}"} for i in ids],
            "transitions": transitions,
            "roles": roles,
            "placements": placements,
            "handoffs": _handoffs(rng, transitions, placements, 500),
        }
    )


def _timings(action: Callable[[], object], runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return {
        "runs": runs,
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(p95, 2),
        "max_ms": round(samples[-1], 2),
    }


def run(runs: int = 20) -> dict[str, Any]:
    """Time each scenario and return the figures (milliseconds) with the targets."""
    typical, stress = typical_journey(), stress_journey()
    figures: dict[str, Any] = {
        "typical_analysis": {
            **_timings(lambda: gap_report(typical), runs),
            "target_ms": 50,
            "size": _size(typical),
        },
        "stress_analysis": {
            **_timings(lambda: gap_report(stress), max(3, runs // 4)),
            "target_ms": 1000,
            "size": _size(stress),
        },
    }
    if dot_available():
        source = journey_dot(typical, gap_report(typical))
        figures["typical_svg_render"] = {
            **_timings(lambda: render(source, "svg"), max(3, runs // 4)),
            "target_ms": 1000,
        }
    else:
        figures["typical_svg_render"] = {"skipped": "Graphviz `dot` is not on PATH"}
    return figures


def _size(journey: Journey) -> dict[str, int]:
    return {
        "stages": len(journey.stages),
        "transitions": len(journey.transitions),
        "roles": len(journey.roles),
        "placements": len(journey.placements),
        "handoffs": len(journey.handoffs),
    }


def main() -> None:
    """Print the figures, one line per scenario, then the JSON."""
    figures = run()
    for name, values in figures.items():
        if "skipped" in values:
            print(f"{name:22} skipped: {values['skipped']}")
            continue
        print(
            f"{name:22} median {values['median_ms']:8.2f} ms   p95 {values['p95_ms']:8.2f} ms"
            f"   (target < {values['target_ms']} ms, {values['runs']} runs)"
        )
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
