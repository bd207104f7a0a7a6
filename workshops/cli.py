"""Flask CLI commands: facilitator accounts, the demo workshops, the database schema, retention."""

from __future__ import annotations

import datetime as dt

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from db import session_scope, upgrade_schema
from workshops import demo, privacy, services
from workshops.domain import WorkshopError
from workshops.live import broadcaster


def register(app: Flask) -> None:
    app.cli.add_command(create_facilitator)
    app.cli.add_command(load_demo)
    app.cli.add_command(upgrade_db)
    app.cli.add_command(retention_command)


@click.command("create-facilitator")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option()
@click.option(
    "--lead", is_flag=True, help="A project lead: manages every workshop, project and account."
)
@with_appcontext
def create_facilitator(email: str, name: str, password: str, lead: bool) -> None:
    """Create a facilitator account (the password is stored hashed)."""
    with session_scope(current_app) as session:
        try:
            services.create_facilitator(
                session, email=email, name=name, password=password, is_lead=lead
            )
        except WorkshopError as exc:
            raise click.ClickException(exc.key) from None
    click.echo(f"{'Project lead' if lead else 'Facilitator'} {email} created.")


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


@click.command("retention")
@click.option("--delete", is_flag=True, help="Delete the listed workshops and old audit lines.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
@with_appcontext
def retention_command(delete: bool, yes: bool) -> None:
    """List the workshops older than RETENTION_DAYS (and audit lines older than
    AUDIT_RETENTION_DAYS); with --delete, delete them after confirmation."""
    days = current_app.config["RETENTION_DAYS"]
    audit_days = current_app.config["AUDIT_RETENTION_DAYS"]
    today = dt.date.today()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with session_scope(current_app) as session:
        due = privacy.due_workshops(session, today=today, days=days)
        expired = privacy.expired_audit_lines(session, now=now, days=audit_days)
        session.rollback()
        if days <= 0:
            click.echo("RETENTION_DAYS is 0: no workshop is flagged for deletion.")
        else:
            click.echo(f"Workshops older than {days} days: {len(due)}")
        for w in due:
            held = w.date.isoformat() if w.date else f"created {w.created_at.date().isoformat()}"
            click.echo(f"  #{w.id}  {held}  {w.title}  ({w.participants} participants)")
        click.echo(f"Audit lines older than {audit_days} days: {expired}")
        if not delete or not (due or expired):
            return
        if not yes:
            click.confirm(
                f"Delete {len(due)} workshops with everything in them and {expired} audit lines?",
                abort=True,
            )
        gone = privacy.delete_due_workshops(
            session, today=today, days=days, actor="flask retention"
        )
        pruned = privacy.prune_audit(session, now=now, days=audit_days)
    # Pages still open on a deleted workshop go (with a message queue, in every process)
    live = broadcaster(current_app)
    for w in gone:
        live.close(w.id, "deleted")
    click.echo(f"Deleted {len(gone)} workshops and {pruned} audit lines.")
