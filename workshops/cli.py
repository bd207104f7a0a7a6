"""Flask CLI commands: facilitator accounts, the demo workshops, the database schema."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from db import session_scope, upgrade_schema
from workshops import demo, services
from workshops.domain import WorkshopError


def register(app: Flask) -> None:
    app.cli.add_command(create_facilitator)
    app.cli.add_command(load_demo)
    app.cli.add_command(upgrade_db)


@click.command("create-facilitator")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option()
@with_appcontext
def create_facilitator(email: str, name: str, password: str) -> None:
    """Create a facilitator account (the password is stored hashed)."""
    with session_scope(current_app) as session:
        try:
            services.create_facilitator(session, email=email, name=name, password=password)
        except WorkshopError as exc:
            raise click.ClickException(exc.key) from None
    click.echo(f"Facilitator {email} created.")


@click.command("load-demo")
@with_appcontext
def load_demo() -> None:
    """Create the demo facilitator and the WS1 and WS2 demo workshops unless they exist."""
    with session_scope(current_app) as session:
        info = demo.ensure_demo(session)
    click.echo(f"Demo workshop: {info.title} (join code {info.join_code})")
    click.echo(f"WS2 demo workshop: join code {info.ws2_join_code}")


@click.command("upgrade-db")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def upgrade_db(revision: str) -> None:
    """Apply the database migrations (run once before starting several server processes)."""
    upgrade_schema(current_app.extensions["db.engine"], revision)
    click.echo(f"Database at revision {revision}.")
