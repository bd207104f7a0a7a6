"""Uploads for the import forms: real exported files with hostile changes, and plain garbage."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from tests.fuzz.strategies import json_values, texts, weighted

DELETE = object()
Path = tuple[Any, ...]


def _paths(document: Any, prefix: Path = ()) -> list[Path]:
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for i, value in enumerate(document):
            found += _paths(value, (*prefix, i))
    return found


def _apply(document: Any, changes: list[tuple[Path, Any]]) -> Any:
    document = json.loads(json.dumps(document))
    for path, value in changes:
        if not path:
            document = None if value is DELETE else value
            continue
        parent = document
        try:
            for step in path[:-1]:
                parent = parent[step]
            if value is DELETE:
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed or replaced this part
    return document


def mutated_json(
    document: Any, ids: Sequence[int], words: Sequence[str]
) -> st.SearchStrategy[bytes]:
    """A real document (a workshop archive, a journey) with a few values replaced or removed."""
    paths = _paths(document)
    change = st.tuples(st.sampled_from(paths), st.one_of(json_values(ids, words), st.just(DELETE)))
    return st.lists(change, max_size=4).map(
        lambda changes: json.dumps(_apply(document, changes), ensure_ascii=False).encode()
    )


def statement_csv(organisations: Sequence[str]) -> st.SearchStrategy[bytes]:
    """A statements CSV: the real headers, known organisations and words, hostile texts."""
    cell = st.one_of(
        st.sampled_from([*organisations, "målgrupp", "uppdrag", "egen", "andra", "own", "others"]),
        texts(),
    )
    header = st.sampled_from(
        ["verksamhet;ämne;perspektiv;text", "organisation,topic,perspective,text", "text", ""]
    )
    rows = st.lists(st.lists(cell, min_size=1, max_size=5), max_size=6)
    encoding = st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])
    return st.builds(
        lambda h, r, sep, enc: (h + "\n" + "\n".join(sep.join(row) for row in r)).encode(
            enc, errors="replace"
        ),
        header,
        rows,
        st.sampled_from([";", ","]),
        encoding,
    )


def uploads(
    seeds: dict[str, Any], organisations: Sequence[str], ids: Sequence[int], words: Sequence[str]
) -> st.SearchStrategy[tuple[io.BytesIO, str]]:
    """A file field's value as the test client takes it: (content, file name)."""
    content = weighted(
        [
            *((3, mutated_json(doc, ids, words)) for doc in seeds.values()),
            (3, statement_csv(organisations)),
            (1, st.binary(max_size=200)),
            (1, texts().map(lambda t: t.encode("utf-8", errors="surrogatepass"))),
        ]
    )
    name = st.sampled_from(["workshop.json", "journey.json", "statements.csv", "", "x\x00.json"])
    return st.builds(lambda c, n: (io.BytesIO(c), n), content, name)
