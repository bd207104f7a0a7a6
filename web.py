"""HTTP glue shared by every blueprint: language, facilitator login and access, CSRF, headers."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.routing import IntegerConverter, Map

import i18n
from db import get_session
from workshops import services
from workshops.domain import MAX_ID, WorkshopError

F = TypeVar("F", bound=Callable[..., Any])

CSRF_EXEMPT_PREFIXES = ("/socket.io", "/api/")
# Whole blueprints only a project lead may use: every project and the accounts page.
LEAD_ONLY_BLUEPRINTS = frozenset({"projects", "accounts"})
# The view argument that names a workshop: every endpoint with it is a facilitator's, and only
# the workshop's owner or a project lead gets past _authorise (docs/security.md).
WORKSHOP_ARG = "wid"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def lang() -> str:
    """The language of this request (Swedish unless the visitor chose English)."""
    return cast(str, g.get("lang", i18n.DEFAULT_LANGUAGE))


def _(key: str, **params: Any) -> str:
    return i18n.translate(lang(), key, **params)


def error_text(exc: WorkshopError) -> str:
    return _(exc.key, **exc.params)


def refusal(exc: WorkshopError) -> str:
    """Why a form was refused, for showing the form again in this same request: what the
    refused use case left unsaved is dropped first, so the page shows what is stored."""
    get_session().rollback()
    return error_text(exc)


def facilitator_id() -> int | None:
    """The logged-in facilitator: the account in the session cookie, while the cookie's login
    holds (``services.login_holds``; asked once per request). A cookie kept after logging out,
    or copied, names an account but opens nothing."""
    fid, token = session.get("fid"), session.get("login")
    if not isinstance(fid, int) or not isinstance(token, str):
        return None
    checked = g.get("login_checked")
    if checked is None or checked[:2] != (fid, token):
        db = get_session()
        idle = not db.in_transaction()
        holds = services.login_holds(db, facilitator_id=fid, token=token)
        if idle:
            db.rollback()  # SQLite's transactions hold the write lock: not for this read
        checked = g.login_checked = (fid, token, holds)
    return fid if checked[2] else None


def _shown_facilitator() -> int | None:
    """The logged-in facilitator, for a page's top bar. None when the database cannot say: the
    error page after a database failure must still render (without the facilitator's menu)."""
    try:
        return facilitator_id()
    except SQLAlchemyError:
        return None


def facilitator_is_lead() -> bool:
    """Whether the logged-in facilitator is a project lead (asked once per request)."""
    fid = facilitator_id()
    if fid is None:
        return False
    if "is_lead" not in g:
        g.is_lead = services.is_lead(get_session(), fid)
    return cast(bool, g.is_lead)


def may_manage(workshop_id: int) -> bool:
    """Whether the logged-in facilitator owns the workshop or is a project lead."""
    fid = facilitator_id()
    return fid is not None and services.may_manage(
        get_session(), facilitator_id=fid, workshop_id=workshop_id
    )


def login_required(view: F) -> F:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if facilitator_id() is None:
            return redirect(url_for("auth.login", next=request.full_path))
        return view(*args, **kwargs)

    return cast(F, wrapped)


def csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def client_key() -> str:
    """A pseudonymous key for rate limits: a keyed hash of the address, never the address."""
    address = request.headers.get("X-Forwarded-For", request.remote_addr or "")
    address = (
        address.split(",")[0].strip()
        if current_app.config["TRUST_PROXY"]
        else (request.remote_addr or "")
    )
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()[:32]


def document_language() -> str:
    """The language of a document (report, diagram, tables, bundle): ``?language=en``, else the
    page's. ``?lang`` would switch the whole interface as well."""
    wanted = request.args.get("language")
    return wanted if wanted in i18n.LANGUAGES else lang()


def attachment(data: bytes, mimetype: str, filename: str) -> Response:
    """A download: ``data`` saved as ``filename`` (an ASCII slug, so no header encoding).

    ``mimetype`` is the bare type ("text/csv"): Werkzeug adds "; charset=utf-8" to a text
    type itself, so a charset given here too would be sent twice; it is dropped."""
    response = Response(data, mimetype=mimetype.split(";", 1)[0].strip())
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.is_json


def fail(exc: WorkshopError, endpoint: str, status: int = 400, **values: Any) -> Any:
    """Report a broken rule: JSON for scripts, a flashed message and a redirect for forms."""
    if wants_json():
        return {"ok": False, "error": error_text(exc)}, status
    flash(error_text(exc), "error")
    return redirect(url_for(endpoint, **values))


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route is a database id: a number no id column holds is a 404, not
    an OverflowError from the database driver (found by tests/fuzz)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def _language() -> Any:
        requested = request.args.get("lang")
        g.lang = i18n.pick_language(requested or request.cookies.get("lang"))
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not request.path.startswith(
            CSRF_EXEMPT_PREFIXES
        ):
            sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token")
            expected = session.get("csrf")
            if not expected or not sent or not hmac.compare_digest(str(sent), str(expected)):
                abort(400, description="csrf")
        return None

    @app.before_request
    def _authorise() -> Any:
        """The access model in one place rather than in each view: a workshop's pages (any
        endpoint with a ``wid``) belong to its owner and the project leads, the projects and
        accounts to the leads. Anyone else gets the 404 of a workshop that does not exist."""
        args = request.view_args or {}
        guarded = WORKSHOP_ARG in args or request.blueprint in LEAD_ONLY_BLUEPRINTS
        if not guarded:
            return None
        if facilitator_id() is None:
            # Also when a view forgot @login_required: deny by default.
            if request.path.startswith("/api/") or wants_json():
                key = "error.login_required"
                return {"ok": False, "code": key, "error": _(key)}, 401
            return redirect(url_for("auth.login", next=request.full_path))
        allowed = request.blueprint not in LEAD_ONLY_BLUEPRINTS or facilitator_is_lead()
        wid = args.get(WORKSHOP_ARG)
        if allowed and isinstance(wid, int):
            allowed = may_manage(wid)
        # SQLite transactions begin IMMEDIATE: never carry the check's write lock into the view
        get_session().rollback()
        if not allowed:
            abort(404)
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        requested = request.args.get("lang")
        if requested in i18n.LANGUAGES:
            # Read by the server only; Secure whenever the session cookie is (production).
            response.set_cookie(
                "lang",
                requested,
                max_age=365 * 86400,
                samesite="Lax",
                httponly=True,
                secure=current_app.config["SESSION_COOKIE_SECURE"],
            )
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.endpoint and not request.endpoint.startswith("static"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.context_processor
    def _template_globals() -> dict[str, Any]:
        return {
            "_": _,
            "lang": lang(),
            "csrf_token": csrf_token,
            "facilitator_id": _shown_facilitator(),
            "is_lead": facilitator_is_lead,  # a function: most pages never ask
            "other_lang": "en" if lang() == "sv" else "sv",
        }

    # the messages a live page's scripts show (templates/_live.html), in the visitor's language
    app.jinja_env.globals["client_messages"] = lambda scripts: i18n.client_catalogue(
        lang(), tuple(scripts)
    )

    @app.errorhandler(WorkshopError)
    def _broken_rule(exc: WorkshopError) -> Any:
        status = 404 if exc.key.endswith("not_found") else 400
        return _error_page(status, exc.key, **exc.params)

    @app.errorhandler(400)
    def _bad_request(error: Any) -> Any:
        return _error_page(400, "error.page.400")

    @app.errorhandler(404)
    def _not_found(error: Any) -> Any:
        return _error_page(404, "error.page.404")

    @app.errorhandler(413)
    def _too_large(error: Any) -> Any:
        return _error_page(413, "error.page.413")

    @app.errorhandler(500)
    def _server_error(error: Any) -> Any:
        return _error_page(500, "error.page.500")


def _error_page(status: int, key: str, **params: Any) -> Any:
    # Scripts asking for JSON (the console's fetch) get JSON too: an HTML page there fails to
    # parse and the facilitator would see nothing at all.
    if request.path.startswith("/api/") or wants_json():
        return {"ok": False, "code": key, "error": _(key, **params)}, status
    return render_template("error.html", status=status, message=_(key, **params)), status
