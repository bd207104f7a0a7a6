"""create_app(): configuration, database, blueprints, Socket.IO namespace and CLI commands."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import socketio as socketio_module
from flask import Flask
from flask_socketio import SocketIO

import db
import web
from workshops.shared_throttle import is_redis_url

DEV_SECRET = "dev-only-secret-never-use-in-production"


class ConfigError(RuntimeError):
    """The app refuses to start with an unsafe or broken configuration."""


def default_config(instance_path: str) -> dict[str, Any]:
    env = os.environ
    production = env.get("BRYGGA_ENV", "development") == "production"
    return {
        "BRYGGA_ENV": "production" if production else "development",
        "SECRET_KEY": env.get("SECRET_KEY", DEV_SECRET),
        "DATABASE_URL": env.get(
            "DATABASE_URL", f"sqlite:///{Path(instance_path) / 'brygga.sqlite3'}"
        ),
        # A Redis URL lets several server processes share one room; off by default.
        "SOCKETIO_MESSAGE_QUEUE": env.get("SOCKETIO_MESSAGE_QUEUE") or None,
        "SOCKETIO_ASYNC_MODE": env.get("SOCKETIO_ASYNC_MODE") or None,
        "SOCKETIO_CHANNEL": env.get("SOCKETIO_CHANNEL", "brygga"),
        # redis-py caps a pool at 100 connections and the Socket.IO Redis manager drops a message
        # when a burst needs more (every phone's connect-time state is one publish).
        "REDIS_MAX_CONNECTIONS": int(env.get("REDIS_MAX_CONNECTIONS", "2000")),
        # Tallies go to the console and projector at most this often per room (seconds), and
        # to the phones at most every PHONE_BROADCAST_INTERVAL (default: 4 x the former).
        "BROADCAST_INTERVAL": float(env.get("BROADCAST_INTERVAL", "0.25")),
        "PHONE_BROADCAST_INTERVAL": (
            float(env["PHONE_BROADCAST_INTERVAL"]) if env.get("PHONE_BROADCAST_INTERVAL") else None
        ),
        "PUBLIC_URL": env.get("PUBLIC_URL") or None,
        "TRUST_PROXY": env.get("TRUST_PROXY") == "1",
        # Pages that may open a Socket.IO connection: None is this server's own origin only
        # (engine.io compares the Origin header with the Host the request came to).
        "ALLOWED_ORIGINS": _origins(env.get("ALLOWED_ORIGINS")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_NAME": "brygga",
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(days=3),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        # "migrate" (Alembic upgrade at start), "create_all" (tests) or "none" (production with
        # several workers: run `flask --app app upgrade-db` once before starting them)
        "DATABASE_SCHEMA": env.get("DATABASE_SCHEMA", "migrate"),
        # Workshops older than this many days are flagged for deletion (0: never flagged);
        # audit lines older than AUDIT_RETENTION_DAYS are pruned by `flask retention --delete`.
        "RETENTION_DAYS": int(env.get("RETENTION_DAYS", "365")),
        "AUDIT_RETENTION_DAYS": int(env.get("AUDIT_RETENTION_DAYS", "730")),
    }


def _origins(raw: str | None) -> list[str] | None:
    """``ALLOWED_ORIGINS``: comma-separated origins such as ``https://brygga.example.se``.

    >>> _origins(" https://a.se, https://b.se/ ")
    ['https://a.se', 'https://b.se']
    >>> _origins("") is None
    True
    """
    origins = [o.strip().rstrip("/") for o in (raw or "").split(",") if o.strip()]
    return origins or None


def _message_queue(config: dict[str, Any]) -> dict[str, Any]:
    """The Socket.IO options for several processes: a Redis manager with a pool big enough for
    a room's bursts (or a Kafka/ZeroMQ/Kombu URL, handed to Flask-SocketIO as it is)."""
    url = config["SOCKETIO_MESSAGE_QUEUE"]
    if not url:
        return {}
    if not is_redis_url(url):
        return {"message_queue": url, "channel": config["SOCKETIO_CHANNEL"]}
    manager = socketio_module.RedisManager(
        url,
        channel=config["SOCKETIO_CHANNEL"],
        redis_options={"max_connections": config["REDIS_MAX_CONNECTIONS"]},
    )
    return {"client_manager": manager}


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application; ``test_config`` overrides the defaults and the environment."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(default_config(app.instance_path))
    if test_config:
        app.config.update(test_config)
    if app.config["BRYGGA_ENV"] == "production" and app.config["SECRET_KEY"] == DEV_SECRET:
        raise ConfigError("Set SECRET_KEY: the development key is refused in production.")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    import journey_maps.rows  # noqa: F401  (registers the tables)
    import reports.models  # noqa: F401
    import roles.models  # noqa: F401
    import workshops.models  # noqa: F401

    db.init_app(app)
    web.init_app(app)

    from journey_maps import export_views as journey_file_views
    from journey_maps import phone_views as journey_phone_views
    from journey_maps import views as journey_views
    from projects import views as project_views
    from reports import data_views as report_data_views
    from reports import verification_views
    from reports import views as report_views
    from roles import views as role_views
    from workshops import api, audit_views, auth_views, join_views, survey_views, views

    for blueprint in (
        auth_views.bp,
        auth_views.accounts,  # project leads only (web.LEAD_ONLY_BLUEPRINTS)
        views.bp,
        role_views.bp,
        journey_views.bp,
        journey_phone_views.bp,
        journey_file_views.bp,
        project_views.bp,
        report_views.bp,
        verification_views.bp,
        verification_views.public,  # /v/<token>: verifiers, no account
        report_data_views.bp,
        join_views.bp,
        api.bp,
        survey_views.bp,
        audit_views.bp,
    ):
        app.register_blueprint(blueprint)

    socketio = SocketIO(
        app,
        async_mode=app.config["SOCKETIO_ASYNC_MODE"],
        **_message_queue(app.config),
        cors_allowed_origins=app.config["ALLOWED_ORIGINS"],
        max_http_buffer_size=64 * 1024,
        ping_interval=20,
        ping_timeout=20,
    )
    from journey_maps.events import TOPIC, JourneyNamespace, read_board
    from workshops import live

    live.init_app(app, socketio)
    live.broadcaster(app).add_topic(TOPIC, read_board)
    socketio.on_namespace(JourneyNamespace("/live"))

    from workshops import cli

    cli.register(app)
    from journey_maps.cli import register_cli

    register_cli(app)
    return app
