"""`make bench`: print every figure and write them as JSON to $BENCH_OUT.

``BENCH_ONLY`` picks parts, comma-separated: ``ws1`` (vote service latency), ``journey`` (gap
analysis and rendering), ``ws`` (the WebSocket burst; see benchmarks/ws_bench.py for
``BENCH_PHONES``, ``BENCH_WS`` and ``BENCH_SERVER``). Default: all of them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from benchmarks import journey_bench, ws1_bench, ws_bench

PARTS = ("ws1", "journey", "ws")


def main() -> None:
    chosen = [p.strip() for p in os.environ.get("BENCH_ONLY", ",".join(PARTS)).split(",")]
    unknown = sorted(set(chosen) - set(PARTS))
    if unknown:
        raise SystemExit(f"BENCH_ONLY: unknown part(s) {unknown}; choose from {PARTS}")
    figures: dict[str, Any] = {}
    if "ws1" in chosen:
        figures["ws1_sqlite"] = ws1_bench.run()
        if os.environ.get("BRYGGA_TEST_POSTGRES_URL"):
            figures["ws1_postgresql"] = ws1_bench.run(os.environ["BRYGGA_TEST_POSTGRES_URL"])
    if "journey" in chosen:
        figures["journey"] = journey_bench.run()
    if "ws" in chosen:
        figures["ws"] = ws_bench.run()
    out = Path(os.environ.get("BENCH_OUT", "benchmarks/results/latest.json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(json.dumps({k: v for k, v in figures.items() if k != "ws"}, indent=2, ensure_ascii=False))
    print(f"(all figures written to {out})")


if __name__ == "__main__":
    main()
