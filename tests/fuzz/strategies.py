"""Hypothesis strategies for hostile input: JSON payloads for socket events, form fields."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from journey_maps.placing import HANDOFF_MODES, REACTIONS
from workshops.domain import CHOICES

# Deterministic in CI (the same examples every run, no example database on disk); no deadline
# because a slow shared machine must not turn into a flaky failure.
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=False,
)

MAX_ID = 2**31 - 1

# Text that has broken real programs: control characters, NUL, surrogates' neighbours,
# right-to-left overrides, combining marks, emoji with joiners, SQL and markup fragments.
NASTY_TEXTS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "\t\x0b\x0c",
    "\u202egnp.exe",
    "\u200b",
    "\ufeff",
    "e\u0301" * 50,
    "👩‍👩‍👧‍👦",
    "Ω≈ç√∫",
    "'; DROP TABLE votes; --",
    "' OR '1'='1",
    '"><script>window.__xss=1</script>',
    "{{7*7}}",
    "${7*7}",
    "%s%s%s%n",
    "../../etc/passwd",
    "null",
    "NaN",
    "-1",
    "0",
    "1e309",
    "9" * 40,
    "x" * 70,
    "x" * 501,
    "y" * 5000,
]

INTS = st.one_of(
    st.sampled_from([0, -1, 1, 2, 3, MAX_ID, MAX_ID + 1, -MAX_ID - 1, 2**63, -(2**63), 10**30]),
    st.integers(),
)


# The app's own vocabularies: the first values to try for a key that is not an id.
HOT_WORDS = (*CHOICES, *REACTIONS, *HANDOFF_MODES)
URLSAFE = "ABCXYZabcxyz0123456789_-"


def client_ids() -> st.SearchStrategy[str]:
    """What a phone makes for ballots and placements: 8-64 url-safe characters."""
    return st.text(URLSAFE, min_size=8, max_size=64)


def texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY_TEXTS),
        st.text(max_size=20),
        st.text(st.characters(codec="utf-8"), max_size=60),
        client_ids(),
    )


def plausible(ids: Sequence[int], words: Sequence[str]) -> st.SearchStrategy[Any]:
    """A value the server might accept: a real id (of any workshop), a known word, a client id."""
    return st.one_of(
        st.sampled_from(list(ids)),
        st.sampled_from(list(words)),
        client_ids(),
        st.sampled_from([None, True, False, ""]),
    )


def plausible_for(key: str, ids: Sequence[int], words: Sequence[str]) -> st.SearchStrategy[Any]:
    """A plausible value for a key by its name: ``*client_id``/``ballot_id`` a client-made id,
    ``*_id`` a real id, anything else one of the words the app knows (choices, kinds, modes)."""
    if key.endswith("client_id") or key == "ballot_id":
        likely: st.SearchStrategy[Any] = client_ids()
    elif key.endswith("_id"):
        likely = st.sampled_from(list(ids))
    else:
        likely = weighted([(3, st.sampled_from(list(HOT_WORDS))), (1, texts())])
    return weighted([(4, likely), (1, plausible(ids, words))])


def json_values(ids: Sequence[int], words: Sequence[str]) -> st.SearchStrategy[Any]:
    """Any JSON value, leaning towards what the server might half-accept: real ids (of every
    workshop), their strings, known words, edge integers, nested structures."""
    leaf = st.one_of(
        st.none(),
        st.booleans(),
        INTS,
        st.floats(allow_nan=True, allow_infinity=True),
        texts(),
        st.sampled_from(list(ids)),
        st.sampled_from([str(i) for i in ids]),
        st.sampled_from(list(words)),
    )
    return st.recursive(
        leaf,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.text(max_size=12), children, max_size=4),
        ),
        max_leaves=5,
    )


def payloads(
    fields: Sequence[str], ids: Sequence[int], words: Sequence[str]
) -> st.SearchStrategy[Any]:
    """A socket event's payload: often every key the event reads with a plausible value (so
    that the deep paths run), else a dict of its keys (some missing, some extra) with any JSON
    values, any JSON at all (a list, a string, null), or a document too big to accept."""
    value = json_values(ids, words)
    keys = st.sampled_from(list(fields)) if fields else st.text(max_size=12)
    well_formed = st.fixed_dictionaries({f: plausible_for(f, ids, words) for f in fields})
    shaped = st.dictionaries(st.one_of(keys, keys, st.text(max_size=12)), value, max_size=8)
    huge = st.builds(lambda n, k: {k: "z" * n}, st.integers(1000, 70_000), keys)
    return weighted([(6, well_formed), (2, shaped), (1, value), (1, huge)])


def weighted(choices: Sequence[tuple[int, st.SearchStrategy[Any]]]) -> st.SearchStrategy[Any]:
    """``one_of`` with weights (hypothesis' own one_of leans towards its first branches)."""
    table = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.integers(0, len(table) - 1).flatmap(lambda i: table[i])


def form_values(ids: Sequence[int], words: Sequence[str]) -> st.SearchStrategy[Any]:
    """One form field's value: a string, or a list of them (the field repeated)."""
    one = st.one_of(
        texts(),
        INTS.map(str),
        st.sampled_from([str(i) for i in ids]),
        st.sampled_from(list(words)),
    )
    return st.one_of(one, one, one, st.lists(one, min_size=2, max_size=4))


def forms(
    fields: Sequence[str], ids: Sequence[int], words: Sequence[str]
) -> st.SearchStrategy[dict[str, Any]]:
    """A form: the real field names of the form (each maybe missing) plus random extra ones."""
    value = form_values(ids, words)
    real = (
        st.fixed_dictionaries({}, optional={name: value for name in fields})
        if fields
        else st.just({})
    )
    extra = st.dictionaries(st.text(st.characters(codec="utf-8"), max_size=12), value, max_size=3)
    return st.builds(lambda a, b: {**b, **a}, real, extra)


KEY_READ = re.compile(
    r"""(?:\.get|\.getlist|\.pop|_checked\(\s*\w+\s*,|\[)\(?\s*["']([A-Za-z_][\w-]*)["']"""
)


def keys_read(function: Callable[..., Any]) -> list[str]:
    """The payload or form keys a handler reads (``p.get("role_id")``, ``form["text"]``, …),
    found in its source so that a new field is fuzzed without touching the tests."""
    source = inspect.getsource(inspect.unwrap(function))
    return sorted(set(KEY_READ.findall(source)))
