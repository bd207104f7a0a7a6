"""The gap analysis on hand-built journeys with known answers."""

import json
from pathlib import Path

import pytest

from journey_maps.analysis import (
    FINDING_CODES,
    HONESTY_EN,
    HONESTY_SV,
    SEVERITIES,
    compare_reports,
    comparison_to_dict,
    gap_report,
    report_to_dict,
    what_if_add_handoff,
    what_if_remove_role,
)
from journey_maps.format import FORMAT, Handoff, default_journey, load_journey, parse_journey

FIXTURES = Path(__file__).parent.parent / "fixtures" / "journeys"
HAND_BUILT = ["bridges", "boundary_owners", "loops_pingpong"]


def journey(name):
    return load_journey(FIXTURES / f"{name}.json")


def report(name):
    return gap_report(journey(name))


def ks(name):
    return {
        r.name: (r.k, r.k_with_person, r.cut, r.single_points) for r in report(name).transitions
    }


EXPECTED = {
    "bridges": [
        ("critical", "a6>a7:unbridged"),
        ("critical", "a5>a6:patient_carries"),
        ("high", "a1>a2:single_point:3"),
        ("high", "a2>a3:single_point:4"),
        ("high", "a4>a5:single_point:10"),
        ("high", "journey:thread_broken"),
        ("medium", "a2>a3:implicit_only"),
        ("medium", "a4>a5:implicit_only"),
        ("medium", "a3>a4:unacknowledged:5>10"),
        ("medium", "role:6:isolated_role"),
        ("medium", "role:8:isolated_role"),
        ("medium", "role:12:isolated_role"),
    ],
    "boundary_owners": [
        ("critical", "b1>b2:single_point:3"),
        ("high", "b1>b2:boundary_unbridged"),
        ("high", "b3>b4:no_owner"),
        ("high", "stage:b1:must_pass_through:3"),
        ("high", "stage:b2:must_pass_through:3"),
        ("high", "stage:b3:must_pass_through:5B"),
        ("high", "stage:b4:must_pass_through:6B"),
        ("medium", "b1>b2:implicit_only"),
        ("medium", "b2>b3:many_owners"),
        ("medium", "b2>b3:unacknowledged:3>5B"),
        ("medium", "role:6:isolated_role"),
        ("medium", "role:7:isolated_role"),
        ("medium", "role:8:isolated_role"),
    ],
    "loops_pingpong": [
        ("critical", "c4>c5:unbridged"),
        ("high", "c1>c2:single_point:3"),
        ("high", "c2>c1:single_point:3"),
        ("high", "c2>c3:single_point:4"),
        ("high", "c2>c3:single_point:8"),
        ("high", "c4>c2:single_point:F"),
        ("high", "loop:c2>c3>c4:loop_without_holder"),
        ("high", "roles:6+8:ping_pong"),
        ("high", "stage:c5:empty_stage"),
        ("high", "journey:thread_broken"),
        ("medium", "c4>c2:implicit_only"),
        ("medium", "c2>c1:unacknowledged:4>3"),
        ("medium", "roles:3+4:ping_pong"),
        ("medium", "role:F:isolated_role"),
        ("info", "role:9:unplaced_role"),
    ],
}


@pytest.mark.parametrize("name", HAND_BUILT)
def test_each_hand_built_journey_gives_exactly_its_known_findings_in_order(name):
    assert [(f.severity, f.fingerprint) for f in report(name).findings] == EXPECTED[name]


def test_every_finding_code_occurs_in_the_hand_built_journeys():
    found = {f.code for name in HAND_BUILT for f in report(name).findings}
    assert found == set(FINDING_CODES)


def test_bridge_counts_of_single_points_robust_secondary_only_family_only_and_empty():
    assert ks("bridges") == {
        "a1>a2": (1, 2, ("3",), ("3",)),
        "a2>a3": (1, 2, ("4",), ("4",)),
        "a3>a4": (2, 2, ("5", "8"), ()),
        "a4>a5": (1, 2, ("10",), ("10",)),
        "a5>a6": (0, 1, (), ()),
        "a6>a7": (0, 0, (), ()),
    }
    grades = {r.name: r.grade for r in report("bridges").transitions}
    assert grades == {
        "a1>a2": "fragile",
        "a2>a3": "fragile",
        "a3>a4": "robust",
        "a4>a5": "fragile",  # only secondary role 10 carries it
        "a5>a6": "gap",
        "a6>a7": "gap",
    }


def test_bridge_counts_across_backward_transitions():
    assert ks("loops_pingpong") == {
        "c1>c2": (1, 2, ("3",), ("3",)),
        "c2>c1": (1, 2, ("3",), ("3",)),
        "c2>c3": (1, 1, ("8",), ("4", "8")),
        "c3>c4": (2, 2, ("6", "8"), ()),
        "c4>c2": (1, 1, ("F",), ("F",)),
        "c4>c5": (0, 0, (), ()),
    }


def test_bridge_counts_at_principal_boundaries():
    results = {
        r.name: (r.k, r.boundary, r.handoffs, r.owners)
        for r in report("boundary_owners").transitions
    }
    assert results == {
        "b1>b2": (1, True, 0, ("7",)),
        "b2>b3": (2, False, 2, ("4", "5B")),
        "b3>b4": (2, True, 1, ()),
    }


def test_a_transition_only_the_family_carries_names_the_family():
    [finding] = [f for f in report("bridges").findings if f.code == "patient_carries"]
    assert finding.roles == ("2",) and finding.transition == ("a5", "a6")
    assert finding.message_sv == (
        "Bara patienten/närstående bär övergången ”Insats” → ”Uppföljning”: ingen yrkesroll för "
        "ärendet vidare, det hänger på roll 2 ”Den som finns i barnets vardag (familj/nätverk)”."
    )


def test_an_unbridged_principal_boundary_raises_its_single_point_to_critical():
    findings = {f.fingerprint: f for f in report("boundary_owners").findings}
    assert findings["b1>b2:single_point:3"].severity == "critical"
    assert "över en huvudmannagräns" in findings["b1>b2:single_point:3"].message_sv
    assert findings["b1>b2:boundary_unbridged"].message_sv == (
        "Huvudmannagräns utan överlämning i övergången ”Första kontakt” → ”Bedömning” (kommun → "
        "kommun/region): ingen överlämning mellan huvudmännen och ingen samordnande roll (7/8) på "
        "båda sidor, så ingen för personen över till den nya huvudmannen."
    )


def test_a_boundary_a_coordinating_role_spans_is_not_reported():
    fingerprints = report("boundary_owners").fingerprints
    assert "b3>b4:boundary_unbridged" not in fingerprints


def test_ping_pong_is_high_across_principals_and_medium_within_one():
    severities = {f.fingerprint: f.severity for f in report("loops_pingpong").findings}
    assert severities["roles:6+8:ping_pong"] == "high"
    assert severities["roles:3+4:ping_pong"] == "medium"


def test_a_loop_someone_follows_all_the_way_round_is_not_reported():
    loops = [f.stages for f in report("loops_pingpong").findings if f.code == "loop_without_holder"]
    assert loops == [("c2", "c3", "c4")]  # c1↔c2 is held by role 3


def test_a_broken_thread_says_where_it_ends():
    [finding] = [f for f in report("bridges").findings if f.code == "thread_broken"]
    assert finding.stages == ("a1", "a3")
    assert finding.message_en.endswith("it ends after “Assessment”.")


def test_every_message_is_one_plain_sentence_in_each_language_naming_what_it_concerns():
    for name in HAND_BUILT:
        j = journey(name)
        for f in report(name).findings:
            for message, lang in ((f.message_sv, "sv"), (f.message_en, "en")):
                assert message.endswith(".") and "{" not in message
                for stage in [*f.stages, *(f.transition or ()), *([f.stage] if f.stage else [])]:
                    assert j.stage_label(stage, lang) in message, (f.fingerprint, lang)
                for role in f.roles:
                    assert j.role_label(role, lang) in message, (f.fingerprint, lang)


@pytest.mark.parametrize("name", [*HAND_BUILT, "demo_children"])
def test_fingerprints_are_unique_and_findings_sorted_by_severity(name):
    findings = report(name).findings
    assert len({f.fingerprint for f in findings}) == len(findings)
    ranks = [SEVERITIES.index(f.severity) for f in findings]
    assert ranks == sorted(ranks)


def test_journey_figures_cover_the_forward_transitions():
    figures = report("boundary_owners").figures
    assert (figures.forward_transitions, figures.bridged, figures.robust, figures.owned) == (
        3,
        3,
        2,
        1,
    )
    assert (figures.share_bridged, figures.share_robust, figures.share_owned) == (1.0, 0.667, 0.333)
    assert (figures.boundary_transitions, figures.boundary_acknowledged) == (2, 1)
    assert figures.redundancy == 1
    loops = report("loops_pingpong").figures
    assert (loops.forward_transitions, loops.redundancy, loops.share_bridged) == (4, 0, 0.75)


def test_owners_are_only_asked_for_when_the_map_records_them():
    assert not [f for f in report("bridges").findings if f.code in ("no_owner", "many_owners")]


def test_removing_a_role_shows_the_transitions_that_lose_their_last_bridge():
    comparison = what_if_remove_role(journey("bridges"), "3")
    opened = [f.fingerprint for f in comparison.opened]
    assert "a1>a2:patient_carries" in opened
    assert "a1>a2:single_point:3" in [f.fingerprint for f in comparison.closed]
    assert comparison.k_changes == (("a1", "a2", 1, 0),)


def test_adding_a_proposed_handoff_shows_the_findings_it_closes():
    proposal = Handoff("a4", "8", "a5", "6", acknowledged=True, evidence="proposed")
    comparison = what_if_add_handoff(journey("bridges"), proposal)
    assert [f.fingerprint for f in comparison.closed] == [
        "a4>a5:single_point:10",
        "a4>a5:implicit_only",
        "role:6:isolated_role",
        "role:8:isolated_role",
    ]
    assert comparison.opened == ()
    assert comparison.k_changes == (("a4", "a5", 1, 2),)


def test_comparing_two_maps_sorts_findings_into_closed_opened_and_persisting():
    before, after = report("bridges"), gap_report(journey("bridges"))
    comparison = compare_reports(before, after)
    assert comparison.closed == () and comparison.opened == ()
    assert len(comparison.persisting) == len(before.findings)
    other = compare_reports(report("boundary_owners"), report("loops_pingpong"))
    assert {f.fingerprint for f in other.closed} == set(report("boundary_owners").fingerprints)
    data = comparison_to_dict(other)
    assert data["figures"]["before"]["redundancy"] == 1
    assert data["figures"]["after"]["redundancy"] == 0


def test_the_report_as_json_has_transitions_findings_figures_and_the_honesty_line():
    data = report_to_dict(report("loops_pingpong"))
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["honesty"] == HONESTY_SV and data["honesty_en"] == HONESTY_EN
    assert HONESTY_SV == (
        "Analysen beskriver kartan som workshopen ritade, inte hur ofta överlämningar faktiskt "
        "misslyckas."
    )
    assert {"from", "to", "k", "k_with_person", "cut"} <= set(data["transitions"][0])
    finding = next(f for f in data["findings"] if f["code"] == "unacknowledged")
    assert finding == {
        "code": "unacknowledged",
        "severity": "medium",
        "fingerprint": "c2>c1:unacknowledged:4>3",
        "message": finding["message"],
        "message_en": finding["message_en"],
        "stage": None,
        "transition": {"from": "c2", "to": "c1"},
        "roles": ["4", "3"],
        "stages": [],
    }
    assert finding["message"].startswith("Överlämningen från roll 4")
    assert data["figures"]["findings_by_severity"] == {
        "critical": 1,
        "high": 9,
        "medium": 4,
        "low": 0,
        "info": 1,
    }


def test_a_blank_template_reports_every_stage_empty_and_every_step_unbridged():
    fingerprints = gap_report(default_journey()).fingerprints
    assert "s1>s2:unbridged" in fingerprints and "s5>s2:unbridged" in fingerprints
    assert "stage:s7:empty_stage" in fingerprints
    assert "journey:thread_broken" in fingerprints


def test_a_map_without_stages_has_nothing_to_report():
    empty = parse_journey(
        {"format": FORMAT, "title": "t", "target_group": "adults", "stages": [], "roles": []}
    )
    result = gap_report(empty)
    assert result.findings == () and result.transitions == ()
    assert result.figures.redundancy is None and result.figures.share_bridged is None


def test_when_the_family_hands_over_to_a_professional_the_finding_names_the_family():
    document = {
        "format": FORMAT,
        "title": "Familjen tar med sig remissen",
        "target_group": "children",
        "stages": [{"id": "s1", "label": "Oro"}, {"id": "s2", "label": "Första kontakt"}],
        "transitions": [{"from": "s1", "to": "s2"}],
        "roles": ["2", "4"],
        "placements": [{"role": "2", "stage": "s1"}, {"role": "4", "stage": "s2"}],
        "handoffs": [{"from_stage": "s1", "from_role": "2", "to_stage": "s2", "to_role": "4"}],
    }
    result = gap_report(parse_journey(document))
    [transition] = result.transitions
    assert (transition.k, transition.k_with_person, transition.person_carriers) == (0, 1, ("2",))
    [finding] = [f for f in result.findings if f.code == "patient_carries"]
    assert finding.roles == ("2",)
