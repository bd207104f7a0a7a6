"""Pure WS1 rules: vote semantics, who may answer, tallies, splits and expectation gaps."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import secrets
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

CHOICES = ("yes", "no", "discuss")
TOPICS = ("target_group", "mandate")
PERSPECTIVES = ("own", "others")
PRINCIPALS = ("region", "municipality", "school", "private", "civil_society", "state")
TARGET_GROUPS = ("children", "adults")
WORKSHOP_KINDS = ("ws1", "ws2")
OUTCOMES = ("agreed", "reworded", "parked", "action")

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read aloud or off a projector is typed right first time.
JOIN_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_CODE_LENGTH = 6
MAX_STATEMENT_LENGTH = 500
MAX_NAME_LENGTH = 60


class WorkshopError(Exception):
    """A rule was broken; ``key`` names the message in the catalogue, ``params`` fill it in."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def new_join_code() -> str:
    """A random join code from the unambiguous alphabet.

    >>> code = new_join_code()
    >>> len(code), set(code) <= set(JOIN_ALPHABET)
    (6, True)
    """
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(raw: str) -> str | None:
    """Upper-case a typed code, drop spaces and dashes; None if it cannot be a code.

    >>> normalise_join_code(" hab-3kx ")
    >>> normalise_join_code("ka3 kxm")
    'KA3KXM'
    >>> normalise_join_code("KA3KX0") is None
    True
    """
    code = re.sub(r"[\s\-]", "", raw or "").upper()
    if len(code) != JOIN_CODE_LENGTH or any(c not in JOIN_ALPHABET for c in code):
        return None
    return code


# A roll call: each phone answers after a random pause of up to ROLL_CALL_SPREAD seconds, and
# the screens say "counting again" instead of a count until RECOUNT_SECONDS have passed (the
# answers' throttled pushes have arrived by then), so the count does not drop and climb back.
ROLL_CALL_SPREAD = 2.0
RECOUNT_SECONDS = ROLL_CALL_SPREAD + 1.0


def recount_left_ms(roll_call_at: dt.datetime | None, now: dt.datetime) -> int:
    """Milliseconds the screens still say "counting again" after the last roll call.

    >>> at = dt.datetime(2026, 11, 24, 10, 0, 0)
    >>> recount_left_ms(at, at + dt.timedelta(seconds=1))
    2000
    >>> recount_left_ms(at, at + dt.timedelta(seconds=3)), recount_left_ms(None, at)
    (0, 0)
    """
    if roll_call_at is None:
        return 0
    left = roll_call_at + dt.timedelta(seconds=RECOUNT_SECONDS) - now
    return max(0, round(left.total_seconds() * 1000))


def may_answer(
    *, perspective: str, subject_org: int | None, participant_org: int, everyone: bool = False
) -> bool:
    """Who answers a statement: others judge an own description, the subject judges others' views.

    A statement about no organisation (a WS2 role to validate) is for everyone.

    >>> may_answer(perspective="own", subject_org=1, participant_org=2)
    True
    >>> may_answer(perspective="own", subject_org=1, participant_org=1)
    False
    >>> may_answer(perspective="others", subject_org=1, participant_org=1)
    True
    >>> may_answer(perspective="others", subject_org=1, participant_org=2, everyone=True)
    True
    >>> may_answer(perspective="others", subject_org=None, participant_org=2)
    True
    """
    if everyone or subject_org is None:
        return True
    if perspective == "own":
        return participant_org != subject_org
    return participant_org == subject_org


def explanation_key(choice: str, *, topic: str, perspective: str) -> str:
    """The catalogue key of the sentence under a vote button (PRODUCT.md, WS1).

    >>> explanation_key("no", topic="target_group", perspective="others")
    'explain.others.target_group.no'
    >>> explanation_key("no", topic="mandate", perspective="own")
    'explain.own.no'
    >>> explanation_key("discuss", topic="mandate", perspective="others")
    'explain.discuss'
    >>> explanation_key("no", topic="role", perspective="others")
    'explain.role.no'
    """
    if topic == "role":
        return f"explain.role.{choice}"
    if choice == "discuss":
        return "explain.discuss"
    if perspective == "own":
        return f"explain.own.{choice}"
    return f"explain.others.{topic}.{choice}"


@dataclass(frozen=True)
class Tally:
    """Counts of current votes on one statement."""

    yes: int = 0
    no: int = 0
    discuss: int = 0

    @property
    def total(self) -> int:
        return self.yes + self.no + self.discuss

    def share(self, choice: str) -> float:
        """Share of the votes for ``choice``, 0 when nobody voted.

        >>> Tally(yes=3, no=1).share("yes")
        0.75
        """
        return getattr(self, choice) / self.total if self.total else 0.0

    def leading(self) -> str | None:
        """The choice with most votes, or None on a tie or without votes.

        >>> Tally(yes=2, no=1).leading()
        'yes'
        >>> Tally(yes=1, no=1).leading() is None
        True
        """
        counts = sorted(((getattr(self, c), c) for c in CHOICES), reverse=True)
        if counts[0][0] == 0 or counts[0][0] == counts[1][0]:
            return None
        return counts[0][1]

    def as_dict(self) -> dict[str, int]:
        return {"yes": self.yes, "no": self.no, "discuss": self.discuss, "total": self.total}

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> Tally:
        """From counts by choice (a Counter, a stored ``as_dict``); a missing choice is 0.

        >>> Tally.of({"yes": 2, "total": 2})
        Tally(yes=2, no=0, discuss=0)
        """
        return cls(
            yes=counts.get("yes", 0), no=counts.get("no", 0), discuss=counts.get("discuss", 0)
        )

    def __add__(self, other: Tally) -> Tally:
        """Two groups' answers together.

        >>> Tally(yes=1) + Tally(yes=1, no=2)
        Tally(yes=2, no=2, discuss=0)
        """
        return Tally(self.yes + other.yes, self.no + other.no, self.discuss + other.discuss)

    def __sub__(self, other: Tally) -> Tally:
        """The answers left when ``other``'s are taken out (a total minus the cells shown).

        >>> Tally(yes=3, no=1) - Tally(yes=3)
        Tally(yes=0, no=1, discuss=0)
        """
        return Tally(self.yes - other.yes, self.no - other.no, self.discuss - other.discuss)


def tally(choices: Iterable[str]) -> Tally:
    """Count choices.

    >>> tally(["yes", "no", "yes", "discuss"])
    Tally(yes=2, no=1, discuss=1)
    """
    return Tally.of(Counter(choices))


def disclosed(t: Tally, threshold: int) -> bool:
    """Whether a distribution may be shown: only when at least ``threshold`` people answered,
    so that nobody's answer can be read off it (a statement that one organisation answers is a
    breakdown by that organisation). How many answered is always shown; how they answered only
    from the threshold on.

    >>> disclosed(Tally(yes=1, no=1), 3)
    False
    >>> disclosed(Tally(yes=2, no=1), 3)
    True
    >>> disclosed(Tally(no=1), 1)
    True
    """
    return t.total >= max(1, threshold)


class Withheld(StrEnum):
    """Why a cell of a breakdown is withheld."""

    FEW = "few"  # fewer than the threshold answered in it
    PROTECTS = "protects"  # shown, a smaller group's answers could be worked out from the total
    # a published version's cell that moved by too few answers since the version before
    # (reports.late_answers): the difference would give those answers away
    LATER = "later"


def suppress_cells(cells: dict[str, Tally], threshold: int) -> dict[str, Tally | Withheld]:
    """A breakdown with every cell under the threshold withheld (``Withheld.FEW``), and as
    many more as it takes (``Withheld.PROTECTS``) that nobody's answer in those can be
    worked out from the statement's total minus the cells shown.

    The withheld cells' sum is always known (the total minus what is shown). It gives a small
    group away when it is one cell alone, or when it is all one answer: then every withheld
    cell answered that way. So shown cells are withheld too, the smallest of those with another
    answer first, until the sum is of two cells or more and mixed. When every answer to the
    statement was the same, its total says so anyway, and nothing more is withheld for it.

    >>> a, b, c = Tally(yes=3), Tally(yes=2, no=2), Tally(no=1)
    >>> suppress_cells({"A": a, "B": b, "C": c}, 3)
    {'A': <Withheld.PROTECTS: 'protects'>, 'B': Tally(yes=2, no=2, discuss=0), 'C': <Withheld.FEW: 'few'>}
    >>> suppress_cells({"A": a, "B": b}, 3) == {"A": a, "B": b}
    True
    >>> suppress_cells({"A": Tally(no=1)}, 3)
    {'A': <Withheld.FEW: 'few'>}

    Two of one group and one of another answered Yes, withheld together: the one's Yes would
    be known, so the cell with a No goes too.

    >>> cells = {"H": Tally(yes=3), "P": Tally(yes=2, no=1), "V": Tally(yes=3),
    ...          "N": Tally(yes=2), "S": Tally(yes=1)}
    >>> [org for org, t in suppress_cells(cells, 3).items() if isinstance(t, Tally)]
    ['H', 'V']
    """  # noqa: E501
    shown = {org: t for org, t in cells.items() if disclosed(t, threshold)}
    few = set(cells) - set(shown)
    if few:
        hidden = [t for org, t in cells.items() if org not in shown]
        hidden_sum = sum(hidden, Tally())
        for org in withhold_also(shown, hidden_sum, len(hidden)):
            del shown[org]
    return {
        org: shown.get(org) or (Withheld.FEW if org in few else Withheld.PROTECTS) for org in cells
    }


def withhold_also(shown: dict[str, Tally], hidden_sum: Tally, hidden_cells: int) -> list[str]:
    """Which shown cells must be withheld too, given the sum of the withheld ones (which a
    reader gets as the total minus the cells shown) and how many cells it is the sum of: until
    it is of two cells or more and mixed, the smallest cells with another answer first. Nothing
    when every answer was the same: the statement's total tells that anyway. It works from
    what a reader of a document sees, so a stored report can be checked again with it.

    >>> withhold_also({"A": Tally(yes=3), "B": Tally(yes=2, no=2)}, Tally(no=1), 1)
    ['A']
    >>> withhold_also({"B": Tally(discuss=2)}, Tally(discuss=1), 1)
    []
    >>> withhold_also({"B": Tally(yes=3)}, Tally(yes=1, no=1), 1)
    ['B']
    """
    shown, more = dict(shown), []
    count, total = hidden_cells, hidden_sum

    def answers(t: Tally) -> set[str]:
        return {c for c in CHOICES if getattr(t, c)}

    while count and shown:
        given = answers(total)
        if count > 1 and len(given) > 1:
            break  # nobody's answer among the withheld can be told
        mixing = [org for org, t in shown.items() if answers(t) - given]
        if not mixing and len(given) <= 1:
            break  # everyone answered alike: the statement's total tells that already
        org = min(mixing or list(shown), key=lambda o: (shown[o].total, o))
        more.append(org)
        cell = shown.pop(org)
        count += 1
        total += cell
    return more


ANONYMITY_THRESHOLD_MAX = 50


def clean_threshold(raw: object) -> int:
    """An anonymity threshold from a form or a file: a whole number from 1 to 50.

    >>> clean_threshold(" 5 ")
    5
    >>> clean_threshold("0")
    Traceback (most recent call last):
    ...
    workshops.domain.WorkshopError: error.bad_threshold
    """
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise WorkshopError("error.bad_threshold", limit=ANONYMITY_THRESHOLD_MAX) from None
    if not 1 <= value <= ANONYMITY_THRESHOLD_MAX:
        raise WorkshopError("error.bad_threshold", limit=ANONYMITY_THRESHOLD_MAX)
    return value


SPLIT_MAX_LEADING_SHARE = 2 / 3


def is_split(t: Tally) -> bool:
    """A split vote: at least three votes, and no choice holds two thirds of them.

    >>> is_split(Tally(yes=2, no=2))
    True
    >>> is_split(Tally(yes=5, no=1))
    False
    >>> is_split(Tally(yes=1, no=1))
    False
    """
    if t.total < 3:
        return False
    return max(t.yes, t.no, t.discuss) / t.total < SPLIT_MAX_LEADING_SHARE


@dataclass(frozen=True)
class StatementResult:
    """What the results need of one statement: plain data, no rows."""

    id: int
    organisation: str
    topic: str
    perspective: str
    text: str
    tally: Tally
    outcome: str | None = None

    @property
    def discussed(self) -> bool:
        """The room has discussed it: the facilitator recorded what it came to.

        >>> StatementResult(1, "A", "mandate", "own", "x", Tally(discuss=2)).discussed
        False
        >>> StatementResult(1, "A", "mandate", "own", "x", Tally(discuss=2), "agreed").discussed
        True
        """
        return self.outcome is not None


@dataclass(frozen=True)
class OrganisationResult:
    organisation: str
    own: list[StatementResult] = field(default_factory=list)
    others: list[StatementResult] = field(default_factory=list)

    @property
    def agreement(self) -> float | None:
        """Share of Yes among the others' votes on the organisation's own description.

        >>> r = OrganisationResult("Hab", own=[StatementResult(1, "Hab", "mandate", "own", "x",
        ...                                                    Tally(yes=3, no=1))])
        >>> r.agreement
        0.75
        """
        total = sum(s.tally.total for s in self.own)
        return sum(s.tally.yes for s in self.own) / total if total else None

    @property
    def expectation_gaps(self) -> list[StatementResult]:
        return expectation_gaps(self.others)


def expectation_gaps(results: Iterable[StatementResult]) -> list[StatementResult]:
    """Others' perceptions that the subject organisation answered No to: expectations outside
    its mandate or target group, the core finding of WS1.

    >>> gap = StatementResult(7, "Hab", "target_group", "others", "autism 0-6", Tally(no=2))
    >>> ok = StatementResult(8, "Hab", "target_group", "others", "NPF", Tally(yes=2))
    >>> [r.text for r in expectation_gaps([gap, ok])]
    ['autism 0-6']
    """
    return [r for r in results if r.perspective == "others" and r.tally.leading() == "no"]


def normalise_text(text: str) -> str:
    """Fold a statement to compare it across organisations: case, accents kept, spacing and
    punctuation dropped.

    >>> normalise_text("  Stödsamtal. ") == normalise_text("stödsamtal")
    True
    """
    text = unicodedata.normalize("NFC", text).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def recurring_expectations(gaps: Iterable[StatementResult]) -> list[tuple[str, list[str]]]:
    """Expectation gaps with the same wording attributed to two or more organisations,
    most widespread first.

    >>> a = StatementResult(1, "BUP", "mandate", "others", "Stödsamtal", Tally(no=1))
    >>> b = StatementResult(2, "Hab", "mandate", "others", "stödsamtal.", Tally(no=3))
    >>> c = StatementResult(3, "IFO", "mandate", "others", "Utredning", Tally(no=1))
    >>> recurring_expectations([a, b, c])
    [('Stödsamtal', ['BUP', 'Hab'])]
    """
    groups: dict[str, list[StatementResult]] = defaultdict(list)
    for gap in gaps:
        groups[normalise_text(gap.text)].append(gap)
    recurring = []
    for items in groups.values():
        orgs = sorted({r.organisation for r in items})
        if len(orgs) >= 2:
            recurring.append((items[0].text, orgs))
    return sorted(recurring, key=lambda item: (-len(item[1]), normalise_text(item[0])))


def organisation_results(results: Iterable[StatementResult]) -> list[OrganisationResult]:
    """Group statement results by subject organisation, organisations alphabetically.

    >>> rs = [StatementResult(1, "Hab", "mandate", "own", "x", Tally(yes=1)),
    ...       StatementResult(2, "BUP", "mandate", "others", "y", Tally(no=1))]
    >>> [(o.organisation, len(o.own), len(o.others)) for o in organisation_results(rs)]
    [('BUP', 0, 1), ('Hab', 1, 0)]
    """
    by_org: dict[str, OrganisationResult] = {}
    for r in results:
        org = by_org.setdefault(r.organisation, OrganisationResult(r.organisation))
        (org.own if r.perspective == "own" else org.others).append(r)
    return [by_org[name] for name in sorted(by_org, key=str.casefold)]


def discussion_queue(
    results: Iterable[StatementResult], threshold: int = 1
) -> list[StatementResult]:
    """Statements someone wants to raise, most raised first; then every statement answered by
    fewer than ``threshold``, raised or not, in running order. Whether anyone raised one of
    those is part of its distribution: were only the raised ones queued, a statement one person
    answered would be in the queue exactly when that person chose "Let's discuss".

    >>> rs = [StatementResult(1, "A", "mandate", "own", "x", Tally(discuss=1)),
    ...       StatementResult(2, "A", "mandate", "own", "y", Tally(yes=4)),
    ...       StatementResult(3, "B", "mandate", "own", "z", Tally(discuss=3))]
    >>> [r.id for r in discussion_queue(rs)]
    [3, 1]
    >>> [r.id for r in discussion_queue(rs + [StatementResult(4, "B", "mandate", "own", "w",
    ...                                       Tally(yes=2)),
    ...                                       StatementResult(5, "B", "mandate", "own", "v",
    ...                                       Tally())], threshold=3)]
    [3, 1, 4]
    """
    results = list(results)
    shown = sorted(
        (r for r in results if r.tally.discuss > 0 and disclosed(r.tally, threshold)),
        key=lambda r: -r.tally.discuss,
    )
    return shown + [r for r in results if r.tally.total > 0 and not disclosed(r.tally, threshold)]


@dataclass(frozen=True)
class DiscussionProgress:
    """How far a room has come through the statements it raised."""

    done: int  # discussed
    total: int
    next: StatementResult | None  # the first in the queue still without one


def discussion_progress(raised: Iterable[StatementResult]) -> DiscussionProgress:
    """How many of the raised statements (in queue order) are ``discussed``, and which comes
    next.

    >>> rs = [StatementResult(1, "A", "mandate", "own", "x", Tally(discuss=3), "agreed"),
    ...       StatementResult(2, "A", "mandate", "own", "y", Tally(discuss=2)),
    ...       StatementResult(3, "B", "mandate", "own", "z", Tally(discuss=1))]
    >>> progress = discussion_progress(rs)
    >>> progress.done, progress.total, progress.next.id
    (1, 3, 2)
    >>> discussion_progress(rs[:1]).next is None
    True
    """
    raised = list(raised)
    waiting = [r for r in raised if not r.discussed]
    return DiscussionProgress(len(raised) - len(waiting), len(raised), next(iter(waiting), None))


# --- Statement input -------------------------------------------------------------------------

TOPIC_ALIASES = {
    "target_group": "target_group",
    "målgrupp": "target_group",
    "malgrupp": "target_group",
    "target group": "target_group",
    "mandate": "mandate",
    "uppdrag": "mandate",
    "insatser": "mandate",
    "uppdrag/insatser": "mandate",
    "insatser/aktiviteter": "mandate",
    "activities": "mandate",
}
PERSPECTIVE_ALIASES = {
    "own": "own",
    "egen": "own",
    "egen beskrivning": "own",
    "own description": "own",
    "others": "others",
    "andra": "others",
    "andras": "others",
    "andras uppfattning": "others",
    "others' perception": "others",
    "others perception": "others",
}
CSV_COLUMNS = {
    "organisation": ("organisation", "organization", "verksamhet", "organisation_name"),
    "topic": ("topic", "ämne", "amne", "område"),
    "perspective": ("perspective", "perspektiv"),
    "text": ("text", "påstående", "pastaende", "statement"),
}


@dataclass(frozen=True)
class StatementDraft:
    organisation: str
    topic: str
    perspective: str
    text: str


def clean_statement_text(text: str) -> str:
    """Collapse whitespace and drop bullet marks; reject empty or overlong text.

    >>> clean_statement_text("  -  autism   0-6 år ")
    'autism 0-6 år'
    """
    text = " ".join((text or "").split())
    text = re.sub(r"^[-•*·–]\s*", "", text)
    if not text:
        raise WorkshopError("error.statement_empty")
    if len(text) > MAX_STATEMENT_LENGTH:
        raise WorkshopError("error.statement_too_long", limit=MAX_STATEMENT_LENGTH)
    return text


def pasted_lines(block: str) -> list[str]:
    """One statement per non-empty line of a pasted block.

    >>> pasted_lines("autism 0-6 år\\n\\n - NPF\\n")
    ['autism 0-6 år', 'NPF']
    """
    return [clean_statement_text(line) for line in block.splitlines() if line.strip()]


def parse_statement_csv(data: str) -> list[StatementDraft]:
    """Parse a statements CSV (comma or semicolon, Swedish or English headers); every error
    is collected with its line number and raised together, so nothing is half-imported.

    >>> rows = parse_statement_csv("verksamhet;ämne;perspektiv;text\\nHab;målgrupp;andra;NPF\\n")
    >>> rows[0]
    StatementDraft(organisation='Hab', topic='target_group', perspective='others', text='NPF')
    >>> parse_statement_csv("organisation,topic,perspective,text\\nHab,colour,own,x\\n")
    Traceback (most recent call last):
    ...
    workshops.domain.CsvError: line 2: unknown topic 'colour'
    """
    data = data.lstrip("\ufeff")
    if not data.strip():
        raise CsvError(["the file is empty"])
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            data.splitlines()[0], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(data), dialect)
    header = [h.strip().casefold() for h in next(reader)]
    columns: dict[str, int] = {}
    for key, names in CSV_COLUMNS.items():
        for name in names:
            if name in header:
                columns[key] = header.index(name)
                break
    missing = [key for key in CSV_COLUMNS if key not in columns]
    if missing:
        raise CsvError([f"line 1: missing column(s) {', '.join(missing)}"])
    drafts, errors = [], []
    for lineno, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {key: (row[i].strip() if i < len(row) else "") for key, i in columns.items()}
        topic = TOPIC_ALIASES.get(cells["topic"].casefold())
        perspective = PERSPECTIVE_ALIASES.get(cells["perspective"].casefold())
        if not cells["organisation"]:
            errors.append(f"line {lineno}: the organisation is empty")
        if topic is None:
            errors.append(f"line {lineno}: unknown topic '{cells['topic']}'")
        if perspective is None:
            errors.append(f"line {lineno}: unknown perspective '{cells['perspective']}'")
        try:
            text = clean_statement_text(cells["text"])
        except WorkshopError:
            errors.append(f"line {lineno}: the text is empty or longer than 500 characters")
            continue
        if topic and perspective and cells["organisation"]:
            drafts.append(StatementDraft(cells["organisation"], topic, perspective, text))
    if errors:
        raise CsvError(errors)
    if not drafts:
        raise CsvError(["the file has no statements"])
    return drafts


class CsvError(ValueError):
    """Every problem found in an imported file, one message per line."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def slug(text: str, fallback: str = "karta") -> str:
    """A file-name-safe form of a title: ASCII, lower case, words joined by hyphens.

    >>> slug("Barn och unga – Östra länet 2026"), slug("åäö"), slug("!!")
    ('barn-och-unga-ostra-lanet-2026', 'aao', 'karta')
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:60].rstrip("-") or fallback


def file_stem(
    title: str,
    date: dt.date | None,
    today: dt.date,
    fallback: str = "karta",
    *,
    as_of_today: bool = False,
) -> str:
    """The start of a downloaded file's name about one workshop: its title and its date (today's
    when it has none). Two workshops may share a title; the date tells a recipient which one a
    file is about, whenever it was downloaded. ``as_of_today``: the file shows something as it
    is today (the live journey map), so a download of another day gets another name.

    >>> file_stem("WS1 Barn", dt.date(2026, 5, 4), today=dt.date(2026, 6, 1))
    'ws1-barn-2026-05-04'
    >>> file_stem("WS1 Barn", None, today=dt.date(2026, 6, 1))
    'ws1-barn-2026-06-01'
    >>> file_stem("WS2 Barn", dt.date(2026, 5, 4), today=dt.date(2026, 6, 1), as_of_today=True)
    'ws2-barn-2026-05-04-per-2026-06-01'
    >>> file_stem("WS2 Barn", dt.date(2026, 6, 1), today=dt.date(2026, 6, 1), as_of_today=True)
    'ws2-barn-2026-06-01'
    """
    stem = f"{slug(title, fallback)}-{(date or today).isoformat()}"
    if as_of_today and date is not None and date != today:
        stem += f"-per-{today.isoformat()}"
    return stem


def clean_display_name(name: str | None) -> str | None:
    """Trim an optional display name; empty becomes None.

    >>> clean_display_name("  Anna ") , clean_display_name("   ")
    ('Anna', None)
    """
    name = " ".join((name or "").split())
    if not name:
        return None
    if len(name) > MAX_NAME_LENGTH:
        raise WorkshopError("error.name_too_long", limit=MAX_NAME_LENGTH)
    return name


MAX_ID = 2**31 - 1


def parse_id(raw: object) -> int:
    """A database id from untrusted input: a positive integer that fits a column.

    >>> parse_id("12"), parse_id(7)
    (12, 7)
    >>> parse_id(10**30)
    Traceback (most recent call last):
    ...
    workshops.domain.WorkshopError: error.bad_payload
    """
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise WorkshopError("error.bad_payload")
    try:
        value = int(raw)
    except ValueError:
        raise WorkshopError("error.bad_payload") from None
    if not 0 < value <= MAX_ID:
        raise WorkshopError("error.bad_payload")
    return value


BALLOT_ID = re.compile(r"^[A-Za-z0-9_\-]{8,64}$")


COMMENT_LIMIT = 500


def clean_comment(comment: object) -> str | None:
    """A voter's optional comment: trimmed, at most 500 characters, None when empty.

    >>> clean_comment("  saknar skolan  "), clean_comment(""), clean_comment(None)
    ('saknar skolan', None, None)
    >>> clean_comment("x" * 501)
    Traceback (most recent call last):
    ...
    workshops.domain.WorkshopError: error.comment_too_long
    """
    if comment is None:
        return None
    if not isinstance(comment, str):
        raise WorkshopError("error.bad_payload")
    text = comment.strip()
    if len(text) > COMMENT_LIMIT:
        raise WorkshopError("error.comment_too_long", limit=COMMENT_LIMIT)
    return text or None


def check_ballot(statement_id: object, choice: object, ballot_id: object) -> tuple[int, str, str]:
    """Validate a ballot from a phone: a statement id, one of the three choices and a
    client-made id (8-64 url-safe characters).

    >>> check_ballot(3, "yes", "b-1234567")
    (3, 'yes', 'b-1234567')
    >>> check_ballot("3", "maybe", "b-1234567")
    Traceback (most recent call last):
    ...
    workshops.domain.WorkshopError: error.bad_choice
    """
    sid = parse_id(statement_id)
    if choice not in CHOICES:
        raise WorkshopError("error.bad_choice")
    if not isinstance(ballot_id, str) or not BALLOT_ID.match(ballot_id):
        raise WorkshopError("error.bad_ballot")
    return sid, str(choice), ballot_id


def within_rate(
    recent: list[float], *, now: float, limit: int, window: float
) -> tuple[bool, list[float]]:
    """A sliding-window rate limit: whether one more event is allowed at ``now`` given the
    times of the recent ones, and the times to keep (the allowed event included).

    >>> ok, kept = within_rate([], now=100.0, limit=2, window=10.0)
    >>> ok, kept
    (True, [100.0])
    >>> within_rate([95.0, 99.0], now=100.0, limit=2, window=10.0)
    (False, [95.0, 99.0])
    >>> within_rate([89.0, 99.0], now=100.0, limit=2, window=10.0)
    (True, [99.0, 100.0])
    """
    kept = [t for t in recent if isinstance(t, int | float) and now - t < window]
    if len(kept) >= limit:
        return False, kept
    return True, [*kept, now]
