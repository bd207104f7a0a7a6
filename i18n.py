"""Message catalogues (translations/*.json) and lookup; Swedish is the default language."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"
CATALOGUE_DIR = Path(__file__).parent / "translations"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The flat key → text catalogue of a language.

    >>> catalogue("sv")["vote.yes"], catalogue("en")["vote.discuss"]
    ('Yes', "Let's discuss")
    """
    if lang not in LANGUAGES:
        lang = DEFAULT_LANGUAGE
    data: dict[str, str] = {}
    for path in catalogue_files(lang):
        part: dict[str, str] = json.loads(path.read_text("utf-8"))
        clash = sorted(set(part) & set(data))
        if clash:
            raise ValueError(f"{path.name} repeats keys: {', '.join(clash)}")
        data.update(part)
    return data


def catalogue_files(lang: str) -> list[Path]:
    """``<lang>.json`` and each feature's ``<feature>.<lang>.json``, so features own their texts.

    >>> [p.name for p in catalogue_files("sv")][0]
    'sv.json'
    """
    return [CATALOGUE_DIR / f"{lang}.json", *sorted(CATALOGUE_DIR.glob(f"*.{lang}.json"))]


def translate(lang: str, key: str, **params: Any) -> str:
    """A message in ``lang``, falling back to Swedish and then to the key itself.

    A count of one takes the key's singular form, ``<key>.one``, where the catalogue has one
    (``static/js/live.js`` picks it the same way).

    >>> translate("en", "error.statement_too_long", limit=500)
    'A statement can be at most 500 characters.'
    >>> [translate("sv", "flash.statements_added", n=n) for n in (1, 2)]
    ['1 påstående tillagt.', '2 påståenden tillagda.']
    >>> translate("sv", "no.such.key")
    'no.such.key'
    """
    if params.get("n") == 1 and f"{key}.one" in catalogue(lang):
        key = f"{key}.one"
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    return text.format(**params) if params else text


def in_language(texts: Mapping[str, str | None], lang: str) -> str:
    """A text kept in several languages (a stage's label, a role's name), in ``lang`` where it
    has one, else in Swedish.

    >>> in_language({"sv": "Första kontakt", "en": "First contact"}, "en")
    'First contact'
    >>> in_language({"sv": "Första kontakt", "en": None}, "en")
    'Första kontakt'
    """
    return texts.get(lang) or texts.get(DEFAULT_LANGUAGE) or ""


def pick_language(requested: str | None, accept: str | None = None) -> str:
    """The language to use: an explicit choice, else Swedish (the workshops run in Swedish).

    >>> pick_language("en"), pick_language("de"), pick_language(None)
    ('en', 'sv', 'sv')
    """
    return requested if requested in LANGUAGES else DEFAULT_LANGUAGE
