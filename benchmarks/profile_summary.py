"""Sum up py-spy's collapsed stacks (``BENCH_PROFILE``): where the serving processes spent time.

``python -m benchmarks.profile_summary FILE… [--top N] [--under SUBSTRING]`` prints the share of
samples per function by self time and by inclusive time (a function counted once per stack,
however deep it recurses). ``--under`` keeps only the stacks that pass through a frame whose
name contains the substring.

>>> stacks = {"a (m.py:1);b (m.py:2)": 3, "a (m.py:1);c (m.py:3)": 1}
>>> summarise(stacks)["self"][0]
('b (m.py:2)', 3)
>>> dict(summarise(stacks)["inclusive"])["a (m.py:1)"]
4
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path


def read(paths: list[Path]) -> Counter[str]:
    stacks: Counter[str] = Counter()
    for path in paths:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if stack and count.isdigit():
                stacks[stack] += int(count)
    return stacks


def summarise(stacks: dict[str, int]) -> dict[str, list[tuple[str, int]]]:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for stack, count in stacks.items():
        frames = stack.split(";")
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    return {"self": own.most_common(), "inclusive": inclusive.most_common()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--under", default="")
    args = parser.parse_args()
    stacks = read(args.files)
    if args.under:
        stacks = Counter({s: c for s, c in stacks.items() if args.under in s})
    total = sum(stacks.values()) or 1
    print(f"{total} samples")
    for kind, rows in summarise(stacks).items():
        print(f"\n-- {kind} --")
        for frame, count in rows[: args.top]:
            print(f"{100 * count / total:5.1f} %  {frame}")


if __name__ == "__main__":
    main()
