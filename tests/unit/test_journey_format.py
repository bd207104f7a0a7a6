"""The brygga.journey/1 exchange format: parsing, validation and writing back."""

import copy
import json
from pathlib import Path

import pytest

from journey_maps.format import (
    DEFAULT_STAGES,
    FORMAT,
    Handoff,
    JourneyFormatError,
    Placement,
    default_journey,
    journey_to_dict,
    load_journey,
    parse_journey,
    with_handoff,
    with_placement,
    without_role,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "journeys"
VALID = ["bridges", "boundary_owners", "loops_pingpong", "demo_children"]
ROOT = Path(__file__).parent.parent.parent


def raw(name):
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def small(**changes):
    document = {
        "format": FORMAT,
        "title": "Exempel",
        "target_group": "children",
        "stages": [
            {"id": "s1", "label": "Oro / tidiga tecken"},
            {"id": "s2", "label": "Första kontakt"},
        ],
        "transitions": [{"from": "s1", "to": "s2"}, {"from": "s2", "to": "s1", "kind": "back"}],
        "roles": [
            {"id": "4", "label": "Den som bedömer och styr vidare", "tier": "primary",
             "professional": True},
            "3",
            {"id": "7"},
        ],
        "placements": [
            {"role": "3", "stage": "s1", "organisation": "Elevhälsa", "principal": "municipality"},
            {"role": "4", "stage": "s2", "organisation": "BUP", "principal": "region"},
        ],
        "handoffs": [
            {"from_stage": "s1", "from_role": "3", "to_stage": "s2", "to_role": "4",
             "acknowledged": False, "mode": "remiss"},
        ],
        "owners": [{"from": "s1", "to": "s2", "role": "7"}],
    }  # fmt: skip
    document.update(changes)
    return document


def problems(document):
    with pytest.raises(JourneyFormatError) as caught:
        parse_journey(document)
    return caught.value.messages


def test_the_keys_of_the_issue_example_parse_into_a_journey():
    journey = parse_journey(small())
    assert [s.id for s in journey.stages] == ["s1", "s2"]
    assert [(t.name, t.kind) for t in journey.transitions] == [
        ("s1>s2", "forward"),
        ("s2>s1", "back"),
    ]
    assert journey.handoffs[0] == Handoff("s1", "3", "s2", "4", acknowledged=False, mode="remiss")
    assert journey.owners_at[("s1", "s2")] == ("7",)


def test_a_role_named_only_by_its_code_takes_the_catalogues_label_tier_and_kind():
    journey = parse_journey(small(roles=["5B", {"id": "2"}, "3", "4", "7"]))
    five_b, two = journey.role_by_id["5B"], journey.role_by_id["2"]
    assert five_b.label == "Den som utreder och beslutar om insats/bistånd (SoL/LSS m.fl.)"
    assert (five_b.tier, five_b.professional) == ("primary", True)
    assert two.professional is False
    assert journey.role_by_id["7"].coordinating is True


def test_keys_given_for_a_catalogue_role_override_the_catalogue_for_this_map():
    journey = parse_journey(small())
    assert journey.role_by_id["4"].label == "Den som bedömer och styr vidare"


def test_an_adult_map_takes_the_adult_wording_of_the_catalogue():
    journey = parse_journey(small(target_group="adults", roles=["2", "3", "4", "7"]))
    assert journey.role_by_id["2"].label == "Den som finns i personens vardag (familj/nätverk)"


def test_a_custom_role_needs_a_label_and_a_tier():
    custom = {"id": "kurator-x", "label": "Skolkurator", "tier": "primary"}
    journey = parse_journey(small(roles=["3", "4", "7", custom]))
    assert journey.role_by_id["kurator-x"].professional is True
    assert problems(small(roles=["3", "4", "7", {"id": "kurator-x"}])) == [
        "roles[3]: role 'kurator-x' is not in the catalogue: give 'label'",
        "roles[3]: role 'kurator-x' is not in the catalogue: give 'tier'",
    ]


def test_every_problem_in_a_broken_document_is_listed_at_once():
    assert problems(raw("invalid")) == [
        "format must be 'brygga.journey/1', got 'brygga.journey/2'",
        "stages[1]: duplicate stage id 's1'",
        "stages[2]: missing key 'label'",
        "transitions[0]: unknown stage 's9' in 'to' (known: s1, s2)",
        "transitions[1]: a transition must join two different stages",
        "roles[2]: role 'x-kurator' is not in the catalogue: give 'label'",
        "roles[2]: role 'x-kurator' is not in the catalogue: give 'tier'",
        "roles[3]: id must be a string of letters, digits, '_', '.' or '-', got 7 (write \"7\")",
        "placements[0]: principal 'kommunen' is not one of region, municipality, school, private, "
        "civil_society, state",
        "placements[1]: duplicate placement of role '3' at 's1' by 'Elevhälsa'",
        "placements[2]: unknown role '99' (known: 3, 4, x-kurator)",
        "handoffs[0]: unknown key(s) acknowleged (allowed: from_stage, from_role, to_stage, "
        "to_role, acknowledged, mode, evidence, notes, id)",
        "handoffs[0]: role '4' is not placed on stage 's2'",
        "owners[0]: unknown role '7' (known: 3, 4, x-kurator)",
        "owners[0]: unknown transition s1>s2",
    ]


def test_a_mode_longer_than_the_limit_is_listed_with_the_other_problems_never_cut():
    from journey_maps.model import MODE_LIMIT

    document = small()
    document["handoffs"][0]["mode"] = "följer med till besöket " * 6
    document["stages"][1]["label"] = ""
    assert problems(document) == [
        "stages[1]: 'label' must be a non-empty string",
        f"handoffs[0]: 'mode' is 144 characters long, at most {MODE_LIMIT} allowed",
    ]
    document = small()
    document["handoffs"][0]["mode"] = "x" * MODE_LIMIT
    assert parse_journey(document).handoffs[0].mode == "x" * MODE_LIMIT


def test_a_stage_or_transition_name_longer_than_a_table_keeps_is_listed_never_cut():
    from journey_maps.model import KIND_LIMIT, LABEL_LIMIT

    document = small()
    document["stages"][0]["label"] = "Å" * (LABEL_LIMIT + 1)
    document["stages"][0]["kind"] = "k" * (KIND_LIMIT + 1)
    document["transitions"] = [{"from": "s1", "to": "s2", "label_en": "e" * (LABEL_LIMIT + 5)}]
    assert problems(document) == [
        f"stages[0]: 'label' is {LABEL_LIMIT + 1} characters long, at most {LABEL_LIMIT} allowed",
        f"stages[0]: 'kind' is {KIND_LIMIT + 1} characters long, at most {KIND_LIMIT} allowed",
        f"transitions[0]: 'label_en' is {LABEL_LIMIT + 5} characters long, at most "
        f"{LABEL_LIMIT} allowed",
    ]


def test_a_handoff_whose_giving_role_is_not_placed_on_its_stage_is_refused():
    document = small()
    document["handoffs"][0]["from_role"] = "7"
    assert problems(document) == ["handoffs[0]: role '7' is not placed on stage 's1'"]


def test_a_handoff_must_cross_a_transition_of_the_map():
    document = small(transitions=[{"from": "s2", "to": "s1", "kind": "back"}], owners=[])
    assert problems(document) == ["handoffs[0]: there is no transition s1>s2 to hand over across"]


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("stages", "stages[2]: duplicate stage id 's2'"),
        ("transitions", "transitions[2]: duplicate transition s2>s1"),
        ("roles", "roles[3]: duplicate role id '7'"),
        ("placements", "placements[2]: duplicate placement of role '4' at 's2' by 'BUP'"),
        ("handoffs", "handoffs[1]: duplicate handoff 3@s1 → 4@s2"),
        ("owners", "owners[1]: duplicate owner '7' of s1>s2"),
    ],
)
def test_a_duplicate_entry_is_refused(section, message):
    document = small()
    document[section].append(copy.deepcopy(document[section][-1]))
    assert problems(document) == [message]


def test_missing_top_level_keys_are_named():
    assert problems({"format": FORMAT}) == [
        "missing key 'title'",
        "missing key 'target_group'",
        "missing key 'stages'",
        "missing key 'roles'",
    ]


def test_unknown_keys_are_refused_so_a_typo_cannot_change_the_analysis_silently():
    document = small(placement=[])
    assert problems(document)[0].startswith("unknown key(s) placement (allowed: format, title")


def test_a_document_that_is_not_an_object_is_refused():
    assert problems(["not", "a", "journey"]) == ["the document must be a JSON object"]


def test_a_file_that_is_not_json_gives_a_format_error(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(JourneyFormatError, match="not valid JSON"):
        load_journey(path)


@pytest.mark.parametrize("name", VALID)
def test_writing_a_journey_and_reading_it_back_gives_the_same_journey(name):
    journey = load_journey(FIXTURES / f"{name}.json")
    document = journey_to_dict(journey)
    assert parse_journey(document) == journey
    assert journey_to_dict(parse_journey(document)) == document
    assert json.loads(json.dumps(document, ensure_ascii=False)) == document


def test_a_document_in_full_form_is_written_back_key_for_key():
    document = journey_to_dict(parse_journey(small()))
    again = json.loads(json.dumps(document))
    assert journey_to_dict(parse_journey(again)) == again
    assert again["roles"][1] == {
        "id": "3",
        "label": "Den som möter och kommunicerar med barnet",
        "tier": "primary",
        "professional": True,
        "coordinating": False,
        "label_en": "The one who meets and communicates with the child",
    }


def test_the_default_template_goes_from_concern_to_closure_with_two_ways_back():
    journey = default_journey()
    assert [s.label for s in journey.stages] == [sv for _, sv, _, _ in DEFAULT_STAGES]
    assert journey.stages[0].label_en == "Concern / early signs"
    assert journey.stages[-1].label_en == "Follow-up and closure"
    back = [(t.name, t.label, t.label_en) for t in journey.transitions if t.kind == "back"]
    assert back == [
        ("s3>s2", "Hänvisas tillbaka", "Referred back"),
        ("s5>s2", "Kontakten tappas", "Contact lost"),
    ]
    assert len([t for t in journey.transitions if t.kind == "forward"]) == 6


def test_removing_a_role_removes_its_placements_handoffs_and_ownership():
    journey = without_role(parse_journey(small()), "4")
    assert "4" not in journey.role_by_id
    assert journey.placements == (Placement("3", "s1", "Elevhälsa", "municipality"),)
    assert journey.handoffs == () and journey.owners_at[("s1", "s2")] == ("7",)


def test_adding_a_placement_or_handoff_is_validated_like_a_file():
    journey = parse_journey(small())
    with pytest.raises(JourneyFormatError, match="unknown stage 's9'"):
        with_placement(journey, Placement("3", "s9"))
    with pytest.raises(JourneyFormatError, match="role '7' is not placed on stage 's1'"):
        with_handoff(journey, Handoff("s1", "7", "s2", "4"))


def test_the_example_in_the_format_documentation_is_a_valid_journey():
    text = (ROOT / "docs" / "journey-format.md").read_text(encoding="utf-8")
    example = text.split("```json", 1)[1].split("```", 1)[0]
    journey = parse_journey(json.loads(example))
    assert journey.role_by_id["skolkurator"].coordinating is True
    assert journey.role_by_id["4"].label == "Den som bedömer och styr vidare"
