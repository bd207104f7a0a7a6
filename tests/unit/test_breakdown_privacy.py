"""Nobody's answer in a withheld cell of a breakdown can be worked out, checked with hypothesis.

Someone reading a report knows the statement's total, every cell shown, and how many of each
organisation's participants answered (the attendance table). From those, every way the
withheld cells could have answered is enumerated: a cell under the threshold must have more
than one possible distribution, unless every answer to the statement was the same (the total,
which is shown, says that already).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from workshops.domain import CHOICES, Tally, Withheld, suppress_cells


def splits(tally: Tally, sizes: list[int]) -> Iterator[tuple[Tally, ...]]:
    """Every way ``tally`` could be shared among cells of these ``sizes``."""
    if not sizes:
        if tally.total == 0:
            yield ()
        return
    first, rest = sizes[0], sizes[1:]
    for yes in range(min(first, tally.yes) + 1):
        for no in range(min(first - yes, tally.no) + 1):
            discuss = first - yes - no
            if discuss > tally.discuss:
                continue
            cell = Tally(yes=yes, no=no, discuss=discuss)
            for others in splits(tally - cell, rest):
                yield (cell, *others)


def add(tallies: list[Tally]) -> Tally:
    return sum(tallies, Tally())


tallies = st.builds(
    Tally, yes=st.integers(0, 3), no=st.integers(0, 3), discuss=st.integers(0, 2)
).filter(lambda t: t.total > 0)


@settings(max_examples=400, deadline=None)
@given(st.lists(tallies, min_size=2, max_size=5), st.integers(1, 4))
def test_no_withheld_small_group_can_be_worked_out(cells: list[Tally], threshold: int) -> None:
    named = {f"org{i}": t for i, t in enumerate(cells)}
    out = suppress_cells(named, threshold)
    assert set(out) == set(named)
    for org, cell in out.items():
        if isinstance(cell, Tally):
            assert cell == named[org] and cell.total >= threshold
        else:
            assert cell is (Withheld.FEW if named[org].total < threshold else Withheld.PROTECTS)

    total = add(cells)
    if sum(1 for c in CHOICES if getattr(total, c)) == 1:
        # everyone answered alike: the total shown tells each answer anyway, so nothing is
        # withheld beyond the groups that are too small
        assert Withheld.PROTECTS not in out.values(), (named, out)
        return
    hidden = [org for org, cell in out.items() if not isinstance(cell, Tally)]
    shown = [named[org] for org in out if org not in hidden]
    rest = total - add(shown)
    possible = {org: set() for org in hidden}
    for split in splits(rest, [named[org].total for org in hidden]):
        for org, cell in zip(hidden, split, strict=True):
            possible[org].add(cell)
    for org in hidden:
        if out[org] is Withheld.FEW:
            assert len(possible[org]) > 1, (named, out, org, possible[org])


def test_the_reviewed_case_withholds_the_cell_that_mixes_the_rest() -> None:
    """A report had Yes 11 · No 1 with three groups shown (8 Yes, 1 No): the two withheld, 2
    and 1 participants, must have said Yes, the lone one included."""
    cells = {
        "Habilitering": Tally(yes=3),
        "NSPH": Tally(yes=2),
        "Psykiatri Affektiva": Tally(yes=2, no=1),
        "Sprututbytet": Tally(yes=1),
        "VC Närhälsan": Tally(yes=3),
    }
    out = suppress_cells(cells, 3)
    assert out["Psykiatri Affektiva"] is Withheld.PROTECTS
    assert out["NSPH"] is out["Sprututbytet"] is Withheld.FEW
    assert out["Habilitering"] == Tally(yes=3) and out["VC Närhälsan"] == Tally(yes=3)
    assert list(itertools.islice(splits(Tally(yes=2), [1, 1]), 3)) == [(Tally(yes=1),) * 2]
