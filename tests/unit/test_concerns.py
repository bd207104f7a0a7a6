"""What in a report concerns one invited organisation (reports/concerns.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from journey_maps.analysis import gap_report
from journey_maps.format import (
    Handoff,
    Placement,
    example_journey,
    journey_to_dict,
)
from reports.concerns import concerns_of, finding_concerns


def report_of(journey: Any) -> dict[str, Any]:
    """A report document with only a journey part, as reports.document writes it."""
    return {
        "ws1": {"organisations": [], "gaps": [], "discussion": []},
        "journey": {
            "map": journey_to_dict(journey),
            "findings": [
                {"key": f"finding:{f.fingerprint}", "text": f.message_sv}
                for f in gap_report(journey).findings
            ],
        },
    }


def test_a_role_s_findings_concern_who_fills_it_there_and_only_them():
    journey = example_journey()
    findings = {f.fingerprint: f for f in gap_report(journey).findings}
    # Elevhälsa fills role 3 at s1 and s2, BUP role 4 at s3
    assert finding_concerns(journey, findings["stage:s2:must_pass_through:3"], "Elevhälsa")
    assert not finding_concerns(journey, findings["stage:s2:must_pass_through:3"], "BUP")
    assert finding_concerns(journey, findings["stage:s3:must_pass_through:4"], "BUP")
    # the handover from 3 to 4 concerns both ends
    handover = findings["s2>s3:unacknowledged:3>4"]
    assert finding_concerns(journey, handover, "Elevhälsa")
    assert finding_concerns(journey, handover, "BUP")


def test_a_role_filled_elsewhere_on_the_journey_does_not_count():
    # Elevhälsa also fills role 4, but only at s1: the single point of s2→s3 on role 4 is BUP's
    journey = example_journey()
    journey = replace(
        journey,
        placements=(*journey.placements, Placement("4", "s1", "Elevhälsa", "municipality")),
    )
    findings = {f.fingerprint: f for f in gap_report(journey).findings}
    single = findings["s2>s3:single_point:4"]
    assert finding_concerns(journey, single, "BUP")
    assert not finding_concerns(journey, single, "Elevhälsa")


def test_findings_without_a_professional_role_concern_everyone_placed_at_their_stages():
    journey = example_journey()
    findings = {f.fingerprint: f for f in gap_report(journey).findings}
    carried = findings["s3>s2:patient_carries"]  # only the person carries s3→s2
    assert carried.roles == ("1",)
    assert finding_concerns(journey, carried, "BUP")  # at s3
    assert finding_concerns(journey, carried, "Elevhälsa")  # at s2
    assert finding_concerns(journey, findings["s3>s2:boundary_unbridged"], "BUP")
    # a role nobody fills concerns nobody
    assert not finding_concerns(journey, findings["role:8:unplaced_role"], "BUP")


def test_an_organisation_not_on_the_map_has_no_findings_and_no_roles():
    concerns = concerns_of(report_of(example_journey()), "Socialtjänsten")
    assert concerns.findings == () and concerns.roles == ()
    assert concerns.empty


def test_findings_keep_the_report_s_order_and_roles_the_catalogue_s():
    journey = example_journey()
    journey = replace(
        journey, placements=(*journey.placements, Placement("8", "s2", "BUP", "region"))
    )
    document = report_of(journey)
    concerns = concerns_of(document, "bup")
    order = [f["key"] for f in document["journey"]["findings"]]
    assert list(concerns.findings) == [k for k in order if k in concerns.findings]
    assert concerns.findings[0] == "finding:s3>s2:patient_carries"  # critical first
    assert concerns.roles == ("4", "8")
    assert concerns.organisation == "bup"


def test_only_findings_the_document_carries_are_listed():
    # a frozen version keeps its own findings; one the map would give today but the version
    # does not hold is not linked to
    document = report_of(example_journey())
    document["journey"]["findings"] = document["journey"]["findings"][:1]
    concerns = concerns_of(document, "BUP")
    assert concerns.findings == (document["journey"]["findings"][0]["key"],)


def test_a_handoff_across_the_boundary_concerns_the_organisation_that_receives_it():
    journey = replace(
        example_journey(),
        placements=(
            Placement("3", "s1", "Elevhälsa", "municipality"),
            Placement("4", "s2", "BUP", "region"),
        ),
        handoffs=(Handoff("s1", "3", "s2", "4", acknowledged=False),),
    )
    unacknowledged = [f for f in gap_report(journey).findings if f.code == "unacknowledged"]
    assert unacknowledged
    assert all(finding_concerns(journey, f, "BUP") for f in unacknowledged)
    assert all(finding_concerns(journey, f, "Elevhälsa") for f in unacknowledged)


def test_a_user_organisation_filling_the_family_s_role_is_concerned_by_that_role_s_findings():
    # NSPH stands for the network (role 2) at s1 and hands over to role 3 without a receipt;
    # only the patient carries s3→s2
    journey = example_journey()
    journey = replace(
        journey,
        placements=tuple(
            replace(p, organisation="NSPH") if (p.role, p.stage) == ("2", "s1") else p
            for p in journey.placements
        ),
        handoffs=(*journey.handoffs, Handoff("s1", "2", "s2", "3", acknowledged=False)),
    )
    findings = {f.fingerprint: f for f in gap_report(journey).findings}
    receipt = findings["s1>s2:unacknowledged:2>3"]
    assert finding_concerns(journey, receipt, "NSPH")
    assert finding_concerns(journey, receipt, "Elevhälsa")  # role 3 at s1 and s2
    assert not finding_concerns(journey, receipt, "BUP")
    # the patient carrying a transition is a gap beside those placed on either side, not NSPH's
    assert not finding_concerns(journey, findings["s3>s2:patient_carries"], "NSPH")
    assert finding_concerns(journey, findings["s3>s2:patient_carries"], "BUP")
