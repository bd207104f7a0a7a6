"""Pure retention rules: when a workshop is due for deletion, when an audit line has expired."""

from __future__ import annotations

import datetime as dt


def reference_date(date: dt.date | None, created_at: dt.datetime | dt.date) -> dt.date:
    """The day a workshop's age counts from: the day it was held, else the day it was created.

    >>> reference_date(dt.date(2025, 3, 4), dt.datetime(2025, 1, 2, 9, 30))
    datetime.date(2025, 3, 4)
    >>> reference_date(None, dt.datetime(2025, 1, 2, 9, 30))
    datetime.date(2025, 1, 2)
    """
    if date is not None:
        return date
    return created_at.date() if isinstance(created_at, dt.datetime) else created_at


def due_for_deletion(
    date: dt.date | None, created_at: dt.datetime | dt.date, *, today: dt.date, days: int
) -> bool:
    """Whether a workshop is older than the retention period (``days`` 0 turns the rule off).

    A workshop held on 1 March 2025 with a one-year period is due from 2 March 2026 on; one
    without a date counts from the day it was created.

    >>> due_for_deletion(dt.date(2025, 3, 1), dt.datetime(2025, 1, 1), today=dt.date(2026, 3, 1),
    ...                  days=365)
    False
    >>> due_for_deletion(dt.date(2025, 3, 1), dt.datetime(2025, 1, 1), today=dt.date(2026, 3, 2),
    ...                  days=365)
    True
    >>> due_for_deletion(None, dt.datetime(2024, 1, 1), today=dt.date(2026, 1, 1), days=365)
    True
    >>> due_for_deletion(None, dt.datetime(2024, 1, 1), today=dt.date(2026, 1, 1), days=0)
    False
    """
    if days <= 0:
        return False
    return (today - reference_date(date, created_at)).days > days


def audit_cutoff(now: dt.datetime, days: int) -> dt.datetime | None:
    """Audit lines written before this moment have expired (None: keep them all).

    >>> audit_cutoff(dt.datetime(2026, 5, 1, 12, 0), 730)
    datetime.datetime(2024, 5, 1, 12, 0)
    >>> audit_cutoff(dt.datetime(2026, 5, 1), 0) is None
    True
    """
    if days <= 0:
        return None
    return now - dt.timedelta(days=days)


def months(days: int) -> int:
    """A retention period as whole months, for a sentence such as "older than 12 months".

    >>> months(365), months(730), months(90), months(10)
    (12, 24, 3, 1)
    """
    return max(1, round(days / 30.4375))
