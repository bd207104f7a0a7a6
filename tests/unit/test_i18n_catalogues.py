"""Every message the interface uses exists in Swedish and English."""

import json
import re
from pathlib import Path

import i18n

ROOT = Path(__file__).resolve().parents[2]


def keys_used() -> set[str]:
    used: set[str] = set()
    for path in (ROOT / "templates").rglob("*.html"):
        used |= set(re.findall(r"_\('([a-z0-9_.]*[a-z0-9_])'", path.read_text("utf-8")))
    for path in (ROOT / "static" / "js").glob("*.js"):  # the names the live pages hand over
        named = i18n.named_in_script(path.read_text("utf-8"))
        used |= {name for name in named if not name.endswith(".")}  # a prefix names no key
    for package in ("workshops", "roles", "journey_maps", "reports", "projects"):
        for path in (ROOT / package).glob("*.py"):
            text = path.read_text("utf-8")
            used |= set(re.findall(r'"((?:error|flash)\.[a-z0-9_.]+)"', text))
    return used


def test_swedish_and_english_have_the_same_keys_in_every_file():
    for sv_path in i18n.catalogue_files("sv"):
        en_path = sv_path.with_name(sv_path.name.replace("sv.json", "en.json"))
        sv = json.loads(sv_path.read_text("utf-8"))
        en = json.loads(en_path.read_text("utf-8"))
        assert (sv_path.name, sorted(set(sv) ^ set(en))) == (sv_path.name, [])


def test_every_key_used_by_templates_scripts_and_rules_exists():
    missing = sorted(k for k in keys_used() if k not in i18n.catalogue("sv"))
    assert missing == []


def test_the_vote_buttons_keep_their_words_in_both_languages():
    for lang in i18n.LANGUAGES:
        words = [i18n.translate(lang, f"vote.{c}") for c in ("yes", "no", "discuss")]
        assert words == ["Yes", "No", "Let's discuss"]


def test_a_singular_form_has_its_plural_and_the_same_placeholders_but_the_count():
    for lang in i18n.LANGUAGES:
        texts = i18n.catalogue(lang)
        for key in (k for k in texts if k.endswith(".one")):
            base = key.removesuffix(".one")
            assert base in texts, key
            placeholders = set(re.findall(r"{(\w+)}", texts[base])) - {"n"}
            assert (key, set(re.findall(r"{(\w+)}", texts[key]))) == (key, placeholders)
            if "{n}" in texts[base]:  # else a word beside a number shown apart ("1 ansluten")
                assert "1" in texts[key], key


def test_a_count_of_one_takes_the_singular_in_either_language():
    assert i18n.translate("sv", "report.ws1_withheld", n=1, threshold=3) == (
        "1 påstående redovisas inte: färre än 3 svarade på det."
    )
    assert i18n.translate("en", "report.ws1_withheld", n=1, threshold=3) == (
        "1 statement is not reported: fewer than 3 answered it."
    )
    assert i18n.translate("en", "survey.n_answers", n=2) == "2 answers"
    assert i18n.translate("en", "survey.n_answers", n=1) == "1 answer"
    assert i18n.translate("en", "survey.n_answers", n=0) == "0 answers"


def test_labels_beside_a_count_agree_with_it_in_english():
    assert i18n.translate("en", "discuss.raised", n=1) == "wants to raise"
    assert i18n.translate("en", "survey.respondents", n=1) == "has answered"
    assert i18n.translate("en", "report.ws1_answered", n=1) == "1 statement was answered."
    assert i18n.translate("en", "roles.v.summary_attention", n=2) == "2 need attention"
