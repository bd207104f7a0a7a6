"""Message catalogues (translations/*.json) and lookup; Swedish is the default language."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"
CATALOGUE_DIR = Path(__file__).parent / "translations"
STATIC = Path(__file__).resolve().parent / "static"  # the app's static/ folder (one definition)


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


# A quoted string that could be a message key or the start of several: "phone.saved",
# "explain." (in "explain." + topic). Its first part, a dot, then anything a key may hold.
_KEY_LITERAL = re.compile(r"""["']([a-z][a-z0-9_]*\.[a-z0-9_.]*)["']""")


def named_in_script(source: str) -> set[str]:
    """The strings of a script that may name a message it shows (``t("phone.saved")``) or begin
    the names of several (``t("explain." + topic)``). Every message a page's script shows is
    named so: by a literal key or prefix, never by a name it receives from elsewhere.

    >>> sorted(named_in_script('t("phone.saved"); t("explain." + p + "." + q); el("div");'
    ...                        " t(ok ? 'x.yes' : 'x.no');"))
    ['explain.', 'phone.saved', 'x.no', 'x.yes']
    """
    return set(_KEY_LITERAL.findall(source))


def select_messages(messages: Mapping[str, str], names: Iterable[str]) -> dict[str, str]:
    """The messages ``names`` name, each with the forms under it (its singular ``<key>.one``);
    a name ending in a dot takes every message that begins with it. Others are ignored.

    >>> select_messages({"a.b": "1", "a.b.one": "2", "a.c": "3", "e.x": "4", "f.y": "5"},
    ...                 ["a.b", "e.", "socket.io"])
    {'a.b': '1', 'a.b.one': '2', 'e.x': '4'}
    """
    starts = tuple(name if name.endswith(".") else name + "." for name in names)
    exact = set(names)
    return {k: v for k, v in messages.items() if k in exact or k.startswith(starts)}


@cache
def client_catalogue(lang: str, scripts: tuple[str, ...]) -> dict[str, str]:
    """The messages a page's scripts (paths under static/) can show, in ``lang``: what the page
    hands them. A phone's scripts show about 50 of some 1 500 messages; its page carried all
    of them before, 100 KB of texts it never shows on every load.

    >>> phone = client_catalogue("sv", ("js/live.js", "js/phone.js"))
    >>> phone["vote.yes"], "report.title" in phone, len(phone) < len(catalogue("sv")) / 4
    ('Yes', False, True)
    """
    names: set[str] = set()
    for script in scripts:
        path = (STATIC / script).resolve()
        if not path.is_relative_to(STATIC) or path.suffix != ".js":
            raise ValueError(f"not a script of this app: {script!r}")
        names |= named_in_script(path.read_text("utf-8"))
    return select_messages(catalogue(lang), names)


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
