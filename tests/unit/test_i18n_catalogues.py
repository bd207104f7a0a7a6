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
    for path in (ROOT / "static" / "js").glob("*.js"):
        used |= set(re.findall(r'\bt\("([a-z0-9_.]*[a-z0-9_])"', path.read_text("utf-8")))
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
