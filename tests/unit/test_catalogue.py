"""The role catalogue: 15 functional roles (1–13, 5B, 6B), children's and adults' wording."""

import json
from pathlib import Path

import pytest

from roles.catalogue import CATALOGUE_PATH, CatalogueError, load_catalogue, parse_catalogue

CORE = ["1", "2", "3", "4", "5", "5B", "6", "6B", "7", "8", "9", "10", "11", "12", "13"]


def test_the_catalogue_lists_the_fifteen_roles_in_catalogue_order():
    catalogue = load_catalogue()
    assert [role.code for role in catalogue.core] == CORE
    assert catalogue.codes == (*CORE, "F")


def test_the_catalogue_file_is_versioned():
    data = json.loads(Path(CATALOGUE_PATH).read_text(encoding="utf-8"))
    assert data["format"] == "brygga.roles/1"
    assert data["version"] == 1
    assert load_catalogue().version == 1


def test_roles_1_to_8_with_5b_and_6b_are_primary_and_9_to_13_secondary():
    catalogue = load_catalogue()
    assert [r.code for r in catalogue.by_tier("primary") if not r.optional] == CORE[:10]
    assert [r.code for r in catalogue.by_tier("secondary")] == ["9", "10", "11", "12", "13"]


def test_only_the_person_and_their_everyday_network_are_not_professional():
    assert [r.code for r in load_catalogue().roles if not r.professional] == ["1", "2"]


def test_the_coordinating_roles_are_7_and_8():
    assert [r.code for r in load_catalogue().roles if r.coordinating] == ["7", "8"]


def test_the_childrens_texts_are_quoted_from_the_project_material():
    catalogue = load_catalogue("children")
    assert catalogue.get("4").name_sv == "Den som bedömer och styr vidare (eller tillbaka)"
    assert catalogue.get("8").does_sv == (
        "Håller ihop vård- och stödprocessen, säker övergångar, kontinuitet och uppföljning."
    )
    assert catalogue.get("5B").examples_sv == (
        "Socialsekreterare i socialtjänstens myndighetsutövning, t.ex. inom funktionsstöd el. "
        "individ- och familjeomsorg",
    )
    assert catalogue.get("2").examples_sv == (
        "Vårdnadshavare",
        "familjehem",
        "anhörig",
        "kontaktperson",
    )


def test_for_adults_the_child_reads_as_the_person():
    adults = load_catalogue("adults")
    assert adults.target_group_sv == "Vuxna"
    assert adults.get("2").name_sv == "Den som finns i personens vardag (familj/nätverk)"
    assert adults.get("1").name_sv == "Personen själv / Den som upplever behovet"
    for role in adults.roles:
        for text in (role.name_sv, role.does_sv, *role.examples_sv):
            assert "barn" not in text.lower(), (role.code, text)


def test_adults_and_children_share_codes_tiers_and_kinds():
    children, adults = load_catalogue("children"), load_catalogue("adults")
    for child, adult in zip(children.roles, adults.roles, strict=True):
        assert (child.code, child.tier, child.professional) == (
            adult.code,
            adult.tier,
            adult.professional,
        )


def test_the_optional_role_catches_the_person_when_contact_is_lost():
    role = load_catalogue().get("F")
    assert role.name_sv == "Den som fångar upp när kontakt tappas"
    assert role.optional and role.professional and role.tier == "primary"
    assert "F" not in [r.code for r in load_catalogue().core]


@pytest.mark.parametrize("target_group", ["children", "adults"])
def test_every_role_has_swedish_and_english_names_and_descriptions(target_group):
    for role in load_catalogue(target_group).roles:
        assert role.name_sv and role.name_en and role.does_sv and role.does_en
        assert len(role.examples_sv) == len(role.examples_en)


def test_roles_are_functions_so_the_examples_are_titles_under_them():
    role = load_catalogue().get("8").to_dict()
    assert role["name"]["sv"] == "Den som samordnar plan och kontinuitet"
    assert role["examples"]["sv"] == ["Fast vårdkontakt", "SIP-samordnare", "kontaktperson"]


def test_an_unknown_code_is_refused_with_a_clear_message():
    with pytest.raises(CatalogueError, match="no role with code '14'"):
        load_catalogue().get("14")


def test_an_unknown_target_group_is_refused():
    with pytest.raises(CatalogueError, match="target_group"):
        load_catalogue("elders")


def test_a_catalogue_with_duplicate_codes_is_refused():
    data = json.loads(Path(CATALOGUE_PATH).read_text(encoding="utf-8"))
    data["roles"].append(data["roles"][0])
    with pytest.raises(CatalogueError, match="unique"):
        parse_catalogue(data)
