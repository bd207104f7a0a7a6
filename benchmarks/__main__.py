"""`make bench`: print every figure and write them as JSON to $BENCH_OUT."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from benchmarks import journey_bench, ws1_bench


def main() -> None:
    figures: dict[str, Any] = {"ws1_sqlite": ws1_bench.run()}
    if os.environ.get("BRYGGA_TEST_POSTGRES_URL"):
        figures["ws1_postgresql"] = ws1_bench.run(os.environ["BRYGGA_TEST_POSTGRES_URL"])
    figures["journey"] = journey_bench.run()
    out = Path(os.environ.get("BENCH_OUT", "benchmarks/results/latest.json"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    print(f"(written to {out})")


if __name__ == "__main__":
    main()
