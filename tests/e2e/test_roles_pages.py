"""The facilitator's roles pages and WS2 role validation, through HTTP and Socket.IO."""

from __future__ import annotations

import html
import re

from db import session_scope
from journey_maps import placing
from roles import services as roles
from tests.conftest import Ws2, join_ws2, live, page_data, post
from workshops import services, voting


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def base(ws2: Ws2) -> str:
    return f"/f/w/{ws2.workshop_id}/roles"


def create_validation(client, ws2: Ws2) -> str:
    response = post(client, f"{base(ws2)}/validation/statements", follow_redirects=True)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def role_statement(app, ws2: Ws2, code: str) -> int:
    with session_scope(app) as s:
        for outcome in roles.validation_outcomes(s, workshop_id=ws2.workshop_id):
            if outcome.role["code"] == code and outcome.statement_id is not None:
                return outcome.statement_id
    raise AssertionError(f"no validation statement for role {code}")


# --- The roles page --------------------------------------------------------------------------


def test_the_roles_page_needs_a_facilitator(client, ws2):
    response = client.get(base(ws2) + "/")
    assert response.status_code == 302 and "/login" in response.location


def test_every_role_is_a_card_with_its_function_and_examples_of_titles_under_it(logged_in, ws2):
    text = page(logged_in, base(ws2) + "/")
    assert text.count('class="role-card') == len(ws2.roles)
    card = text[text.index(f'id="r{ws2.roles["3"]}"') :]
    card = card[: card.index("</li>")]
    name = card.index("Den som möter och kommunicerar med barnet")
    examples = card.index("Exempel på titlar")
    assert name < examples
    assert "kurator" in card[examples:].lower()
    assert "Primära roller" in text and "Sekundära roller" in text


def test_the_optional_role_starts_left_out_and_can_be_taken_in(logged_in, ws2):
    card = f'id="r{ws2.roles["F"]}"'
    text = page(logged_in, base(ws2) + "/")
    assert re.search(r'class="role-card is-left-out"\s+' + card, text)

    post(logged_in, f"{base(ws2)}/{ws2.roles['F']}/included", {"included": "1"})
    text = page(logged_in, base(ws2) + "/")
    assert re.search(r'class="role-card "\s+' + card, text)


def test_leaving_out_a_placed_role_shows_the_reason(app, logged_in, ws2):
    _, pid = join_ws2(app, ws2, "BUP")
    with session_scope(app) as s:
        placing.place_role(
            s, participant_id=pid, role_id=ws2.roles["4"], stage_id=ws2.stages[1], client_id="p-4"
        )
    response = post(
        logged_in, f"{base(ws2)}/{ws2.roles['4']}/included", {"included": ""}, follow_redirects=True
    )
    assert "Rollen är placerad 1 gånger i patientresan" in response.get_data(as_text=True)
    with session_scope(app) as s:
        assert roles.get_role(s, ws2.workshop_id, ws2.roles["4"]).included


def test_the_page_shows_the_english_texts_in_english(logged_in, ws2):
    text = page(logged_in, base(ws2) + "/?lang=en")
    assert "Examples of titles" in text
    assert "The one who investigates and decides on support (SoL/LSS etc.)" in text


def test_a_role_is_edited_for_the_workshop_and_the_old_wording_restored(app, logged_in, ws2):
    rid = ws2.roles["10"]
    edit = f"{base(ws2)}/{rid}/edit"
    form = page(logged_in, edit)
    old = re.search(r'name="name_sv"[^>]*value="([^"]+)"', form)
    assert old is not None and "Inga tidigare formuleringar" in form
    response = post(
        logged_in,
        edit,
        {
            "name_sv": "Den som stärker familjen",
            "name_en": "The one who strengthens the family",
            "does_sv": "Stöttar föräldrar",
            "examples_sv": "familjebehandlare\nanhörigstöd",
            "tier": "secondary",
            "professional": "1",
        },
    )
    assert response.status_code == 302
    assert "Den som stärker familjen" in page(logged_in, base(ws2) + "/")
    form = page(logged_in, edit)
    assert old.group(1) in form and "Redigerad" in form
    with session_scope(app) as s:
        [revision] = roles.revisions(s, workshop_id=ws2.workshop_id, role_id=rid)
        assert (
            roles.get_role(s, ws2.workshop_id, rid).examples_sv == "familjebehandlare\nanhörigstöd"
        )
    post(logged_in, f"{base(ws2)}/{rid}/revisions/{revision.id}/restore")
    with session_scope(app) as s:
        assert roles.get_role(s, ws2.workshop_id, rid).name_sv == old.group(1)


def test_an_edit_without_a_name_keeps_what_was_typed_and_says_why(logged_in, ws2):
    response = post(
        logged_in,
        f"{base(ws2)}/{ws2.roles['10']}/edit",
        {"name_sv": " ", "does_sv": "Skrivet men inte sparat"},
    )
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    assert "Skriv rollens namn." in text and "Skrivet men inte sparat" in text


def test_a_custom_role_is_added_with_the_next_e_code(app, logged_in, ws2):
    response = post(
        logged_in,
        f"{base(ws2)}/new",
        {
            "name_sv": "Den som tolkar",
            "examples_sv": "tolk",
            "tier": "primary",
            "professional": "1",
        },
    )
    assert response.status_code == 302
    text = page(logged_in, base(ws2) + "/")
    assert "Den som tolkar" in text and 'aria-label="Roll E1"' in text and "Egen roll" in text


def test_a_custom_role_with_a_taken_name_is_refused_and_the_form_kept(logged_in, ws2):
    response = post(
        logged_in,
        f"{base(ws2)}/new",
        {"name_sv": "Den som utreder kliniskt", "does_sv": "Mitt utkast", "tier": "primary"},
    )
    assert response.status_code == 400
    text = html.unescape(response.get_data(as_text=True))
    assert "Det finns redan en roll som heter" in text and "Mitt utkast" in text


# --- Validation ------------------------------------------------------------------------------


def test_creating_the_validation_tells_how_many_and_only_once(app, logged_in, ws2):
    with session_scope(app) as s:
        included = len(roles.list_roles(s, ws2.workshop_id, included_only=True))
    assert f"{included} valideringspåståenden skapade" in create_validation(logged_in, ws2)
    assert "redan ett valideringspåstående" in create_validation(logged_in, ws2)
    prepare = page(logged_in, f"/f/w/{ws2.workshop_id}")
    assert prepare.count("Roll · ") == included


def test_the_console_list_gets_the_role_statements_with_their_cards(app, logged_in, ws2):
    create_validation(logged_in, ws2)
    data = logged_in.get(f"/f/w/{ws2.workshop_id}/statements.json").get_json()
    assert len(data["statements"]) == 15  # the 15 roles taken in; "F" starts left out
    first = data["statements"][0]
    assert first["topic"] == "role" and first["role"]["code"] == "1"
    assert first["state"] == "draft" and first["voted"] == 0


def test_a_phone_answers_a_role_with_a_comment_and_the_outcome_page_shows_it(app, logged_in, ws2):
    create_validation(logged_in, ws2)
    sid = role_statement(app, ws2, "5B")
    post(logged_in, f"/f/w/{ws2.workshop_id}/live/open", {"statement_id": sid})

    phone, _ = join_ws2(app, ws2, "Elevhälsa")
    sio = live(app, phone, role="participant", code=ws2.code)
    state = [e["args"][0] for e in sio.get_received("/live") if e["name"] == "state"][-1]
    shown = state["current"]
    assert shown["role"]["code"] == "5B" and shown["organisation"] == ""
    ack = sio.emit(
        "cast_vote",
        {
            "statement_id": sid,
            "choice": "no",
            "ballot_id": "ballot-5b-1",
            "comment": "Saknar LSS-handläggaren",
        },
        namespace="/live",
        callback=True,
    )
    assert ack["ok"] is True

    def outcome_item() -> str:
        text = page(logged_in, f"{base(ws2)}/validation")
        item = text[text.index(f'id="v{ws2.roles["5B"]}"') :]
        return item[: item.index('class="outcome-form')]

    # one answer is under the anonymity threshold: the comment without the answer it came with
    item = outcome_item()
    assert '<li class="comment"><span class="comment-text">Saknar LSS-handläggaren</span>' in item
    assert "✕" not in item and "1 · 100" not in item
    with session_scope(app) as session:
        services.set_anonymity_threshold(session, workshop_id=ws2.workshop_id, threshold=1)
    item = outcome_item()
    # the comment stands alone even then: no organisation, no name, and not the answer it came
    # with (a comment can tell who wrote it, and the answer would then be that person's vote)
    assert '<li class="comment"><span class="comment-text">Saknar LSS-handläggaren</span>' in item
    assert "comment-choice" not in item and "comment-no" not in item
    assert "1 · 100" in item  # the count and the share of No, in words and numbers
    assert "Behöver uppmärksamhet" in item


def test_the_outcome_page_lists_comments_alphabetically_not_by_answer_or_time(app, logged_in, ws2):
    create_validation(logged_in, ws2)
    sid = role_statement(app, ws2, "7")
    post(logged_in, f"/f/w/{ws2.workshop_id}/live/open", {"statement_id": sid})
    written = (("BUP", "yes", "Saknar skolan"), ("Elevhälsa", "no", "bra namn"))
    for n, (org, choice, comment) in enumerate(written):
        _, pid = join_ws2(app, ws2, org)
        with session_scope(app) as s:
            voting.cast_vote(
                s,
                participant_id=pid,
                statement_id=sid,
                choice=choice,
                ballot_id=f"ballot-7-{n}",
                comment=comment,
            )
    text = page(logged_in, f"{base(ws2)}/validation")
    item = text[text.index(f'id="v{ws2.roles["7"]}"') :]
    item = item[: item.index('class="outcome-form')]
    shown = re.findall(r'<span class="comment-text">([^<]*)</span>', item)
    assert shown == ["bra namn", "Saknar skolan"]


def test_an_unanswered_role_says_so_once_without_a_zero_count(logged_in, ws2):
    create_validation(logged_in, ws2)
    text = page(logged_in, f"{base(ws2)}/validation")
    item = text[text.index(f'id="v{ws2.roles["5B"]}"') :]
    item = item[: item.index('class="outcome-form')]
    assert item.count("Inga svar ännu") == 1
    assert "answers-n" not in item  # no "0 svar" above it


def test_the_outcome_page_before_any_validation_points_to_the_roles_page(logged_in, ws2):
    assert "Det finns ingen rollvalidering ännu" in page(logged_in, f"{base(ws2)}/validation")


def test_a_reworded_role_gets_the_new_wording_and_keeps_the_old_one(app, logged_in, ws2):
    create_validation(logged_in, ws2)
    rid = ws2.roles["7"]
    with session_scope(app) as s:
        role = roles.get_role(s, ws2.workshop_id, rid)
        old_name, examples = role.name_sv, role.examples_sv
    text = page(logged_in, f"{base(ws2)}/validation")
    assert f'value="{old_name}"' in text  # the rewording fields start from the current wording
    response = post(
        logged_in,
        f"{base(ws2)}/validation/{rid}",
        {
            "outcome": "reworded",
            "note": "Tydligare vem som kallar",
            "name_sv": "Den som kallar till SIP",
            "examples_sv": examples,
        },
        follow_redirects=True,
    )
    text = html.unescape(response.get_data(as_text=True))
    assert "Utfallet är sparat." in text and "Omformulerad i valideringen" in text
    with session_scope(app) as s:
        assert roles.get_role(s, ws2.workshop_id, rid).name_sv == "Den som kallar till SIP"
        [kept] = roles.revisions(s, workshop_id=ws2.workshop_id, role_id=rid)
        assert kept.name_sv == old_name and kept.reason == "validation"


def test_an_unchanged_rewording_is_refused_with_a_message(app, logged_in, ws2):
    create_validation(logged_in, ws2)
    rid = ws2.roles["7"]
    with session_scope(app) as s:
        role = roles.get_role(s, ws2.workshop_id, rid)
        same = {f: getattr(role, f) for f in ("name_sv", "name_en", "does_sv", "does_en")}
    response = post(
        logged_in,
        f"{base(ws2)}/validation/{rid}",
        {"outcome": "reworded", **same},
        follow_redirects=True,
    )
    assert "Skriv den nya lydelsen för att formulera om." in response.get_data(as_text=True)
    with session_scope(app) as s:
        assert roles.revisions(s, workshop_id=ws2.workshop_id, role_id=rid) == []


def test_an_agreed_role_is_recorded_with_its_note(app, logged_in, ws2):
    create_validation(logged_in, ws2)
    post(
        logged_in,
        f"{base(ws2)}/validation/{ws2.roles['2']}",
        {"outcome": "agreed", "note": "Stämmer"},
    )
    with session_scope(app) as s:
        [outcome] = [
            o
            for o in roles.validation_outcomes(s, workshop_id=ws2.workshop_id)
            if o.role["code"] == "2"
        ]
        assert (outcome.outcome, outcome.note) == ("agreed", "Stämmer")


def test_the_phone_page_carries_the_role_question_and_the_workshop_kind(app, ws2):
    phone, _ = join_ws2(app, ws2, "BUP")
    text = page(phone, f"/{ws2.code}/p")
    data = page_data(text)
    assert data["t"]["roles.question"].startswith("Stämmer rollen med verkligheten")
    assert data["t"]["explain.role.no"]
    assert data["kind"] in ("ws1", "ws2")  # "ws2" once the participant knows its workshop's kind


def test_the_ws2_prepare_page_leads_to_the_role_validation_instead_of_the_ws1_form(
    app, logged_in, ws2
):
    with session_scope(app) as s:
        services.get_workshop(s, ws2.workshop_id).everyone_may_answer = True
        s.commit()
    text = page(logged_in, f"/f/w/{ws2.workshop_id}")
    assert 'name="texts"' not in text  # the WS1 statement form (organisation, topic, perspective)
    assert "Alla får svara på alla påståenden" not in text
    assert f'href="{base(ws2)}/validation"' in text
    assert "Rollvalideringens påståenden skapas under Roller." in text

    # Saving the settings keeps the WS1 setting it does not show.
    hidden = re.search(r'name="everyone_may_answer" value="(\d)"', text)
    assert hidden is not None
    form = {"title": "WS2 i Angered", "target_group": "children", "anonymity_threshold": "3"}
    response = post(
        logged_in,
        f"/f/w/{ws2.workshop_id}/settings",
        {**form, "everyone_may_answer": hidden.group(1)},
    )
    assert response.status_code == 302
    with session_scope(app) as s:
        workshop = services.get_workshop(s, ws2.workshop_id)
        assert (workshop.title, workshop.everyone_may_answer) == ("WS2 i Angered", True)


def test_the_ws1_prepare_page_keeps_its_statement_form(logged_in, demo):
    text = page(logged_in, f"/f/w/{demo.workshop_id}")
    assert 'name="texts"' in text
    assert "Alla får svara på alla påståenden" in text


def test_every_workshop_tab_is_headed_by_the_workshops_title(logged_in, ws2, demo):
    """The tab bar names the page; the heading above it is always the workshop's title."""
    for wid in (demo.workshop_id, ws2.workshop_id):
        first = page(logged_in, f"/f/w/{wid}")
        title = re.search(r"<h1>([^<]+)</h1>", first)
        assert title is not None
        nav = re.search(r'<nav class="tabs[^"]*"[^>]*>(.*?)</nav>', first, re.S)
        assert nav is not None
        tabs = [
            href
            for href, attrs in re.findall(r'<a href="([^"]+)"([^>]*)>', nav.group(1))
            if "_blank" not in attrs  # the projector opens its own window
        ]
        assert len(tabs) >= 8
        for href in tabs:
            headings = re.findall(r"<h1[^>]*>(.*?)</h1>", page(logged_in, href), re.S)
            assert headings == [title.group(1)], (href, headings)


def test_ws2_results_and_discussion_tabs_lead_to_where_the_outcome_is(logged_in, ws2):
    """The WS1 results and queue leave role statements out: in WS2 they say where to look."""
    results = page(logged_in, f"/f/w/{ws2.workshop_id}/results")
    assert f'href="{base(ws2)}/validation"' in results
    assert f'href="/f/w/{ws2.workshop_id}/board"' in results
    assert "Inga svar ännu" not in results
    assert "Exportera som JSON" not in results
    queue = page(logged_in, f"/f/w/{ws2.workshop_id}/discuss")
    assert "I WS2 diskuteras rollerna på rollvalideringens sida" in queue
    assert f'href="{base(ws2)}/validation"' in queue


def test_the_ws2_running_order_names_each_role_in_the_interfaces_language(app, logged_in, ws2):
    create_validation(logged_in, ws2)
    with session_scope(app) as s:
        role = roles.get_role(s, ws2.workshop_id, ws2.roles["7"])
        sv, en = role.name_sv, role.name_en
    assert sv != en
    order = page(logged_in, f"/f/w/{ws2.workshop_id}?lang=en")
    listed = order[order.index('id="statements"') :]
    assert f"<p>{en}</p>" in listed and f"<p>{sv}</p>" not in listed
    order = page(logged_in, f"/f/w/{ws2.workshop_id}?lang=sv")
    assert f"<p>{sv}</p>" in order[order.index('id="statements"') :]
