"""Facilitator pages for a workshop's roles: texts, custom roles, validation outcomes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from db import get_session
from roles import services as role_services
from roles.models import WorkshopRole
from web import _, error_text, fail, login_required
from workshops import domain, services
from workshops.domain import WorkshopError

bp = Blueprint("roles", __name__, url_prefix="/f/w/<int:wid>/roles")

TEXT_FIELDS = ("name_sv", "name_en", "does_sv", "does_en", "examples_sv", "examples_en")


def _texts(form: MultiDict[str, str]) -> role_services.RoleTexts:
    return role_services.clean_texts(**{name: form.get(name, "") for name in TEXT_FIELDS})


def _checked(form: MultiDict[str, str], name: str) -> bool:
    return form.get(name) == "1"


def role_form(role: WorkshopRole) -> dict[str, Any]:
    """A role's current texts and flags as the edit and rewording forms show them."""
    return {
        **{name: getattr(role, name) for name in TEXT_FIELDS},
        "tier": role.tier,
        "professional": "1" if role.professional else "",
        "coordinating": "1" if role.coordinating else "",
    }


def _index(wid: int, *, form: MultiDict[str, str] | None = None, status: int = 200) -> Any:
    session = get_session()
    workshop = services.get_workshop(session, wid)
    roles = role_services.list_roles(session, wid)
    validated = {s.role_id for s in workshop.statements if s.role_id is not None}
    return render_template(
        "roles/index.html",
        workshop=workshop,
        tiers=[(tier, [r for r in roles if r.tier == tier]) for tier in ("primary", "secondary")],
        validated=validated,
        included=sum(1 for r in roles if r.included),
        missing=sum(1 for r in roles if r.included and r.id not in validated),
        form=form,
    ), status


@bp.get("/")
@login_required
def index(wid: int) -> Any:
    return _index(wid)


@bp.post("/new")
@login_required
def add(wid: int) -> Any:
    """A custom role of this workshop (code E1, E2, ...); the catalogue stays as it is."""
    form = request.form
    try:
        role_id = role_services.add_custom_role(
            get_session(),
            workshop_id=wid,
            texts=_texts(form),
            tier=form.get("tier", "primary"),
            professional=_checked(form, "professional"),
            coordinating=_checked(form, "coordinating"),
        )
    except WorkshopError as exc:
        flash(error_text(exc), "error")
        return _index(wid, form=form, status=400)
    flash(_("roles.flash_added"), "ok")
    return redirect(url_for("roles.index", wid=wid, _anchor=f"r{role_id}"))


@bp.post("/<int:rid>/included")
@login_required
def included(wid: int, rid: int) -> Any:
    try:
        role_services.set_included(
            get_session(), workshop_id=wid, role_id=rid, included=_checked(request.form, "included")
        )
    except WorkshopError as exc:
        return fail(exc, "roles.index", wid=wid, _anchor=f"r{rid}")
    return redirect(url_for("roles.index", wid=wid, _anchor=f"r{rid}"))


@bp.route("/<int:rid>/edit", methods=["GET", "POST"])
@login_required
def edit(wid: int, rid: int) -> Any:
    """Adjust a role's texts for this workshop; earlier wordings are listed and restorable."""
    session = get_session()
    workshop = services.get_workshop(session, wid)
    role = role_services.get_role(session, wid, rid)
    form: Any = role_form(role)
    if request.method == "POST":
        form = request.form
        try:
            role_services.update_role(
                session,
                workshop_id=wid,
                role_id=rid,
                texts=_texts(form),
                tier=form.get("tier") or None,
                professional=_checked(form, "professional"),
                coordinating=_checked(form, "coordinating"),
            )
        except WorkshopError as exc:
            session.rollback()
            flash(error_text(exc), "error")
        else:
            flash(_("roles.flash_saved"), "ok")
            return redirect(url_for("roles.index", wid=wid, _anchor=f"r{rid}"))
    return render_template(
        "roles/edit.html",
        workshop=workshop,
        role=role,
        form=form,
        revisions=role_services.revisions(session, workshop_id=wid, role_id=rid),
    ), (400 if request.method == "POST" else 200)


@bp.post("/<int:rid>/revisions/<int:rev>/restore")
@login_required
def restore(wid: int, rid: int, rev: int) -> Any:
    try:
        role_services.restore_revision(get_session(), workshop_id=wid, revision_id=rev)
    except WorkshopError as exc:
        return fail(exc, "roles.edit", wid=wid, rid=rid)
    flash(_("roles.flash_restored"), "ok")
    return redirect(url_for("roles.edit", wid=wid, rid=rid))


# --- Validation ------------------------------------------------------------------------------


@bp.post("/validation/statements")
@login_required
def create_validation(wid: int) -> Any:
    """One statement per included role, run in the console like the WS1 statements."""
    try:
        added = role_services.create_validation_statements(get_session(), workshop_id=wid)
    except WorkshopError as exc:
        return fail(exc, "roles.index", wid=wid)
    if added:
        flash(_("roles.flash_validation_created", n=added), "ok")
    else:
        flash(_("roles.flash_validation_none"), "ok")
    return redirect(url_for("roles.index", wid=wid, _anchor="validation"))


@bp.get("/validation")
@login_required
def validation(wid: int) -> Any:
    """Per role: the room's answers, the anonymous comments and the recorded outcome."""
    session = get_session()
    workshop = services.get_workshop(session, wid)
    outcomes = role_services.validation_outcomes(session, workshop_id=wid)
    roles = {r.id: r for r in role_services.list_roles(session, wid, included_only=True)}
    return render_template(
        "roles/validation.html",
        workshop=workshop,
        outcomes=outcomes,
        forms={rid: role_form(role) for rid, role in roles.items()},
        attention=[o for o in outcomes if o.needs_attention],
        started=any(o.statement_id is not None for o in outcomes),
        outcome_names=domain.OUTCOMES,
        split=domain.is_split,
    )


@bp.post("/validation/<int:rid>")
@login_required
def record(wid: int, rid: int) -> Any:
    form = request.form
    outcome = form.get("outcome", "")
    try:
        role_services.record_validation(
            get_session(),
            workshop_id=wid,
            role_id=rid,
            outcome=outcome,
            note=form.get("note", ""),
            texts=_texts(form) if outcome == "reworded" else None,
        )
    except WorkshopError as exc:
        return fail(exc, "roles.validation", wid=wid, _anchor=f"v{rid}")
    flash(_("roles.flash_recorded"), "ok")
    return redirect(url_for("roles.validation", wid=wid, _anchor=f"v{rid}"))
