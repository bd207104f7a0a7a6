"""Fuzz fixtures: one seeded installation per test module, on SQLite and (when
BRYGGA_TEST_POSTGRES_URL is set) PostgreSQL; BRYGGA_FUZZ_SCALE multiplies the example counts."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.fuzz.world import World, build_world, database_url, intact, make_app


def scale(examples: int, kind: str = "sqlite") -> int:
    """``examples`` times BRYGGA_FUZZ_SCALE (default 1; e.g. 10 for a long local run); a third
    of that on PostgreSQL, which runs the same cases against the other database."""
    factor = float(os.environ.get("BRYGGA_FUZZ_SCALE", "1")) * (1 if kind == "sqlite" else 1 / 3)
    return max(1, round(examples * factor))


class Worlds:
    """The module's installation; a new set of workshops is seeded beside the old one when a
    fuzzed form destroyed what the next test relies on (the old rows stay and are checked)."""

    def __init__(self, app: Flask, kind: str) -> None:
        self.app = app
        self.kind = kind
        self.generation = 0
        self.current = build_world(app)

    @property
    def version(self) -> tuple[int, int]:
        """Changes whenever get() seeded or repaired something (a reason to look again)."""
        return self.generation, self.current.repairs

    def get(self) -> World:
        if not intact(self.current):
            self.generation += 1
            self.current = build_world(self.app, self.generation)
        return self.current


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def worlds(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Worlds]:
    if request.param == "postgresql" and not os.environ.get("BRYGGA_TEST_POSTGRES_URL"):
        pytest.skip("PostgreSQL fuzzing needs BRYGGA_TEST_POSTGRES_URL (set by .ci/run)")
    with database_url(request.param, tmp_path_factory.mktemp("fuzz")) as url:
        app = make_app(url)
        try:
            yield Worlds(app, request.param)
        finally:
            app.extensions["db.engine"].dispose()


@pytest.fixture
def world(worlds: Worlds) -> World:
    return worlds.get()
