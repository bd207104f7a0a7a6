"""The plain sentences of the gap analysis, in Swedish and English."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from journey_maps.model import Journey

HONESTY_SV = (
    "Analysen beskriver kartan som workshopen ritade, inte hur ofta överlämningar faktiskt "
    "misslyckas."
)
HONESTY_EN = (
    "The analysis describes the map the workshop drew, not how often handovers actually fail."
)


def honesty(lang: str) -> str:
    """The honesty line in ``lang`` (Swedish unless English is asked for).

    >>> honesty("en").startswith("The analysis describes the map")
    True
    """
    return HONESTY_EN if lang == "en" else HONESTY_SV


PRINCIPAL_NAMES = {
    "region": ("region", "region"),
    "municipality": ("kommun", "municipality"),
    "school": ("skola", "school"),
    "private": ("privat vårdgivare", "private provider"),
    "civil_society": ("civilsamhället", "civil society"),
    "state": ("staten", "state"),
}

# One template per finding (and variant): (Swedish, English). Parts are rendered by ``_render``.
MESSAGES: dict[str, tuple[str, str]] = {
    "unbridged": (
        "Ingen roll bär övergången {move}: ingen finns på båda sidor och ingen överlämning är "
        "registrerad, så personen riskerar att falla mellan stolarna.",
        "No role carries the transition {move}: nobody is present on both sides and no handoff "
        "is recorded, so the person risks falling between the chairs.",
    ),
    "patient_carries": (
        "Bara patienten/närstående bär övergången {move}: ingen yrkesroll för ärendet vidare, "
        "det hänger på {roles}.",
        "Only the person or their family carries the transition {move}: no professional role "
        "takes the case on, it rests on {roles}.",
    ),
    "single_point": (
        "Övergången {move}{border} hänger på en roll: {role}. Faller den bort bär ingen "
        "yrkesroll övergången.",
        "The transition {move}{border} hangs on one role: {role}. If it drops out, no "
        "professional role carries the transition.",
    ),
    "implicit_only": (
        "Bara närvaro på båda sidor, ingen uttalad överlämning i övergången {move}: {roles} "
        "finns i båda stegen men ingen lämnar uttryckligen över.",
        "Only presence on both sides, no explicit handoff at the transition {move}: {roles} can "
        "be found at both stages, but nobody explicitly hands over.",
    ),
    "boundary_unbridged": (
        "Huvudmannagräns utan överlämning i övergången {move} ({before} → {after}): ingen "
        "överlämning mellan huvudmännen och ingen samordnande roll (7/8) på båda sidor, så ingen "
        "för personen över till den nya huvudmannen.",
        "Boundary between principals without a handoff at the transition {move} ({before} → "
        "{after}): no handoff across principals and no coordinating role (7/8) on both sides, so "
        "nobody carries the person over to the new principal.",
    ),
    "no_owner": (
        "Ingen ansvarar för överlämningen i övergången {move}: ingen roll är utsedd att äga den.",
        "Nobody is responsible for the handover at the transition {move}: no role has been "
        "named as its owner.",
    ),
    "many_owners": (
        "Flera ansvarar för överlämningen i övergången {move} ({roles}), så det är oklart vem "
        "som ser till att den blir av.",
        "Several roles are responsible for the handover at the transition {move} ({roles}), so "
        "it is unclear who makes sure it happens.",
    ),
    "unacknowledged": (
        "Överlämningen från {giver} till {taker} i övergången {move} är inte kvitterad, så ingen "
        "vet om den kom fram.",
        "The handoff from {giver} to {taker} at the transition {move} is not acknowledged, so "
        "nobody knows whether it arrived.",
    ),
    "loop_without_holder": (
        "Återremiss utan någon som följer hela slingan {loop}: ingen yrkesroll finns i alla "
        "dessa steg, så ingen håller i personen när ärendet går tillbaka.",
        "A referral loop with nobody following it all the way round {loop}: no professional "
        "role is present at every one of these stages, so nobody holds on to the person when "
        "the case goes back.",
    ),
    "ping_pong": (
        "Remiss-pingis mellan {a} och {b}{border}: de lämnar över till varandra åt båda hållen "
        "({moves}), så personen kan skickas fram och tillbaka.",
        "Referral ping-pong between {a} and {b}{border}: they hand over to each other in both "
        "directions ({moves}), so the person can be sent back and forth.",
    ),
    "empty_stage": (
        "Ingen roll i steget {stage}: ingen finns där för personen.",
        "No role at the stage {stage}: nobody is there for the person.",
    ),
    "unplaced_role": (
        "Rollen {role} finns inte på kartan: den är inte placerad i något steg.",
        "Role {role} is not on the map: it is placed at no stage.",
    ),
    "isolated_role": (
        "Rollen {role} är placerad men lämnar/tar inte emot något: ingen överlämning går till "
        "eller från rollen, så dess arbete kopplas inte ihop med resten av resan.",
        "Role {role} is placed but neither hands over nor receives anything: no handoff goes to "
        "or from it, so its work is not connected to the rest of the journey.",
    ),
    "thread_broken": (
        "Ingen obruten ansvarstråd från första till sista steget ({span}): ingen kedja av "
        "yrkesroller som finns kvar eller lämnar över räcker hela vägen; den tar slut efter "
        "{furthest}.",
        "No unbroken thread of responsibility from the first to the last stage ({span}): no "
        "chain of professional roles that stay or hand over reaches all the way; it ends after "
        "{furthest}.",
    ),
    "thread_broken:start": (
        "Ingen obruten ansvarstråd från första till sista steget ({span}): ingen yrkesroll finns "
        "i {first}.",
        "No unbroken thread of responsibility from the first to the last stage ({span}): no "
        "professional role is present at {first}.",
    ),
    "must_pass_through": (
        "Hela förloppet hänger på {role} i steget {stage}: varje obruten ansvarstråd från första "
        "till sista steget går genom den.",
        "The whole course hangs on {role} at the stage {stage}: every unbroken thread of "
        "responsibility from the first to the last stage passes through it.",
    ),
}
BOUNDARY_TEXT = (" över en huvudmannagräns", " across a boundary between principals")


def _quote(text: str, lang: str) -> str:
    return f"”{text}”" if lang == "sv" else f"“{text}”"


def _stage(journey: Journey, stage_id: str, lang: str) -> str:
    return _quote(journey.stage_label(stage_id, lang), lang)


def _move(journey: Journey, key: tuple[str, str], lang: str) -> str:
    return f"{_stage(journey, key[0], lang)} → {_stage(journey, key[1], lang)}"


def _role(journey: Journey, role_id: str, lang: str, word: bool = True) -> str:
    named = f"{role_id} {_quote(journey.role_label(role_id, lang), lang)}"
    return f"{'roll' if lang == 'sv' else 'role'} {named}" if word else named


def _listing(items: Sequence[str], lang: str) -> str:
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + (" och " if lang == "sv" else " and ") + items[-1]


def _render(journey: Journey, kind: str, value: Any, lang: str) -> str:
    if kind == "stage":
        return _stage(journey, value, lang)
    if kind == "move":
        return _move(journey, value, lang)
    if kind == "moves":
        return "; ".join(_move(journey, key, lang) for key in value)
    if kind == "loop":
        return " → ".join(_stage(journey, stage, lang) for stage in (*value, value[0]))
    if kind == "role":
        return _role(journey, value, lang)
    if kind == "named":
        return _role(journey, value, lang, word=False)
    if kind == "roles":
        return _listing([_role(journey, role, lang) for role in value], lang)
    if kind == "principals":
        index = 0 if lang == "sv" else 1
        return "/".join(PRINCIPAL_NAMES.get(p, (p, p))[index] for p in sorted(value))
    if kind == "text":
        return str(value[0] if lang == "sv" else value[1])
    raise ValueError(f"unknown message part {kind!r}")


def sentences(
    journey: Journey, template: str, parts: dict[str, tuple[str, Any]]
) -> tuple[str, str]:
    """A finding's sentence in Swedish and English: ``MESSAGES[template]`` with its parts.

    Each part is ``(kind, value)``: a stage, move (transition), moves, loop, role, named (a role
    without the word "role"), roles, principals or text (a ``(Swedish, English)`` pair).

    Examples
    --------
    >>> from journey_maps.format import example_journey
    >>> sv, en = sentences(example_journey(), "empty_stage", {"stage": ("stage", "s1")})
    >>> print(sv)
    Ingen roll i steget ”Oro / tidiga tecken”: ingen finns där för personen.
    >>> print(en)
    No role at the stage “Concern”: nobody is there for the person.
    """
    sv, en = MESSAGES[template]
    said = {
        lang: text.format(**{name: _render(journey, *part, lang) for name, part in parts.items()})
        for lang, text in (("sv", sv), ("en", en))
    }
    return said["sv"], said["en"]
