"""Judging a batch of ballots against what the database says (pure: no I/O).

A burst of votes is written in batches (``workshops.group_commit``): one read of the statements,
participants and earlier ballots the batch names, one decision per ballot here, then one write
of everything accepted. The rules are those of a single vote (``voting.cast_vote``):

- a ballot id seen before changes nothing and succeeds again, if it is the same participant's;
- the statement must belong to the participant's workshop, be open and not hidden;
- the participant must be eligible to answer it (``domain.may_answer``);
- within one batch, ballots count in the order they arrived: a repeated ballot id is a retry
  of the first, and a participant's later answer to the same statement replaces the earlier.
"""

from __future__ import annotations

from dataclasses import dataclass

from workshops import domain


@dataclass(frozen=True)
class Ballot:
    """One vote as a phone sent it (already checked for shape by ``domain.check_ballot``)."""

    participant_id: int
    statement_id: int
    choice: str
    ballot_id: str
    comment: str | None = None


@dataclass(frozen=True)
class StatementFacts:
    workshop_id: int
    state: str
    hidden: bool
    perspective: str
    organisation_id: int | None
    everyone_may_answer: bool


@dataclass(frozen=True)
class ParticipantFacts:
    workshop_id: int
    organisation_id: int


@dataclass(frozen=True)
class Seen:
    """A ballot already stored: whose it was and what it said."""

    participant_id: int
    statement_id: int
    choice: str


@dataclass(frozen=True)
class Verdict:
    """What became of one ballot: ``error`` is a catalogue key, else it counts (or counted)."""

    workshop_id: int | None
    statement_id: int
    choice: str
    retried: bool = False
    error: str | None = None

    @property
    def accepted(self) -> bool:
        """True for a new answer to write (not a retry, not refused)."""
        return self.error is None and not self.retried


def judge(
    ballots: list[Ballot],
    *,
    statements: dict[int, StatementFacts],
    participants: dict[int, ParticipantFacts],
    seen: dict[str, Seen],
) -> list[Verdict]:
    """One verdict per ballot, in order.

    >>> s = {5: StatementFacts(1, "open", False, "own", 10, False)}
    >>> p = {7: ParticipantFacts(1, 11), 8: ParticipantFacts(1, 10)}
    >>> [v.error or ("retried" if v.retried else "ok") for v in judge(
    ...     [Ballot(7, 5, "yes", "b-0000001"), Ballot(8, 5, "no", "b-0000002"),
    ...      Ballot(7, 5, "yes", "b-0000001"), Ballot(9, 5, "no", "b-0000003")],
    ...     statements=s, participants=p, seen={})]
    ['ok', 'error.not_eligible', 'retried', 'error.not_joined']

    A ballot stored earlier is a retry for its owner and refused for anyone else:

    >>> old = {"b-0000001": Seen(7, 5, "no")}
    >>> [(v.choice, v.retried, v.error) for v in judge(
    ...     [Ballot(7, 5, "yes", "b-0000001"), Ballot(8, 5, "yes", "b-0000001")],
    ...     statements=s, participants=p, seen=old)]
    [('no', True, None), ('yes', False, 'error.bad_ballot')]
    """
    seen = dict(seen)
    verdicts: list[Verdict] = []
    for ballot in ballots:
        verdict = _judge_one(ballot, statements, participants, seen)
        if verdict.accepted:
            seen[ballot.ballot_id] = Seen(ballot.participant_id, ballot.statement_id, ballot.choice)
        verdicts.append(verdict)
    return verdicts


def _judge_one(
    ballot: Ballot,
    statements: dict[int, StatementFacts],
    participants: dict[int, ParticipantFacts],
    seen: dict[str, Seen],
) -> Verdict:
    def refuse(key: str) -> Verdict:
        return Verdict(None, ballot.statement_id, ballot.choice, error=key)

    participant = participants.get(ballot.participant_id)
    if participant is None:
        return refuse("error.not_joined")
    earlier = seen.get(ballot.ballot_id)
    if earlier is not None:
        if earlier.participant_id != ballot.participant_id:
            return refuse("error.bad_ballot")
        return Verdict(participant.workshop_id, earlier.statement_id, earlier.choice, retried=True)
    statement = statements.get(ballot.statement_id)
    if statement is None or statement.workshop_id != participant.workshop_id:
        return refuse("error.statement_not_found")
    if statement.hidden or statement.state != "open":
        return refuse("error.statement_closed")
    if not domain.may_answer(
        perspective=statement.perspective,
        subject_org=statement.organisation_id,
        participant_org=participant.organisation_id,
        everyone=statement.everyone_may_answer,
    ):
        return refuse("error.not_eligible")
    return Verdict(participant.workshop_id, ballot.statement_id, ballot.choice)


def latest_answers(ballots: list[Ballot], verdicts: list[Verdict]) -> list[Ballot]:
    """The accepted ballots that stand at the end of the batch: the last per participant and
    statement (an upsert may not touch the same row twice in one statement).

    >>> b1, b2 = Ballot(7, 5, "yes", "b-0000001"), Ballot(7, 5, "no", "b-0000002")
    >>> ok = Verdict(1, 5, "yes")
    >>> [b.choice for b in latest_answers([b1, b2], [ok, ok])]
    ['no']
    """
    standing: dict[tuple[int, int], Ballot] = {}
    for ballot, verdict in zip(ballots, verdicts, strict=True):
        if verdict.accepted:
            standing[(ballot.participant_id, ballot.statement_id)] = ballot
    return list(standing.values())
