"""Load the versioned catalogue of functional roles, for children or for adults."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

TargetGroup = Literal["children", "adults"]
TARGET_GROUPS: tuple[str, ...] = ("children", "adults")
TIERS: tuple[str, ...] = ("primary", "secondary")
CATALOGUE_PATH = Path(__file__).with_name("catalogue.json")


class CatalogueError(ValueError):
    """The catalogue file or a lookup in it is wrong."""


@dataclass(frozen=True)
class CatalogueRole:
    """One functional role as the catalogue describes it for one target group.

    Examples
    --------
    >>> role = load_catalogue().get("5B")
    >>> role.tier, role.professional, role.optional
    ('primary', True, False)
    >>> role.label("en")
    'The one who investigates and decides on support (SoL/LSS etc.)'
    """

    code: str
    name_sv: str
    name_en: str
    does_sv: str
    does_en: str
    examples_sv: tuple[str, ...]
    examples_en: tuple[str, ...]
    tier: str
    professional: bool
    coordinating: bool
    optional: bool

    def label(self, lang: str = "sv") -> str:
        """The role's name in ``lang`` ("sv" or "en")."""
        return self.name_en if lang == "en" else self.name_sv

    def to_dict(self) -> dict[str, Any]:
        """Plain data for templates and JSON.

        >>> load_catalogue().get("1").to_dict()["professional"]
        False
        """
        return {
            "code": self.code,
            "name": {"sv": self.name_sv, "en": self.name_en},
            "does": {"sv": self.does_sv, "en": self.does_en},
            "examples": {"sv": list(self.examples_sv), "en": list(self.examples_en)},
            "tier": self.tier,
            "professional": self.professional,
            "coordinating": self.coordinating,
            "optional": self.optional,
        }


@dataclass(frozen=True)
class Catalogue:
    """The catalogue for one target group, roles in catalogue order.

    Examples
    --------
    >>> cat = load_catalogue("adults")
    >>> cat.get("2").name_sv
    'Den som finns i personens vardag (familj/nätverk)'
    >>> [r.code for r in cat.roles][:6]
    ['1', '2', '3', '4', '5', '5B']
    >>> "F" in cat, cat.get("F").optional
    (True, True)
    """

    version: int
    target_group: str
    target_group_sv: str
    target_group_en: str
    roles: tuple[CatalogueRole, ...]

    def get(self, code: str) -> CatalogueRole:
        """The role with catalogue ``code``; raises ``CatalogueError`` if there is none.

        >>> load_catalogue().get("99")
        Traceback (most recent call last):
        ...
        roles.catalogue.CatalogueError: no role with code '99' in the catalogue
        """
        for role in self.roles:
            if role.code == code:
                return role
        raise CatalogueError(f"no role with code {code!r} in the catalogue")

    def __contains__(self, code: object) -> bool:
        return any(role.code == code for role in self.roles)

    def __iter__(self) -> Iterator[CatalogueRole]:
        return iter(self.roles)

    def __len__(self) -> int:
        return len(self.roles)

    @property
    def codes(self) -> tuple[str, ...]:
        """Every code in catalogue order, the optional roles last."""
        return tuple(role.code for role in self.roles)

    @property
    def core(self) -> tuple[CatalogueRole, ...]:
        """The 15 roles every map starts from (the optional ones left out).

        >>> len(load_catalogue().core)
        15
        """
        return tuple(role for role in self.roles if not role.optional)

    def by_tier(self, tier: str) -> tuple[CatalogueRole, ...]:
        """The roles of ``tier`` ("primary" or "secondary") in catalogue order.

        >>> [r.code for r in load_catalogue().by_tier("secondary")]
        ['9', '10', '11', '12', '13']
        """
        return tuple(role for role in self.roles if role.tier == tier)


def _text(entry: Mapping[str, Any], key: str, lang: str) -> str:
    value = entry[key][lang]
    if not isinstance(value, str) or not value:
        raise CatalogueError(f"{key}.{lang} must be a non-empty string")
    return value


def _role(entry: Mapping[str, Any], target_group: str) -> CatalogueRole:
    merged = {**entry, **entry.get("variants", {}).get(target_group, {})}
    if merged["tier"] not in TIERS:
        raise CatalogueError(f"role {entry['code']}: tier must be one of {TIERS}")
    return CatalogueRole(
        code=str(entry["code"]),
        name_sv=_text(merged, "name", "sv"),
        name_en=_text(merged, "name", "en"),
        does_sv=_text(merged, "does", "sv"),
        does_en=_text(merged, "does", "en"),
        examples_sv=tuple(merged["examples"]["sv"]),
        examples_en=tuple(merged["examples"]["en"]),
        tier=merged["tier"],
        professional=bool(merged["professional"]),
        coordinating=bool(merged.get("coordinating", False)),
        optional=bool(merged.get("optional", False)),
    )


def parse_catalogue(data: Mapping[str, Any], target_group: str = "children") -> Catalogue:
    """Build a ``Catalogue`` for ``target_group`` from catalogue file data.

    Parameters
    ----------
    data : mapping
        The decoded ``brygga.roles/1`` document.
    target_group : {"children", "adults"}
        Which wording to use; adult variants override the base (children's) texts.

    Examples
    --------
    >>> data = {"format": "brygga.roles/1", "version": 7,
    ...         "target_groups": {"children": {"sv": "Barn och unga", "en": "Children"}},
    ...         "roles": [{"code": "X", "tier": "primary", "professional": True,
    ...                    "name": {"sv": "Den som", "en": "The one"},
    ...                    "does": {"sv": "Gör", "en": "Does"},
    ...                    "examples": {"sv": [], "en": []}}]}
    >>> parse_catalogue(data).get("X").label()
    'Den som'
    """
    if data.get("format") != "brygga.roles/1":
        raise CatalogueError("the catalogue's format must be 'brygga.roles/1'")
    if target_group not in TARGET_GROUPS:
        raise CatalogueError(f"target_group must be one of {TARGET_GROUPS}, not {target_group!r}")
    roles = tuple(_role(entry, target_group) for entry in data["roles"])
    codes = [role.code for role in roles]
    if len(set(codes)) != len(codes):
        raise CatalogueError("role codes in the catalogue must be unique")
    names = data.get("target_groups", {}).get(target_group, {})
    return Catalogue(
        version=int(data["version"]),
        target_group=target_group,
        target_group_sv=names.get("sv", target_group),
        target_group_en=names.get("en", target_group),
        roles=roles,
    )


@lru_cache(maxsize=4)
def _load(path: str, target_group: str) -> Catalogue:
    with open(path, encoding="utf-8") as handle:
        return parse_catalogue(json.load(handle), target_group)


def load_catalogue(target_group: str = "children") -> Catalogue:
    """The bundled role catalogue for "children" (Barn och unga) or "adults" (Vuxna).

    Parameters
    ----------
    target_group : {"children", "adults"}
        For adults "barnet" reads "personen / den som upplever behovet".

    Returns
    -------
    Catalogue
        Immutable; loaded once per target group and cached.

    Examples
    --------
    >>> cat = load_catalogue("children")
    >>> cat.version, len(cat.core), cat.target_group_sv
    (1, 15, 'Barn och unga')
    >>> cat.get("2").name_sv
    'Den som finns i barnets vardag (familj/nätverk)'
    >>> [r.code for r in cat.roles if not r.professional]
    ['1', '2']
    """
    return _load(str(CATALOGUE_PATH), target_group)
