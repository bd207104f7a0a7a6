"""Group commit with real threads: callers that arrive during a write share the next one."""

from __future__ import annotations

import threading

import pytest

from workshops.group_commit import GroupCommit, Writer

GUARD = 10  # seconds: only a failure waits this long


Results = list[tuple[int, object]]


def _run(
    box: GroupCommit[int, int], items: list[int], write: Writer[int, int]
) -> tuple[Results, list[threading.Thread]]:
    """Each item submitted from a thread of its own; the results list fills as they finish."""
    results: Results = []

    def call(item: int) -> None:
        try:
            results.append((item, box.submit(item, write)))
        except Exception as exc:
            results.append((item, exc))

    threads = [threading.Thread(target=call, args=(i,)) for i in items]
    for t in threads:
        t.start()
    return results, threads


def test_callers_arriving_during_a_write_are_written_together_in_one_batch() -> None:
    queued = threading.Semaphore(0)
    box: GroupCommit[int, int] = GroupCommit(on_queue=lambda _depth: queued.release())
    batches: list[list[int]] = []
    first_started = threading.Event()

    def write(items: list[int]) -> list[int | BaseException]:
        batches.append(list(items))
        if len(batches) == 1:
            first_started.set()
            for _ in range(5):  # hold the first write until five more callers wait
                assert queued.acquire(timeout=GUARD)
        return [i * 10 for i in items]

    first, t0 = _run(box, [0], write)
    assert first_started.wait(GUARD)
    rest, threads = _run(box, [1, 2, 3, 4, 5], write)
    for t in t0 + threads:
        t.join(GUARD)

    assert batches[0] == [0]
    assert len(batches) == 2 and sorted(batches[1]) == [1, 2, 3, 4, 5]
    assert sorted(first + rest) == [(i, i * 10) for i in range(6)]
    assert box.batches == 2


def test_a_failed_write_fails_every_caller_of_that_batch_and_the_next_batch_goes_on() -> None:
    queued = threading.Semaphore(0)
    box: GroupCommit[int, int] = GroupCommit(on_queue=lambda _depth: queued.release())
    calls = 0
    hold = threading.Event()

    def write(items: list[int]) -> list[int | BaseException]:
        nonlocal calls
        calls += 1
        if calls == 1:
            hold.set()
            for _ in range(2):
                assert queued.acquire(timeout=GUARD)
            return [i for i in items]
        if calls == 2:
            raise RuntimeError("database went away")
        return [i for i in items]

    first, t0 = _run(box, [0], write)
    assert hold.wait(GUARD)
    second, threads = _run(box, [1, 2], write)
    for t in t0 + threads:
        t.join(GUARD)
    assert first == [(0, 0)]
    assert sorted(str(r) for _, r in second) == ["database went away"] * 2
    # the box is free again: a new caller leads and succeeds
    assert box.submit(7, write) == 7


def test_a_batch_is_never_larger_than_max_batch() -> None:
    queued = threading.Semaphore(0)
    box: GroupCommit[int, int] = GroupCommit(max_batch=2, on_queue=lambda _d: queued.release())
    sizes: list[int] = []
    hold = threading.Event()

    def write(items: list[int]) -> list[int | BaseException]:
        sizes.append(len(items))
        if len(sizes) == 1:
            hold.set()
            for _ in range(5):
                assert queued.acquire(timeout=GUARD)
        return list(items)

    first, t0 = _run(box, [0], write)
    assert hold.wait(GUARD)
    rest, threads = _run(box, [1, 2, 3, 4, 5], write)
    for t in t0 + threads:
        t.join(GUARD)
    assert sizes == [1, 2, 2, 1]
    assert sorted(r for _, r in first + rest) == [0, 1, 2, 3, 4, 5]


def test_a_writer_that_answers_the_wrong_number_of_items_fails_loudly() -> None:
    box: GroupCommit[int, int] = GroupCommit()
    with pytest.raises(RuntimeError, match="every item"):
        box.submit(1, lambda items: [])
