"""Pure rules of the pre-workshop survey: proposals, duplicates, and how answers moved."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from workshops.domain import (
    BALLOT_ID,
    CHOICES,
    TOPICS,
    Tally,
    WorkshopError,
    clean_statement_text,
    disclosed,
    normalise_text,
)

PROPOSAL_STATES = ("proposed", "accepted", "rejected")


def check_client_id(value: object) -> str:
    """A client-made id of a proposal form: 8-64 url-safe characters.

    >>> check_client_id("f-1234abcd")
    'f-1234abcd'
    >>> check_client_id("x")
    Traceback (most recent call last):
    ...
    workshops.domain.WorkshopError: error.bad_client_id
    """
    if not isinstance(value, str) or not BALLOT_ID.match(value):
        raise WorkshopError("error.bad_client_id")
    return value


def check_choice(choice: object) -> str:
    """One of the three answers.

    >>> check_choice("discuss")
    'discuss'
    >>> check_choice("maybe")
    Traceback (most recent call last):
    ...
    workshops.domain.WorkshopError: error.bad_choice
    """
    if choice not in CHOICES:
        raise WorkshopError("error.bad_choice")
    return str(choice)


def check_proposal(*, subject_org: int, proposer_org: int, topic: object, text: str) -> str:
    """A proposed statement is others' perception: about another organisation than the
    proposer's own, on target group or mandate. Returns the cleaned text.

    >>> check_proposal(subject_org=1, proposer_org=2, topic="mandate", text="  - Stödsamtal ")
    'Stödsamtal'
    >>> check_proposal(subject_org=1, proposer_org=1, topic="mandate", text="Stödsamtal")
    Traceback (most recent call last):
    ...
    workshops.domain.WorkshopError: error.survey_own_organisation
    """
    if subject_org == proposer_org:
        raise WorkshopError("error.survey_own_organisation")
    if topic not in TOPICS:
        raise WorkshopError("error.bad_topic")
    return clean_statement_text(text)


def same_wording(text: str, existing: Iterable[str]) -> str | None:
    """The existing wording that ``text`` repeats (case, spacing and punctuation aside).

    >>> same_wording("stödsamtal.", ["Utredning", "Stödsamtal"])
    'Stödsamtal'
    >>> same_wording("Stödsamtal för syskon", ["Stödsamtal"]) is None
    True
    """
    folded = normalise_text(text)
    return next((e for e in existing if normalise_text(e) == folded), None)


@dataclass(frozen=True)
class Movement:
    """The survey answers of one statement next to its live answers, as far as they may be
    shown: every distribution only from the anonymity threshold on, counts always.

    ``shift`` is each choice's change in percentage points from the survey to the live vote;
    ``changed`` how many of those who answered both gave a different answer live.
    """

    survey_n: int
    live_n: int
    both_n: int
    survey: Tally | None
    live: Tally | None
    shift: dict[str, int] | None
    changed: int | None

    @property
    def moved(self) -> bool | None:
        """Whether the distribution moved at all (None when it may not be shown)."""
        return None if self.shift is None else any(self.shift.values())


def movement(survey: Tally, live: Tally, *, both: int, changed: int, threshold: int) -> Movement:
    """Compare the survey with the live vote, withholding what fewer than ``threshold`` gave.

    >>> m = movement(Tally(yes=3, no=1), Tally(yes=1, no=3), both=4, changed=2, threshold=3)
    >>> m.shift, m.changed
    ({'yes': -50, 'no': 50, 'discuss': 0}, 2)
    >>> m = movement(Tally(yes=3), Tally(no=2), both=2, changed=2, threshold=3)
    >>> m.survey, m.live, m.shift, m.changed, m.live_n, m.both_n
    (Tally(yes=3, no=0, discuss=0), None, None, None, 2, 2)
    """
    show_survey = disclosed(survey, threshold)
    show_live = disclosed(live, threshold)
    shift = None
    if show_survey and show_live:
        shift = {c: round(100 * (live.share(c) - survey.share(c))) for c in CHOICES}
    return Movement(
        survey_n=survey.total,
        live_n=live.total,
        both_n=both,
        survey=survey if show_survey else None,
        live=live if show_live else None,
        shift=shift,
        changed=changed if both >= max(1, threshold) else None,
    )
