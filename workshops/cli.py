"""Flask CLI commands: facilitator accounts and the demo workshop."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from db import session_scope
from workshops import demo, services
from workshops.domain import WorkshopError


def register(app: Flask) -> None:
    app.cli.add_command(create_facilitator)
    app.cli.add_command(load_demo)


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
