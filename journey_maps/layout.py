"""The grid of the journey-gap diagram: one column per stage and transition, one row per role."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from journey_maps.bridges import cross_principal_handoffs
from journey_maps.model import Journey, Placement, Transition, role_sort_key
from journey_maps.report import Report
from journey_maps.styles import (
    BACK_PURPLE,
    CONTINUITY_GREY,
    CROSS_BLUE,
    HANDOFF_DARK,
    WORDS,
    attr_list,
    edge_label,
    legend_table,
    marker_attrs,
    principal_fill,
    principal_name,
    quote,
    swatch_label,
    tooltip_text,
    wrap,
)


def _columns(journey: Journey) -> list[tuple[str, str | Transition]]:
    """Column order: role labels, then each stage followed by the transitions leaving it."""
    columns: list[tuple[str, str | Transition]] = [("label", "")]
    order = journey.stage_order
    for stage in journey.stages:
        columns.append(("stage", stage.id))
        leaving = [t for t in journey.transitions if t.source == stage.id]
        leaving.sort(key=lambda t: (t.kind != "forward", order[t.target]))
        columns.extend(("transition", t) for t in leaving)
    return columns


class Sheet:
    """Lays out one diagram: columns (labels, stages, transitions) by rows (stage headers, the
    backward markers if any, then one row per role)."""

    HEADER, BACK = "@header", "@back"

    def __init__(self, journey: Journey, report: Report, lang: str) -> None:
        self.journey, self.lang, self.words = journey, lang, WORDS[lang]
        self.results = {result.key: result for result in report.transitions}
        self.columns = _columns(journey)
        has_back = any(t.kind == "back" for t in journey.transitions)
        self.rows = [self.HEADER, *([self.BACK] if has_back else []), *journey.role_ids]
        self.row_of = {role: row for row, role in enumerate(self.rows)}
        self.stage_col = {w: c for c, (kind, w) in enumerate(self.columns) if kind == "stage"}
        self.transition_col = {
            w.key: c for c, (_, w) in enumerate(self.columns) if isinstance(w, Transition)
        }
        self.professional = {role.id for role in journey.roles if role.professional}
        self.notes: dict[object, list[str]] = {}
        for finding in report.findings:
            text = f"[{finding.severity}] " + (
                finding.message_sv if lang == "sv" else finding.message_en
            )
            keys: list[object] = [finding.transition or finding.stage]
            keys += [("role", role) for role in finding.roles if not finding.transition]
            for key in keys:
                self.notes.setdefault(key, []).append(text)
        self.principals: dict[str, set[str]] = {}
        for (_, role), principals in journey.principals_at.items():
            self.principals.setdefault(role, set()).update(principals)

    @staticmethod
    def cell(col: int, row: int) -> str:
        return quote(f"c{col}r{row}")

    def is_marker(self, col: int, row: int) -> bool:
        what = self.columns[col][1]
        if not isinstance(what, Transition):
            return False
        return self.rows[row] == (self.BACK if what.kind == "back" else self.HEADER)

    def passable(self, col: int, row: int) -> bool:
        """Whether a line may run straight through this cell (an invisible waypoint)."""
        kind, what = self.columns[col]
        if kind == "transition":
            return not self.is_marker(col, row)
        role = self.rows[row]
        return (
            kind == "stage"
            and role not in (self.HEADER, self.BACK)
            and (role not in self.journey.roles_at[str(what)])
        )

    def node(self, col: int, row: int) -> str:
        kind, what = self.columns[col]
        role = self.rows[row]
        if isinstance(what, Transition):
            if self.is_marker(col, row):
                tip = tooltip_text(self.notes.get(what.key, []), self.words)
                return attr_list(**marker_attrs(self.results[what.key], self.words), tooltip=tip)
            # transition cells are mere waypoints: tiny, so lines pass straight through them
            return attr_list(shape="point", style="invis", width=0.01, height=0.01)
        if role == self.HEADER:
            return self.stage_header(str(what)) if kind == "stage" else attr_list(style="invis")
        if role == self.BACK:
            if kind == "label":
                return attr_list(label=self.words["back_row"], shape="plain", fontcolor=BACK_PURPLE)
            return attr_list(style="invis", label="")
        if kind == "label":
            return self.role_label(role)
        return self.placement(str(what), role)

    def stage_header(self, stage: str) -> str:
        empty = not self.journey.roles_at[stage]
        label = wrap(self.journey.stage_label(stage, self.lang), 18)
        return attr_list(
            label=label + (f"\n{self.words['empty']}" if empty else ""),
            style="filled,bold",
            fillcolor="#ffcdd2" if empty else "#eceff1",
            fontsize=12,
            tooltip=tooltip_text(self.notes.get(stage, []), self.words),
        )

    def role_label(self, role: str) -> str:
        entry, words = self.journey.role_by_id[role], self.words
        principals = self.principals.get(role, set())
        style, colour = principal_fill(principals)
        name = self.journey.role_label(role, self.lang)
        notes = role_notes(entry.tier, entry.professional, name, words)
        width = 34 if len(principals) < 2 else 30  # the swatches take the rest
        text = f"{role}  {wrap(name, width)}" + (f"\n({', '.join(notes)})" if notes else "")
        tip = [f"{words['role_word']} {role}: {name}", *self.notes.get(("role", role), [])]
        label: str = swatch_label([(text, principals)]) if len(principals) > 1 else text
        return attr_list(
            label=label, style=style, fillcolor=colour, width=2.8, tooltip="\n".join(tip)
        )

    def placement(self, stage: str, role: str) -> str:
        placements = [p for p in self.journey.placements if p.stage == stage and p.role == role]
        if not placements:
            return attr_list(style="invis", label="", width=0.3)
        organisations = sorted({p.organisation for p in placements if p.organisation})
        principals = {p.principal for p in placements if p.principal}
        style, colour = principal_fill(principals)
        where = self.journey.stage_label(stage, self.lang)
        tip = [f"{self.words['role_word']} {role} – {where}"]
        for p in sorted(placements, key=lambda p: p.organisation or ""):
            named = p.principal and f"({principal_name(p.principal, self.lang)})"
            if p.organisation or named:
                tip.append(" ".join(x for x in (p.organisation, named) if x))
            tip += [p.notes] if p.notes else []
        label: str = "\n".join(wrap(o, 16) for o in organisations) or "●"
        if len(principals) > 1:
            # one line per organisation, each with its own principals' swatches
            by_name: dict[str, set[str]] = {}
            for p in placements:
                by_name.setdefault(p.organisation or "●", set()).update(
                    [p.principal] if p.principal else []
                )
            label = swatch_label([(wrap(o, 16), by_name[o]) for o in sorted(by_name)])
        return attr_list(label=label, style=style, fillcolor=colour, tooltip="\n".join(tip))

    def grid(self) -> list[str]:
        out = []
        for col in range(len(self.columns)):
            out.append(f"  subgraph col{col} {{ rank=same;")
            out += [
                f"    {self.cell(col, row)} {self.node(col, row)};" for row in range(len(self.rows))
            ]
            if col == 0:
                legend = legend_table(self.words, self.lang, *self.legend_entries())
                out.append(f"    legend {attr_list(shape='plain', label=legend)};")
            out.append("  }")
        # a root whose ordered out-edges fix the row order (ordering=out), then every row chained
        # left to right with a heavy weight so that it stays straight
        out.append(f"  root {attr_list(style='invis', label='', width=0.01, ordering='out')};")
        out += [f"  root -> {self.cell(0, row)} [style=invis];" for row in range(len(self.rows))]
        out.append("  root -> legend [style=invis];")
        for row in range(len(self.rows)):
            chain = " -> ".join(self.cell(col, row) for col in range(len(self.columns)))
            out.append(f"  {chain} {attr_list(style='invis', weight=100)};")
        return out

    def legend_entries(self) -> tuple[set[str], set[str]]:
        """The optional legend rows this drawing needs, and the principals it shows."""
        symbols: set[str] = set()
        results = [self.results[t.key] for t in self.journey.transitions]
        if any(r.k == 0 and r.k_with_person > 0 for r in results):
            symbols.add("patient")
        if any(r.boundary for r in results):
            symbols.add("boundary")
        for t in self.journey.transitions:
            if t.kind == "back":
                symbols.add("back")
            elif self.journey.roles_at[t.source] & self.journey.roles_at[t.target]:
                symbols.add("continuity")
            crossing = set(cross_principal_handoffs(self.journey, t.key))
            for h in self.journey.handoffs_at[t.key]:
                if t.kind != "back":
                    symbols.add("cross" if h in crossing else "handoff")
                if not h.acknowledged:
                    symbols.add("dashed")
        cells: dict[tuple[str, str], list[Placement]] = {}
        for p in self.journey.placements:
            cells.setdefault((p.stage, p.role), []).append(p)
        if any(not any(p.organisation for p in ps) for ps in cells.values()):
            symbols.add("present")
        if any(len(ps) > 1 for ps in self.principals.values()) or any(
            len({p.principal for p in ps if p.principal}) > 1 for ps in cells.values()
        ):
            symbols.add("split")
        for entry in self.journey.roles:
            name = self.journey.role_label(entry.id, self.lang)
            notes = role_notes(entry.tier, entry.professional, name, self.words)
            symbols.update(
                key
                for key, word in (("secondary_note", "secondary_tier"), ("person_note", "person"))
                if self.words[word] in notes
            )
        return symbols, set().union(*self.principals.values())

    def line(self, cells: Sequence[tuple[int, int]], arrow: bool, **style: object) -> list[str]:
        """One visible line through a sequence of cells: clipped only at its two real ends, one
        arrowhead at most, tooltip and label on its last segment."""
        text, colour = style.pop("xlabel", None), style.pop("fontcolor", "black")
        label: dict[str, object] = {"xlabel": edge_label(str(text or ""), str(colour))}
        out = []
        for index, (tail, head) in enumerate(pairwise(cells)):
            last = index == len(cells) - 2
            attrs: dict[str, object] = {
                **style,
                "constraint": False,
                "tailclip": None if index == 0 else False,
                "headclip": None if last else False,
                "arrowhead": None if last and arrow else "none",
                **(label if last else {}),
            }
            out.append(f"  {self.cell(*tail)} -> {self.cell(*head)} {attr_list(**attrs)};")
        return out

    def along(self, row: int, start: int, stop: int) -> list[tuple[int, int]]:
        """The passable waypoints of ``row`` strictly between columns ``start`` and ``stop``."""
        return [(col, row) for col in range(start + 1, stop) if self.passable(col, row)]

    def edges(self, t: Transition) -> list[str]:
        """Header arrows, continuity and handoffs of one transition."""
        a, b, mid = self.stage_col[t.source], self.stage_col[t.target], self.transition_col[t.key]
        words, move = self.words, _move_text(self.journey, t, self.lang)
        label = (t.label if self.lang == "sv" else t.label_en or t.label) or None
        if t.kind == "back":
            back = self.row_of[self.BACK]
            out = self.line([(a, 0), (mid, back)], False, color=BACK_PURPLE, penwidth=1.5)
            out += self.line(
                [(mid, back), (b, 0)], True, color=BACK_PURPLE, penwidth=1.5, xlabel=label
            )
        else:
            header = {"color": "black", "weight": 10}
            out = self.line([(a, 0), *self.along(0, a, mid), (mid, 0)], False, **header)
            out += self.line(
                [(mid, 0), *self.along(0, mid, b), (b, 0)], True, xlabel=label, **header
            )
            staying = self.journey.roles_at[t.source] & self.journey.roles_at[t.target]
            for role in sorted(staying, key=role_sort_key):
                row = self.row_of[role]
                out += self.line(
                    [(a, row), *self.along(row, a, b), (b, row)],
                    False,
                    color=CONTINUITY_GREY,
                    penwidth=5 if role in self.professional else 2.5,
                    weight=10,
                    tooltip=f"{words['role_word']} {role}: {move}",
                )
        crossing = set(cross_principal_handoffs(self.journey, t.key))
        for h in self.journey.handoffs_at[t.key]:
            giver, taker = self.row_of[h.from_role], self.row_of[h.to_role]
            colour = (
                BACK_PURPLE if t.kind == "back" else CROSS_BLUE if h in crossing else HANDOFF_DARK
            )
            status = words["acknowledged"] if h.acknowledged else words["not_acknowledged"]
            tip = f"{words['handoff']} {h.from_role} → {h.to_role}, {move}, " + ", ".join(
                x for x in (h.mode, status, h.evidence) if x
            )
            if t.kind == "back":
                # through the backward marker, like the transition's own arrow
                route = [(a, giver), (mid, self.row_of[self.BACK]), (b, taker)]
            elif a < mid < b:
                # cross rows in the gap after the giving stage, then run along the taker's row
                route = [(a, giver), (mid, taker), *self.along(taker, mid, b), (b, taker)]
            else:
                route = [(a, giver), (mid, giver), (b, taker)]
            out += self.line(
                route,
                True,
                color=colour,
                penwidth=2,
                style="solid" if h.acknowledged else "dashed",
                tooltip=tip,
                xlabel=h.mode,
                fontcolor=colour,
            )
        return out


def role_notes(tier: str, professional: bool, name: str, words: dict[str, str]) -> list[str]:
    """The notes in parentheses under a role's name: secondary, and person/network unless the
    name already ends in a parenthesis of its own, such as "(familj/nätverk)".

    Examples
    --------
    >>> from journey_maps.styles import WORDS
    >>> role_notes("primary", False, "Barnet själv", WORDS["sv"])
    ['person/nätverk']
    >>> role_notes("primary", False, "Den som finns i barnets vardag (familj/nätverk)", WORDS["sv"])
    []
    >>> role_notes("secondary", True, "Den som stödjer professionerna", WORDS["en"])
    ['secondary']
    """
    notes = [] if tier == "primary" else [words["secondary_tier"]]
    if not professional and not name.rstrip().endswith(")"):
        notes.append(words["person"])
    return notes


def _move_text(journey: Journey, t: Transition, lang: str) -> str:
    return f"{journey.stage_label(t.source, lang)} → {journey.stage_label(t.target, lang)}"
