"""Phones placing roles at once on a real database (SQLite; PostgreSQL too when configured)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from db import session_scope
from journey_maps import placing
from journey_maps import stages as journey
from journey_maps.rows import RolePlacement
from roles.services import list_roles
from workshops import services, voting
from workshops.domain import WorkshopError
from workshops.setup import prepare_ws2

PHONES = 8


def setup_map(app, phones: int) -> tuple[int, int, int, list[int]]:
    """A WS2 workshop open for placements, ``phones`` participants of one organisation."""
    with session_scope(app) as s:
        wid = services.create_workshop(
            s, owner_id=None, title="Race", date=None, target_group="children", kind="ws2"
        )
        prepare_ws2(s, workshop_id=wid)
        org = services.add_organisation(s, workshop_id=wid, name="BUP", principal="region")
        journey.set_journey_open(s, workshop_id=wid, is_open=True)
        role = next(r.id for r in list_roles(s, wid) if r.code == "4")
        stage = journey.stages(s, wid)[2].id
        pids = [
            voting.join(s, workshop_id=wid, organisation_id=org, display_name=None).participant_id
            for _ in range(phones)
        ]
    return wid, role, stage, pids


def place(app, pid: int, role: int, stage: int, client_id: str, barrier) -> str:
    barrier.wait()
    with session_scope(app) as s:
        try:
            written = placing.place_role(
                s, participant_id=pid, role_id=role, stage_id=stage, client_id=client_id
            )
        except WorkshopError as exc:
            return exc.key
    return "retried" if written.retried else "placed"


def placements(app) -> int:
    with session_scope(app) as s:
        return s.scalar(
            select(func.count())
            .select_from(RolePlacement)
            .where(RolePlacement.removed_at.is_(None))
        )


def test_phones_placing_the_same_role_at_once_make_one_placement(db_app):
    _wid, role, stage, pids = setup_map(db_app, PHONES)
    barrier = threading.Barrier(PHONES)
    with ThreadPoolExecutor(max_workers=PHONES) as pool:
        answers = list(
            pool.map(lambda p: place(db_app, p, role, stage, f"phone-{p:06d}", barrier), pids)
        )
    assert sorted(answers) == ["error.duplicate_placement"] * (PHONES - 1) + ["placed"]
    assert placements(db_app) == 1


def test_a_placement_retried_against_itself_counts_once(db_app):
    _wid, role, stage, [pid] = setup_map(db_app, 1)
    barrier = threading.Barrier(PHONES)
    with ThreadPoolExecutor(max_workers=PHONES) as pool:
        answers = list(
            pool.map(
                lambda _: place(db_app, pid, role, stage, "same-client", barrier), range(PHONES)
            )
        )
    assert set(answers) <= {"placed", "retried"} and answers.count("placed") == 1
    assert placements(db_app) == 1
