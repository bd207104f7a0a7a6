"""Every /live event, sent any payload by a phone, the API client or a facilitator, answers
with an acknowledgement and leaves the database sound.

The events are the ``on_*`` methods of the namespace class itself, so a new event is fuzzed
as soon as it exists; the keys it reads are found in its source and offered with real ids of
every workshop, ids of nothing, wrong types, nested documents, huge strings and control bytes.
"""

from __future__ import annotations

import inspect
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journey_maps.events import JourneyNamespace
from tests.fuzz.conftest import Worlds, scale
from tests.fuzz.invariants import Step, Watch
from tests.fuzz.strategies import FUZZ, json_values, keys_read, payloads
from tests.fuzz.world import World
from workshops import events as live_events

NAMESPACE = "/live"
HANDLERS = sorted(
    name
    for name, _ in inspect.getmembers(JourneyNamespace, inspect.isfunction)
    if name.startswith("on_") and name not in ("on_connect", "on_disconnect")
)
# Who sends: a phone of WS1 workshop A (join cookie), one of WS2 workshop C, a client that
# joined A through the JSON API (token), and the facilitator's console on A.
ACTORS = ["phone_ws1", "phone_ws2", "api_client", "facilitator"]
EXAMPLES = 45
CONNECT_EXAMPLES = 300
# How each event answered (a debugging aid: shows which paths the fuzzing reached).
OUTCOMES: defaultdict[tuple[str, str], Counter[str]] = defaultdict(Counter)


@pytest.fixture(scope="module", autouse=True)
def outcomes() -> Iterator[None]:
    """Print how each event answered (seen with ``pytest -s``): which paths fuzzing reached."""
    yield
    for (handler, actor), counts in sorted(OUTCOMES.items()):
        print(f"{handler:32} {actor:12} {dict(counts.most_common())}")


def connect(world: World, actor: str) -> tuple[Any, int | None, int]:
    """A connected Socket.IO test client; returns it, its participant id and its workshop."""
    socketio = world.app.extensions["socketio"]
    if actor == "facilitator":
        sio = socketio.test_client(
            world.app,
            namespace=NAMESPACE,
            auth={"role": "facilitator", "workshop_id": world.a},
            flask_test_client=world.facilitator,
        )
        pid, wid = None, world.a
    elif actor == "api_client":
        phone = world.phones["a_api"]
        sio = socketio.test_client(
            world.app, namespace=NAMESPACE, auth={"role": "participant", "token": phone.token}
        )
        pid, wid = phone.participant_id, phone.workshop_id
    else:
        phone = world.phones["a_bup" if actor == "phone_ws1" else "c_bup"]
        sio = socketio.test_client(
            world.app,
            namespace=NAMESPACE,
            auth={"role": "participant", "code": phone.code},
            flask_test_client=phone.client,
        )
        pid, wid = phone.participant_id, phone.workshop_id
    assert sio.is_connected(NAMESPACE), actor
    return sio, pid, wid


def assert_acknowledged(ack: Any) -> None:
    assert isinstance(ack, dict), f"no acknowledgement dict: {ack!r}"
    assert isinstance(ack.get("ok"), bool), f"acknowledgement without ok: {ack!r}"
    if not ack["ok"]:
        assert isinstance(ack.get("error"), str) and ack["error"], ack


def assert_sound(step: Step, pid: int | None, wid: int) -> None:
    """No broken invariant; nothing changed outside the sender's workshop; inside it only the
    sender's own rows changed; no participant appeared or vanished."""
    assert step.problems == []
    assert step.participants_after == step.participants_before
    for workshop, changed in step.changes.items():
        if workshop != wid or pid is None:
            raise AssertionError(f"workshop {workshop} changed: {changed[:3]}")
        for _table, items in changed:
            row = dict(items)
            if row.get("participant_id") is not None:
                assert row["participant_id"] == pid, f"another participant's row changed: {row}"


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("handler", HANDLERS)
def test_an_event_acknowledges_any_payload_and_the_database_stays_sound(
    worlds: Worlds, world: World, handler: str, actor: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A phone's vote rate limit (its own tests in tests/e2e) would otherwise refuse most
    # examples after the first few, and when depends on the wall clock.
    monkeypatch.setattr(live_events, "VOTES_PER_WINDOW", 10**9, raising=False)
    sio, pid, wid = connect(world, actor)
    name = handler.removeprefix("on_")
    fields = keys_read(getattr(JourneyNamespace, handler))
    watch = Watch(world.app)

    @settings(FUZZ, max_examples=scale(EXAMPLES, worlds.kind))
    @given(payload=payloads(fields, world.ids, world.strings))
    def send(payload: Any) -> None:
        ack = sio.emit(name, payload, namespace=NAMESPACE, callback=True)
        sio.get_received(NAMESPACE)
        assert_acknowledged(ack)
        OUTCOMES[(handler, actor)][ack.get("code", "ok")] += 1
        assert_sound(watch.step(), pid, wid)

    try:
        send()
    finally:
        sio.disconnect(NAMESPACE)


def test_connecting_with_any_auth_is_refused_unless_it_names_a_real_phone_or_console(
    worlds: Worlds, world: World
) -> None:
    socketio = world.app.extensions["socketio"]
    watch = Watch(world.app)
    words = [*world.strings, "participant", "facilitator", "projector"]
    auth_values = json_values(world.ids, words)
    # A number or boolean as auth makes the test client's CONNECT packet undecodable
    # (socketio/packet.py) before the namespace sees it: left out here. Over a real socket
    # the server answers such a CONNECT ("40/live,5") with a refusal and logs nothing.
    auths = st.one_of(
        auth_values.filter(lambda v: v is None or isinstance(v, dict | list | str)),
        st.fixed_dictionaries(
            {"role": st.sampled_from(["participant", "facilitator", "projector"])},
            optional={
                "code": st.one_of(st.sampled_from(sorted(world.codes.values())), auth_values),
                "token": auth_values,
                "workshop_id": auth_values,
                "lang": auth_values,
            },
        ),
    )
    clients = {
        "stranger": None,
        "phone": world.phones["a_bup"].client,
        "facilitator": world.facilitator,
    }

    @settings(FUZZ, max_examples=scale(CONNECT_EXAMPLES, worlds.kind))
    @given(auth=auths, who=st.sampled_from(sorted(clients)))
    def connect_with(auth: Any, who: str) -> None:
        sio = socketio.test_client(
            world.app, namespace=NAMESPACE, auth=auth, flask_test_client=clients[who]
        )
        connected = sio.is_connected(NAMESPACE)
        if connected:
            sio.disconnect(NAMESPACE)
        assert connected == _may_connect(world, auth, who), (auth, who)
        assert_sound(watch.step(), None, 0)

    connect_with()


def _may_connect(world: World, auth: Any, who: str) -> bool:
    """The namespace's rule: a phone by its own join cookie or a participant token, a logged-in
    facilitator or projector by a workshop that exists (an integer, not a boolean)."""
    if not isinstance(auth, dict):
        return False
    role = auth.get("role")
    if role == "participant":
        token = auth.get("token")
        if token is not None:
            return isinstance(token, str) and token in {p.token for p in world.phones.values()}
        code = auth.get("code")
        return who == "phone" and isinstance(code, str) and code.upper() == world.codes[world.a]
    if role in ("facilitator", "projector"):
        wid = auth.get("workshop_id")
        return (
            who == "facilitator"
            and isinstance(wid, int)
            and not isinstance(wid, bool)
            and wid in world.codes
        )
    return False
