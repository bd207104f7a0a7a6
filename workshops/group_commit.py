"""Group commit: many concurrent writers, one transaction per batch.

When a room of a thousand phones votes within a second, one transaction per vote makes the
database's per-transaction cost (a commit, a lock, a round trip per statement) the limit. Here
the first caller to arrive while nobody is writing becomes the *leader*: it takes everything
waiting (its own item first), writes it in one go and hands each caller its own result. Callers
arriving meanwhile wait; when the leader is done it hands the lead to the oldest of them, which
writes everything that queued up during the previous batch. A lone caller writes at once, so a
quiet room pays nothing for this; a busy one pays one transaction per batch.

Nothing is acknowledged before its batch is committed, so the queue holds only answers still
waiting for their acknowledgement: if the process dies, the phone's retry (same ballot id) is
the copy of record. There is no background worker: the writing happens in the callers' own
threads or greenlets (with their own database session), so it works the same under gevent,
threads and the synchronous test client.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# A batch writer: one result (or exception) per item, in order.
Writer = Callable[[list[T]], list[R | BaseException]]


class _Slot(Generic[T, R]):
    __slots__ = ("done", "item", "ready", "result")

    def __init__(self, item: T) -> None:
        self.item = item
        self.ready = threading.Event()
        self.done = False
        self.result: R | BaseException | None = None


class GroupCommit(Generic[T, R]):
    """Batches concurrent ``submit`` calls; ``max_batch`` bounds one transaction's size."""

    def __init__(
        self,
        max_batch: int = 200,
        on_queue: Callable[[int], None] | None = None,
        pause: Callable[[], None] | None = None,
    ) -> None:
        self.max_batch = max_batch
        # called by a leader before it takes its batch: under gevent a write that never waits
        # on I/O (SQLite) would otherwise never let the next callers in, and batch only itself
        self.pause = pause
        # an observer told how many wait after a caller queued behind a write (tests, metrics)
        self.on_queue = on_queue
        self._lock = threading.Lock()
        self._waiting: list[_Slot[T, R]] = []
        self._writing = False
        self.batches = 0  # for the benchmark: how many transactions the items took

    def submit(self, item: T, write: Writer[T, R]) -> R:
        """Write ``item`` (with others waiting, through the leader's ``write``); its result.

        >>> box: GroupCommit[int, int] = GroupCommit()
        >>> box.submit(20, lambda items: [i + 1 for i in items])
        21
        """
        slot: _Slot[T, R] = _Slot(item)
        with self._lock:
            self._waiting.append(slot)
            lead = not self._writing
            self._writing = True
            depth = len(self._waiting)
        if not lead:
            if self.on_queue is not None:
                self.on_queue(depth)
            slot.ready.wait()
        if not slot.done:  # led from the start, or handed the lead
            self._lead(write, slot.ready)
        if isinstance(slot.result, BaseException):
            raise slot.result
        return slot.result  # type: ignore[return-value]

    def _lead(self, write: Writer[T, R], own: threading.Event) -> None:
        if self.pause is not None:
            self.pause()
        with self._lock:
            batch = self._waiting[: self.max_batch]
            del self._waiting[: len(batch)]
            self.batches += 1
        results: list[R | BaseException]
        try:
            results = write([slot.item for slot in batch])
            if len(results) != len(batch):
                raise RuntimeError("a batch writer must answer every item")
        except BaseException as exc:  # every caller in the batch hears of the failure
            # an interruption of the leader (a killed greenlet) is its own, not the others'
            other = exc if isinstance(exc, Exception) else RuntimeError("batch interrupted")
            results = [exc if slot.ready is own else other for slot in batch]
        with self._lock:
            following = self._waiting[0] if self._waiting else None
            self._writing = following is not None
        for slot, result in zip(batch, results, strict=True):
            slot.result = result
            slot.done = True
            slot.ready.set()
        if following is not None:
            following.ready.set()  # not done: it leads the next batch
