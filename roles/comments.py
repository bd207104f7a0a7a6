"""How a role's validation comments are shown: the texts alone, in one order everywhere."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable


def shown_comments(comments: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """The texts of ``(choice, text)`` comments as every page and file shows them.

    The answer each came with is dropped, and so is the order they were written in: either
    could tell who wrote a comment, and an order by answer would give the answers away. What is
    left is alphabetical ignoring case, in the Swedish alphabet (å, ä, ö after z, in that
    order; other accents sort with their letter: é with e), the same on every machine whatever
    its locale, with ties in code-point order.

    >>> shown_comments([("no", "saknar skolan"), ("yes", "bra"), ("discuss", "Ändra namnet"),
    ...                 ("no", "Bra")])
    ('Bra', 'bra', 'saknar skolan', 'Ändra namnet')
    >>> shown_comments([("no", "ödmjukt"), ("yes", "Ändra"), ("no", "år"), ("yes", "éxtra"),
    ...                 ("no", "fint")])
    ('éxtra', 'fint', 'år', 'Ändra', 'ödmjukt')
    """
    return tuple(sorted((text for _choice, text in comments), key=_alphabetical))


# å, ä, ö (and the Danish-Norwegian æ, ø) as the three characters after "z"
_SWEDISH_LAST = str.maketrans({"å": "{", "ä": "|", "ö": "}", "æ": "|", "ø": "}"})


def _alphabetical(text: str) -> tuple[str, str]:
    # NFC first: a phone may send "å" as "a" plus a combining ring
    folded = unicodedata.normalize("NFC", text).casefold().translate(_SWEDISH_LAST)
    # then any other accent goes: "é" sorts as "e"
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    return plain, text
