"""The authorisation matrix: every route of ``app.url_map`` and every /live Socket.IO event,
asked by every actor of docs/security.md, is allowed or denied as one rules table says.

A route or event without a rule fails the test by name, so a new page cannot ship without
someone deciding who may use it. Every request is real (Flask's test client, Flask-SocketIO's
test client) against a world with real ids for every view argument, restored from a copy before
each request so that one request's effect (a deletion, a removal) never decides the next.
"""

from __future__ import annotations

import inspect
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from app import create_app
from db import session_scope
from journey_maps import moderation, placing, snapshots
from journey_maps import stages as journey_stages
from journey_maps.events import JourneyNamespace
from journey_maps.rows import JourneyEdit
from projects import services as project_services
from reports import verification
from reports.models import VerificationLink
from roles import services as role_services
from roles.models import RoleRevision
from workshops import services, survey, voting
from workshops.events import LiveNamespace
from workshops.models import Participant, StatementProposal, SurveyAnswer
from workshops.setup import prepare_ws2

# --- The actors and the rules ----------------------------------------------------------------

OUTSIDER = "outsider"  # anyone on the internet: may know a join code (it is on the projector)
PARTICIPANT = "participant"  # joined both workshops: the join cookie and its bearer token
VERIFIER = "verifier"  # holds a live /v/<token> link, no account and no join cookie
OTHER = "other facilitator"  # logged in, owns a workshop of their own, not these
OWNER = "owner"  # logged in, owns the workshops the requests are about
LEAD = "project lead"  # logged in, manages every workshop, project and account
ACTORS = (OUTSIDER, PARTICIPANT, VERIFIER, OTHER, OWNER, LEAD)

EVERYONE = frozenset(ACTORS)
PHONE = frozenset({PARTICIPANT})
LINK = frozenset({VERIFIER})
FACILITATORS = frozenset({OTHER, OWNER, LEAD})
MANAGERS = frozenset({OWNER, LEAD})
LEADS = frozenset({LEAD})

# Endpoint -> the actors it serves. Everyone else must be turned away (a 401, 403, 404 or 410,
# or a redirect to the login or join page). Endpoints with a ``wid`` are checked centrally
# (web._authorise); the rule for each is written out anyway, so that a change shows here.
ROUTE_RULES: dict[str, frozenset[str]] = {
    "static": EVERYONE,
    # login, logout and the phone's way in
    "auth.login": EVERYONE,
    "POST auth.login": FACILITATORS,  # each actor logs in with what it has: only accounts pass
    "auth.logout": EVERYONE,  # ends whatever session there is: harmless to anyone
    # a facilitator's own account: its password and its logins elsewhere
    "auth.account": FACILITATORS,
    "auth.change_password": FACILITATORS,
    "auth.end_other_logins": FACILITATORS,
    "join.enter_code": EVERYONE,
    "join.pick": EVERYONE,  # the organisation pick-list of a known code
    "join.qr": EVERYONE,
    "join.phone": PHONE,
    "join.leave": EVERYONE,  # forgets the caller's own join cookie, nothing else
    "join.withdraw": PHONE,
    "join.withdrawn": EVERYONE,  # a static "your answers are gone" page
    "join.closed": EVERYONE,  # "the workshop is deleted"; forgets only the caller's dead place
    "journey_phone.page": PHONE,
    "survey.page": EVERYONE,  # the survey's own join form while it is open
    "survey.answer": PHONE,
    "survey.propose": PHONE,
    "survey.withdraw": PHONE,
    # the JSON API
    "api.workshop": EVERYONE,
    "api.join": EVERYONE,
    "api.statements": PHONE | MANAGERS,
    "api.state": PHONE,
    "api.workshop_results": MANAGERS,
    # the verifier's link
    "verify.report": LINK,
    "verify.report_pdf": LINK,
    "verify.add_note": LINK,
    # any facilitator: their own dashboard, a new workshop, an imported archive (they own it)
    "facilitator.dashboard": FACILITATORS,
    "facilitator.new_workshop": FACILITATORS,
    "data.import_form": FACILITATORS,
    "data.import_archive": FACILITATORS,
    # project leads only
    **{
        f"projects.{name}": LEADS
        for name in (
            "index",
            "create",
            "overview",
            "edit",
            "delete",
            "add_workshop",
            "remove_workshop",
            "bundle",
            "overview_document",
        )
    },
    **{f"accounts.{name}": LEADS for name in ("index", "create", "hand_over", "reset_password")},
    # The log of facilitator actions (workshops/audit_views.py): every facilitator reads it,
    # narrowed to what concerns them unless a lead (tests/integration/test_audit.py).
    "audit.page": FACILITATORS,
}
# Every page of one workshop: its owner and the project leads.
WORKSHOP_BLUEPRINTS = (
    "facilitator",
    "roles",
    "journey",
    "journey_files",
    "reports",
    "verification",
    "data",
    "survey",
)

# /live: "connect" is the connection itself (each actor connects as what it is); the other
# events are asked on that connection.
EVENT_RULES: dict[str, frozenset[str]] = {
    "connect": PHONE | MANAGERS,
    "sync": PHONE | MANAGERS,
    "cast_vote": PHONE,
    "here": PHONE,
    "journey_sync": PHONE | MANAGERS,
    "journey_place": PHONE,
    "journey_withdraw": PHONE,
    "journey_react": PHONE,
    "journey_handoff": PHONE,
    "journey_withdraw_handoff": PHONE,
}
REFUSED_CODES = {"error.not_joined"}


def route_rule(rule: Rule, method: str = "GET") -> frozenset[str] | None:
    """The actors ``rule`` serves: its own entry (for one method, else for all), else MANAGERS
    for a workshop's page."""
    for key in (f"{method} {rule.endpoint}", rule.endpoint):
        if key in ROUTE_RULES:
            return ROUTE_RULES[key]
    if "wid" in rule.arguments and rule.endpoint.split(".")[0] in WORKSHOP_BLUEPRINTS:
        return MANAGERS
    return None


def live_events() -> set[str]:
    """Every event the /live namespace handles: its classes' ``on_<event>`` methods."""
    return {
        name.removeprefix("on_")
        for cls in (LiveNamespace, JourneyNamespace)
        for name, _ in inspect.getmembers(cls, inspect.isfunction)
        if name.startswith("on_")
    }


# --- The world -------------------------------------------------------------------------------

PASSWORD = "a-long-test-password"


@dataclass
class World:
    app: Flask
    database: Path
    copy: Path
    facilitators: dict[str, int]
    ws1: int
    ws2: int
    codes: dict[int, str]
    tokens: dict[int, str]  # workshop id -> the participant's token
    link_token: str
    ids: dict[str, int] = field(default_factory=dict)

    def restore(self) -> None:
        """Put the database back as it was built: every case starts from the same state."""
        self.app.extensions["db.engine"].dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.database}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.copy, self.database)


def _build(app: Flask) -> dict[str, Any]:
    with session_scope(app) as s:
        fids = {
            actor: services.create_facilitator(
                s, email=f"{i}@example.org", name=actor, password=PASSWORD, is_lead=actor == LEAD
            )
            for i, actor in enumerate((OTHER, OWNER, LEAD))
        }
        services.create_workshop(
            s, owner_id=fids[OTHER], title="Other's", date=None, target_group="adults"
        )
        ws1 = services.create_workshop(
            s, owner_id=fids[OWNER], title="WS1", date=None, target_group="children"
        )
        hab = services.add_organisation(s, workshop_id=ws1, name="Habilitering", principal="region")
        bup = services.add_organisation(s, workshop_id=ws1, name="BUP", principal="region")
        own = services.add_statements(
            s,
            workshop_id=ws1,
            organisation_id=hab,
            topic="target_group",
            perspective="own",
            texts=["Barn och unga 0–18 år"],
        )
        survey.set_survey_open(s, workshop_id=ws1, is_open=True)
        phone1 = voting.join(s, workshop_id=ws1, organisation_id=bup, display_name=None)
        proposed = survey.propose(
            s,
            participant_id=voting.participant_for_token(s, phone1.token).id,  # type: ignore[union-attr]
            organisation_id=hab,
            topic="mandate",
            text="Stödsamtal",
            client_id="proposal-1",
        )
        version = verification.publish_version(s, workshop_id=ws1, note=None)
        link = verification.create_link(s, workshop_id=ws1, organisation_id=hab)
        verification.open_link(s, link)
        note = verification.add_note(
            s, link, item_key=f"statement:{own[0]}", kind="comment", text="Nja", version=version
        )
        project = project_services.create_project(s, name="Serien")
        project_services.assign_workshop(s, project_id=project, workshop_id=ws1)

        ws2 = services.create_workshop(
            s, owner_id=fids[OWNER], title="WS2", date=None, target_group="children", kind="ws2"
        )
        prepare_ws2(s, workshop_id=ws2)
        org2 = services.add_organisation(s, workshop_id=ws2, name="BUP", principal="region")
        journey_stages.set_journey_open(s, workshop_id=ws2, is_open=True)
        phone2 = voting.join(s, workshop_id=ws2, organisation_id=org2, display_name=None)
        pid2 = voting.participant_for_token(s, phone2.token).id  # type: ignore[union-attr]
        roles = {r.code: r.id for r in role_services.list_roles(s, ws2)}
        role_services.update_role(
            s, workshop_id=ws2, role_id=roles["3"], texts=role_services.RoleTexts("Möter", "Meets")
        )
        stage_ids = [st.id for st in journey_stages.stages(s, ws2)]
        transition = journey_stages.transitions(s, ws2)[0]
        placed = [
            placing.place_role(
                s,
                participant_id=pid2,
                role_id=roles[code],
                stage_id=stage,
                client_id=f"place-{code}",
            ).id
            for code, stage in (("3", transition.source_id), ("4", transition.target_id))
        ]
        handoff = placing.record_handoff(
            s,
            participant_id=pid2,
            transition_id=transition.id,
            from_role_id=roles["3"],
            to_role_id=roles["4"],
            client_id="handoff-1",
        ).id
        moderation.edit_placement(
            s,
            workshop_id=ws2,
            placement_id=placed[0],
            stage_id=transition.source_id,
            organisation_id=None,
            needs="Tid",
            obstacles=None,
            facilitator_id=fids[OWNER],
        )
        snapshot = snapshots.save_snapshot(
            s, workshop_id=ws2, kind="as_is", label="Nuläge", facilitator_id=fids[OWNER]
        )
        return {
            "facilitators": fids,
            "ws1": ws1,
            "ws2": ws2,
            "codes": {
                ws1: services.get_workshop(s, ws1).join_code,
                ws2: services.get_workshop(s, ws2).join_code,
            },
            "tokens": {ws1: phone1.token, ws2: phone2.token},
            "link_token": link,
            "ids": {
                "hab": hab,
                "oid": bup,
                "statement": own[0],
                "proposal": proposed.id,
                "number": version,
                "note_id": note,
                "link_id": s.scalar(select(VerificationLink.id)),
                "project": project,
                "rid": roles["3"],
                "rev": s.scalar(select(RoleRevision.id)),
                "stage": stage_ids[1],
                "tid": transition.id,
                "placement": placed[1],
                "hid": handoff,
                "eid": s.scalar(select(JourneyEdit.id)),
                "snapshot": snapshot,
            },
        }


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("authz")
    database = folder / "world.sqlite3"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": f"sqlite:///{database}",
            "DATABASE_SCHEMA": "create_all",
            "SOCKETIO_ASYNC_MODE": "threading",
            "BROADCAST_INTERVAL": 0.0,
        }
    )
    built = _build(app)
    app.extensions["db.engine"].dispose()
    copy = folder / "world.copy.sqlite3"
    shutil.copyfile(database, copy)
    yield World(app=app, database=database, copy=copy, **built)
    app.extensions["db.engine"].dispose()


# --- Requests as each actor ------------------------------------------------------------------


def client_for(world: World, actor: str) -> FlaskClient:
    """A browser of ``actor``: logged in, joined, or nothing at all."""
    client = world.app.test_client()
    client.get("/login")  # the session's CSRF token, as any page view makes it
    with client.session_transaction() as sess:
        if actor in world.facilitators:
            fid = world.facilitators[actor]
            with session_scope(world.app) as s:
                sess["fid"], sess["login"] = fid, services.start_login(s, fid)
        if actor == PARTICIPANT:
            sess["pt"] = {world.codes[w]: token for w, token in world.tokens.items()}
    return client


def _workshop_of(endpoint: str, world: World) -> int:
    blueprint = endpoint.split(".")[0]
    return world.ws2 if blueprint in ("journey", "journey_files", "roles") else world.ws1


def url_values(rule: Rule, world: World, actor: str) -> dict[str, Any]:
    """A real value for every argument of ``rule``: the ids of the world's rows."""
    blueprint = rule.endpoint.split(".")[0]
    ids = world.ids
    wid = _workshop_of(rule.endpoint, world)
    if rule.endpoint == "journey_phone.page":
        wid = world.ws2
    by_blueprint = {
        "projects": {"pid": ids["project"], "wid": world.ws1},
        "journey": {"pid": ids["placement"], "sid": ids["stage"]},
        "journey_files": {"sid": ids["snapshot"], "name": "findings.csv"},
        "survey": {"pid": ids["proposal"], "decision": "reject"},
        "facilitator": {"sid": ids["statement"], "action": "close-all"},
        "data": {"name": "statements.csv"},
    }
    values: dict[str, Any] = {
        "wid": wid,
        "code": world.codes[wid],
        # the link is the verifier's capability; anyone else can only guess one
        "token": world.link_token if actor == VERIFIER else "not-the-link-" + "x" * 30,
        "filename": "css/app.css",
        **{k: ids[k] for k in ("oid", "rid", "rev", "tid", "hid", "eid", "note_id", "link_id")},
        "number": ids["number"],
        **by_blueprint.get(blueprint, {}),
    }
    missing = sorted(set(rule.arguments) - set(values))
    assert not missing, f"{rule.endpoint}: no value for {missing} (add one to url_values)"
    return {name: values[name] for name in rule.arguments}


def form_for(world: World, actor: str, endpoint: str) -> dict[str, Any]:
    """A form that would do something when the actor may: a refusal then cannot hide behind
    a form that fails anyway."""
    if endpoint == "auth.login":
        index = list(world.facilitators).index(actor) if actor in world.facilitators else 9
        return {"email": f"{index}@example.org", "password": PASSWORD}
    if endpoint == "join.enter_code":
        return {"code": world.codes[world.ws1]}
    return {
        "survey.answer": {"statement_id": world.ids["statement"], "choice": "yes"},
        "survey.propose": {
            "organisation_id": world.ids["hab"],
            "topic": "mandate",
            "text": "Samordning",
            "client_id": "proposal-matrix",
        },
    }.get(endpoint, {})


def request_as(world: World, actor: str, rule: Rule, method: str) -> Any:
    client = client_for(world, actor)
    with world.app.test_request_context():
        url = url_for(rule.endpoint, **url_values(rule, world, actor))
    headers = {}
    if actor == PARTICIPANT:
        headers["Authorization"] = f"Bearer {world.tokens[world.ws1]}"
    if method == "GET":
        return client.get(url, headers=headers)
    with client.session_transaction() as sess:
        token = sess["csrf"]
    if rule.endpoint.startswith("api."):
        return client.post(url, json={"code": world.codes[world.ws1]}, headers=headers)
    form = form_for(world, actor, rule.endpoint)
    return client.post(url, data={**form, "csrf_token": token}, headers=headers)


def _rows(world: World, model: Any, *where: Any) -> int:
    with session_scope(world.app) as s:
        return len(s.scalars(select(model).where(*where)).all())


# A phone's writes answer a phone that has not joined with a redirect to the survey or join
# page, just as they answer a joined phone: whether the write happened tells them apart.
EFFECTS: dict[str, Callable[[World], bool]] = {
    "survey.answer": lambda w: _rows(w, SurveyAnswer) > 0,
    "survey.propose": lambda w: _rows(w, StatementProposal) > 1,
    "survey.withdraw": lambda w: _rows(w, StatementProposal) == 0,
    "join.withdraw": lambda w: _rows(w, Participant) < len(w.tokens),
}


def refused(response: Any, world: World, rule: Rule, method: str) -> bool:
    """Turned away: not found, not allowed, gone, sent to log in (``?next=``) or, from a phone's
    page, to join first; for a phone's write, nothing written."""
    if response.status_code in (401, 403, 404, 410):
        return True
    location = response.location or "" if response.status_code in (302, 303) else ""
    if "/login?next=" in location:
        return True
    if route_rule(rule, method) != PHONE:
        return False
    if method == "POST" and rule.endpoint in EFFECTS:
        return not EFFECTS[rule.endpoint](world)
    join_pages = {f"/{code}" for code in world.codes.values()}
    join_pages |= {f"{page}/survey" for page in join_pages}
    return location.split("#")[0].rstrip("/") in join_pages


def cases(world: World) -> Iterator[tuple[Rule, str]]:
    for rule in sorted(world.app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


# --- The tests -------------------------------------------------------------------------------


def test_every_route_has_a_rule(world: World) -> None:
    missing = sorted({r.endpoint for r in world.app.url_map.iter_rules() if route_rule(r) is None})
    assert not missing, f"routes without an authorisation rule: {', '.join(missing)}"
    known = {r.endpoint for r in world.app.url_map.iter_rules()}
    stale = sorted(key for key in ROUTE_RULES if key.split()[-1] not in known)
    assert not stale, f"rules for routes that no longer exist: {', '.join(stale)}"


def test_every_live_event_has_a_rule() -> None:
    missing = sorted(live_events() - set(EVENT_RULES))
    assert not missing, f"/live events without an authorisation rule: {', '.join(missing)}"
    stale = sorted(set(EVENT_RULES) - live_events())
    assert not stale, f"rules for /live events that no longer exist: {', '.join(stale)}"


@pytest.mark.parametrize("actor", ACTORS)
def test_every_route_answers_each_actor_as_the_rules_say(world: World, actor: str) -> None:
    wrong = []
    for rule, method in cases(world):
        allowed = route_rule(rule, method)
        if allowed is None:
            continue  # test_every_route_has_a_rule names it
        world.restore()
        response = request_as(world, actor, rule, method)
        # 503 is a page's own "Graphviz is not installed here": the request got through
        assert response.status_code != 500, f"{method} {rule.rule} as {actor}: server error"
        expected = actor in allowed
        if refused(response, world, rule, method) == expected:
            verdict = "refused" if expected else f"allowed ({response.status_code})"
            wrong.append(f"{method} {rule.endpoint} ({rule.rule}): {verdict}")
    assert not wrong, f"as {actor}:\n" + "\n".join(wrong)


# --- Socket.IO -------------------------------------------------------------------------------


def _connect(world: World, actor: str) -> Any:
    """The /live connection ``actor`` would open: a phone by its code, a console for the
    workshop; someone with neither tries both."""
    socketio = world.app.extensions["socketio"]
    client = client_for(world, actor)
    attempts: list[dict[str, Any]] = []
    if actor in (PARTICIPANT, OUTSIDER, VERIFIER):
        attempts.append({"role": "participant", "code": world.codes[world.ws2]})
    if actor != PARTICIPANT:
        for role in ("facilitator", "projector"):
            attempts.append({"role": role, "workshop_id": world.ws2})
    for auth in attempts:
        sio = socketio.test_client(
            world.app, namespace="/live", auth=auth, flask_test_client=client
        )
        if sio.is_connected("/live"):
            return sio
    return None


EVENT_PAYLOADS: dict[str, Callable[[World], dict[str, Any]]] = {
    "cast_vote": lambda w: {"statement_id": w.ids["statement"], "choice": "yes", "ballot_id": "b1"},
    "journey_place": lambda w: {
        "role_id": w.ids["rid"],
        "stage_id": w.ids["stage"],
        "client_id": "place-matrix",
    },
    "journey_withdraw": lambda w: {"placement_id": w.ids["placement"]},
    "journey_react": lambda w: {"placement_id": w.ids["placement"], "kind": "agree"},
    "journey_handoff": lambda w: {"transition_id": w.ids["tid"], "client_id": "handoff-matrix"},
    "journey_withdraw_handoff": lambda w: {"handoff_id": w.ids["hid"]},
}


@pytest.mark.parametrize("actor", ACTORS)
def test_every_live_event_answers_each_actor_as_the_rules_say(world: World, actor: str) -> None:
    wrong = []
    for event in sorted(live_events()):
        allowed = EVENT_RULES.get(event)
        if allowed is None:
            continue  # test_every_live_event_has_a_rule names it
        world.restore()
        sio = _connect(world, actor)
        if event == "connect":
            accepted = sio is not None
        elif sio is None:
            accepted = False
        else:
            payload = EVENT_PAYLOADS.get(event, lambda w: {})(world)
            ack = sio.emit(event, payload, namespace="/live", callback=True)
            assert isinstance(ack, dict), f"{event} as {actor}: no acknowledgement"
            accepted = ack.get("code") not in REFUSED_CODES
        if sio is not None:
            sio.disconnect(namespace="/live")
        if accepted != (actor in allowed):
            wrong.append(f"{event}: {'accepted' if accepted else 'refused'}")
    assert not wrong, f"as {actor}:\n" + "\n".join(wrong)
