"""Every form (every route that accepts POST), sent any fields by a logged-in facilitator with
a valid CSRF token or by a phone, answers without a server error and leaves the database sound.

The routes come from ``app.url_map`` and the fields of each from its view's source and the
templates' forms that post to it, so a new form is fuzzed as soon as it exists.
"""

from __future__ import annotations

import inspect
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from tests.fuzz.conftest import Worlds, scale
from tests.fuzz.files import uploads
from tests.fuzz.invariants import Step, Watch
from tests.fuzz.strategies import FUZZ, forms, keys_read, texts, weighted
from tests.fuzz.world import World, make_app

TEMPLATES = Path(__file__).parents[2] / "templates"
EXAMPLES = 25
# Forms that add a participant (the joined phone's own workshop gains one).
JOINS = {"join.pick", "survey.page", "api.join"}
# Forms with which a phone withdraws its answers and itself.
WITHDRAWALS = {"join.withdraw"}
# Forms that may legitimately remove or create whole workshops.
WHOLE_WORKSHOPS = {"facilitator.delete_workshop", "data.import_archive", "facilitator.new_workshop"}
# Console actions, named in the path (``/f/w/<wid>/live/<action>``).
LIVE_ACTIONS = [
    "open",
    "open-batch",
    "close",
    "close-all",
    "reveal",
    "hide-results",
    "current",
    "roll-call",
]


@cache
def post_rules() -> list[Rule]:
    """Every route that accepts POST, from a throwaway app's URL map."""
    app = make_app("sqlite://")
    try:
        rules = [r for r in app.url_map.iter_rules() if "POST" in (r.methods or ())]
        return sorted(rules, key=lambda r: r.rule)
    finally:
        app.extensions["db.engine"].dispose()


@cache
def view_functions() -> dict[str, Any]:
    app = make_app("sqlite://")
    try:
        return dict(app.view_functions)
    finally:
        app.extensions["db.engine"].dispose()


FORM = re.compile(r"<form\b(?P<attrs>[^>]*)>(?P<body>.*?)</form>", re.S)
ACTION = re.compile(r"""url_for\(\s*['"](?P<endpoint>[\w.]+)['"]""")
NAME = re.compile(r"""\bname=["'](?P<name>[\w-]+)["']""")
INCLUDE = re.compile(r"""{%-?\s*include\s+["'](?P<path>[^"']+)["']""")


def _template_names(body: str, depth: int = 0) -> set[str]:
    names = set(NAME.findall(body))
    if depth < 2:
        for path in INCLUDE.findall(body):
            included = TEMPLATES / path
            if included.exists():
                names |= _template_names(included.read_text(encoding="utf-8"), depth + 1)
    return names


@cache
def template_fields() -> dict[str, set[str]]:
    """Field names of each template form, by the endpoint its action posts to."""
    fields: dict[str, set[str]] = {}
    for path in TEMPLATES.rglob("*.html"):
        for form in FORM.finditer(path.read_text(encoding="utf-8")):
            if found := ACTION.search(form["attrs"]):
                fields.setdefault(found["endpoint"], set()).update(_template_names(form["body"]))
    return fields


def fields_of(endpoint: str) -> list[str]:
    """The fields a form has: read by its view (and the module's helpers it calls) and named
    in the templates' forms that post to it."""
    view = inspect.unwrap(view_functions()[endpoint])
    names = set(keys_read(view))
    module = inspect.getmodule(view)
    source = inspect.getsource(view)
    for helper_name in set(re.findall(r"\b(_?[a-z]\w*)\(", source)):
        helper = getattr(module, helper_name, None)
        if inspect.isfunction(helper) and helper.__module__ == view.__module__:
            names |= set(keys_read(helper))
    names |= template_fields().get(endpoint, set())
    return sorted(names - {"csrf_token"})


def reads_files(endpoint: str) -> bool:
    view = inspect.unwrap(view_functions()[endpoint])
    return "request.files" in inspect.getsource(view)


def url_values(rule: Rule, world: World) -> st.SearchStrategy[dict[str, Any]]:
    """Values for the rule's path: real ids of every workshop, ids of nothing, the join codes,
    the verification token, console actions, and garbage where the converter allows it."""
    parts: dict[str, st.SearchStrategy[Any]] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            parts[name] = weighted(
                [
                    (4, st.sampled_from(world.ids)),
                    (1, st.sampled_from([world.a, world.b, world.c])),
                    (1, st.sampled_from([2**31 - 1, 2**31, 2**63, 10**30, 0])),
                ]
            )
        elif isinstance(converter, AnyConverter):
            parts[name] = st.sampled_from(sorted(converter.items))
        elif name == "code":
            parts[name] = weighted(
                [
                    (4, st.sampled_from(sorted(world.codes.values()))),
                    (1, st.text("ACDEFGHJKMNPQRTUVWXY34679abc0", min_size=6, max_size=6)),
                ]
            )
        elif name == "token":
            parts[name] = weighted(
                [(4, st.just(world.verification_token)), (1, st.sampled_from(world.strings))]
            )
        else:
            parts[name] = weighted(
                [(4, st.sampled_from(LIVE_ACTIONS)), (1, texts().filter(lambda t: "/" not in t))]
            )
    return st.fixed_dictionaries(parts)


def client_for(world: World, rule: Rule) -> Any:
    """Facilitator pages are fuzzed logged in; the rest (joining, the survey, a verifier's
    note, the API) from a phone that joined workshop A."""
    if rule.rule.startswith(("/f/", "/login", "/logout")):
        return world.facilitator
    return world.phones["a_bup"].client


def _csrf(client: Any) -> str:
    with client.session_transaction() as sess:
        token = sess.get("csrf")
    if not isinstance(token, str):
        client.get("/login")
        with client.session_transaction() as sess:
            token = sess["csrf"]
    return token


def build_path(rule: Rule, values: dict[str, Any]) -> str:
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{re.escape(name)}>", str(value), path)
    return path


def assert_sound(step: Step, endpoint: str, path_workshop: int | None) -> None:
    assert step.problems == []
    if endpoint in WHOLE_WORKSHOPS:
        return
    grown = {
        w: step.participants_after.get(w, 0) - step.participants_before.get(w, 0)
        for w in set(step.participants_before) | set(step.participants_after)
    }
    if endpoint in JOINS | WITHDRAWALS:
        allowed = 1 if endpoint in JOINS else -1
        assert all(d in (0, allowed) for d in grown.values()), grown
        assert sum(abs(d) for d in grown.values()) <= 1, grown
    else:
        assert step.participants_after == step.participants_before
    if path_workshop is not None and not endpoint.startswith("projects."):
        for workshop, changed in step.changes.items():
            assert workshop == path_workshop, (
                f"a form of workshop {path_workshop} changed workshop {workshop}: {changed[:3]}"
            )


@pytest.mark.parametrize("rule", post_rules(), ids=lambda r: r.endpoint)
def test_a_form_answers_any_fields_without_a_server_error(
    worlds: Worlds, world: World, rule: Rule
) -> None:
    endpoint = rule.endpoint
    fields = fields_of(endpoint)
    files = uploads(world.seeds, ["Habilitering", "BUP", "Elevhälsa"], world.ids, world.strings)
    seen = {"version": worlds.version, "watch": Watch(world.app)}

    @settings(FUZZ, max_examples=scale(EXAMPLES, worlds.kind))
    @given(
        values=url_values(rule, world),
        form=forms(fields, world.ids, world.strings),
        upload=files if reads_files(endpoint) else st.none(),
        csrf_ok=weighted([(9, st.just(True)), (1, st.just(False))]),
        as_json=weighted([(4, st.just(False)), (1, st.just(True))]),
    )
    def post(
        values: dict[str, Any], form: dict[str, Any], upload: Any, csrf_ok: bool, as_json: bool
    ) -> None:
        current = worlds.get()  # a previous example may have deleted a workshop or logged out
        if worlds.version != seen["version"]:  # seeded or repaired: look again
            seen.update(version=worlds.version, watch=Watch(current.app))
        watch: Watch = seen["watch"]  # type: ignore[assignment]
        client = client_for(current, rule)
        data = dict(form)
        data["csrf_token"] = _csrf(client) if csrf_ok else "not-the-token"
        if upload is not None:
            data["file"] = (upload[0], upload[1])
        path = build_path(rule, values)
        headers = {"Accept": "application/json"} if as_json else {}
        if endpoint == "api.join":
            response = client.post(path, json=form, headers=headers)
        else:
            response = client.post(path, data=data, headers=headers)
        assert response.status_code < 500, (path, data, response.data[-600:])
        if not csrf_ok and not path.startswith("/api/"):
            assert response.status_code == 400, (path, response.status_code, response.data[-300:])
        wid = values.get("wid") if isinstance(values.get("wid"), int) else None
        step = watch.step()
        assert_sound(step, endpoint, wid)
        if not csrf_ok and not path.startswith("/api/"):
            assert step.changes == {}, step.changes

    post()


@pytest.mark.parametrize(
    "rule", [r for r in post_rules() if r.rule.startswith("/f/")], ids=lambda r: r.endpoint
)
def test_a_phone_posting_to_a_facilitator_form_changes_nothing(world: World, rule: Rule) -> None:
    phone = world.phones["a_bup"].client
    watch = Watch(world.app)
    values = {
        name: (world.a if name == "wid" else world.ids[-1])
        if isinstance(conv, IntegerConverter)
        else sorted(conv.items)[0]
        if isinstance(conv, AnyConverter)
        else "open"
        for name, conv in rule._converters.items()
    }
    fields = {name: "1" for name in fields_of(rule.endpoint)}
    response = phone.post(build_path(rule, values), data={**fields, "csrf_token": _csrf(phone)})
    assert response.status_code == 302 and "/login" in response.location, response.status_code
    step = watch.step()
    assert step.problems == [] and step.changes == {}


def test_the_field_discovery_finds_the_fields_of_known_forms() -> None:
    assert {"title", "date", "kind"} <= set(fields_of("facilitator.new_workshop"))
    assert {"organisation_id", "topic", "texts"} <= set(fields_of("facilitator.add_statements"))
    assert {"organisation_id", "display_name"} <= set(fields_of("join.pick"))
