"""Organisation pick-lists from the project's participant lists (PRODUCT.md), by target group."""

from __future__ import annotations

ORGANISATIONS: dict[str, list[tuple[str, str]]] = {
    "children": [
        ("BUP inkl. En väg in", "region"),
        ("Vårdcentral med UPH", "region"),
        ("Psykologmottagning Föräldraskap och småbarn", "region"),
        ("FCA familjecentrerat arbetssätt", "region"),
        ("Barn- och elevhälsa", "municipality"),
        ("Socialtjänst utredning/myndighet IFO", "municipality"),
        ("Barnhälsa/förskola", "municipality"),
        ("Habilitering", "region"),
        ("UMO", "region"),
        ("NSPH", "civil_society"),
    ],
    "adults": [
        ("NSPH", "civil_society"),
        ("Kommunal primärvård", "municipality"),
        ("Funktionsstöd utförare", "municipality"),
        ("Funktionsstöd myndighet", "municipality"),
        ("Sprututbytet", "region"),
        ("Psykiatri Affektiva", "region"),
        ("VC Närhälsan", "region"),
        ("VC privat", "private"),
        ("Socialtjänst myndighet", "municipality"),
        ("Socialtjänst utförare", "municipality"),
        ("Regional rehab", "region"),
        ("Hemtjänsten", "municipality"),
    ],
}


def suggestions(target_group: str, taken: set[str]) -> list[tuple[str, str]]:
    """Organisations to offer for a workshop, leaving out those already added.

    >>> [n for n, _ in suggestions("children", {"habilitering"})][:2]
    ['BUP inkl. En väg in', 'Vårdcentral med UPH']
    >>> "Habilitering" in [n for n, _ in suggestions("children", {"habilitering"})]
    False
    """
    return [(n, p) for n, p in ORGANISATIONS.get(target_group, []) if n.casefold() not in taken]
