"""Flask CLI commands: demo data and the first admin."""

import logging
import time

import click
from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from gardenhub import config, demo
from gardenhub.accounts import services as accounts
from gardenhub.accounts.models import Role
from gardenhub.community import goals
from gardenhub.db import utcnow
from gardenhub.extensions import db
from gardenhub.guests import services as guests
from gardenhub.hours import gate
from gardenhub.me import services as me_services
from gardenhub.notifications import delivery
from gardenhub.plots import waitlist
from gardenhub.projects import membership
from gardenhub.workdays import newcomers, reminders, signups

log = logging.getLogger(__name__)


def _commit_and_report(count: int, thing: str, done: str) -> None:
    """What every cron command ends with: commit, then one line for the log."""
    db.session.commit()
    click.echo(f"{count} {thing}{'s' if count != 1 else ''} {done}.")


users_cli = click.Group("users", help="Manage user accounts.")
signups_cli = click.Group("signups", help="Sign-up housekeeping for cron.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator", show_default=True)
@click.password_option(help="Asked for when not given.")
def create_admin(email: str, name: str, password: str) -> None:
    """Create an admin account, or make an existing account admin."""
    if not 8 <= len(password) <= 128:
        raise click.BadParameter("use 8 to 128 characters", param_hint="password")
    user = accounts.find_by_email(email)
    if user is None:
        user = accounts.create_account(
            email, name, password, role=Role.admin, now=utcnow()
        )
        message = f"Created admin {user.email}."
    else:
        user.role = Role.admin
        user.set_password(password)
        user.is_guest = False
        user.email_confirmed_at = user.email_confirmed_at or utcnow()
        message = f"{user.email} is now an admin; the password was reset."
    db.session.commit()
    click.echo(message)


@click.command("demo")
def demo_command() -> None:
    """Load demo data (development only; safe to run again)."""
    if not config.is_development(current_app.config):
        raise click.ClickException(
            "Demo data has known passwords; it is only loaded with "
            "GARDENHUB_ENV=development."
        )
    logins = demo.seed()
    db.session.commit()
    click.echo("Demo data is ready. Log in with:")
    for login in logins:
        click.echo(f"  {login.role:<12} {login.email:<28} password: {login.password}")
    click.echo(
        "The invitation-only circle's link (after the address you run on): "
        f"{demo.INVITE_PATH}"
    )


@signups_cli.command("erase-notes")
def erase_notes() -> None:
    """Erase volunteers' notes to coordinators GARDENHUB_SIGNUP_NOTE_DAYS after
    their workday (run daily)."""
    count = newcomers.erase_old_notes(now=utcnow())
    _commit_and_report(count, "sign-up note", "erased")


@signups_cli.command("expire-offers")
def expire_offers() -> None:
    """Pass expired waitlist offers on to the next person (run every few minutes)."""
    count = signups.expire_offers(now=utcnow())
    _commit_and_report(count, "expired offer", "passed on")


plots_cli = click.Group("plots", help="Plot waitlist housekeeping for cron.")


@plots_cli.command("expire-offers")
def expire_plot_offers() -> None:
    """Move expired plot offers to the next person; lapse stale requests."""
    count = waitlist.expire_offers(now=utcnow())
    _commit_and_report(count, "expired plot offer", "moved on")


outbox_cli = click.Group("outbox", help="Deliver queued messages.")
reminders_cli = click.Group("reminders", help="Shift reminders for cron.")


@outbox_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep running, checking every few seconds.")
@click.option(
    "--interval",
    type=float,
    default=None,
    help="Seconds between checks with --loop (default OUTBOX_POLL_SECONDS).",
)
def deliver_outbox(loop: bool, interval: float | None) -> None:
    """Send queued emails over SMTP and texts through the SMS backend (once,
    for cron; or --loop)."""
    if not delivery.channels():
        click.echo(
            "GARDENHUB_MAIL_SERVER is not set: messages stay in the outbox "
            "(admin page /admin/outbox)."
        )
        return
    if not delivery.smtp_configured():
        click.echo("GARDENHUB_MAIL_SERVER is not set: emails stay in the outbox.")
    pause = interval or current_app.config["OUTBOX_POLL_SECONDS"]
    while True:
        try:
            counts = delivery.deliver(now=utcnow())
        except SQLAlchemyError:
            if not loop:
                raise
            # The database went away for a moment: keep the worker alive.
            db.session.rollback()
            log.warning("outbox delivery could not reach the database; retrying")
        else:
            click.echo(
                f"sent {counts['sent']}, retry later {counts['retry']}, "
                f"failed {counts['failed']}"
            )
        if not loop:
            return
        time.sleep(pause)


@reminders_cli.command("send")
def send_reminders() -> None:
    """Queue reminders for shifts starting within GARDENHUB_REMINDER_HOURS."""
    count = reminders.send_due(now=utcnow())
    _commit_and_report(count, "reminder", "queued")


memberships_cli = click.Group("memberships", help="Project membership.")


@memberships_cli.command("end-pauses")
def end_pauses() -> None:
    """End pauses (of a membership or an account) whose end date has come."""
    count = membership.end_due_pauses(now=utcnow())
    _commit_and_report(count, "pause", "ended")


community_cli = click.Group("community", help="Goals and partners.")


@community_cli.command("goal-steps")
def goal_steps() -> None:
    """Tell partners when their member reached a new quarter of a goal."""
    count = goals.tell_partners(now=utcnow())
    _commit_and_report(count, "partner", "told")


privacy_cli = click.Group("privacy", help="Data retention.")


@privacy_cli.command("retention")
@click.option(
    "--days",
    type=int,
    default=None,
    help="Older than this (default GARDENHUB_RETENTION_DAYS).",
)
def retention(days: int | None) -> None:
    """Pseudonymise people on past sign-ups and hours (counts stay), and delete
    old messages from the outbox."""
    days = days if days is not None else current_app.config["RETENTION_DAYS"]
    now = utcnow()
    moved = me_services.pseudonymise_past(days=days, now=now)
    purged = me_services.purge_messages(days=days, now=now)
    forgotten = me_services.forget_unused_guests(guests.purge_ended(now=now))
    keys = gate.forget_old(now=now)
    db.session.commit()
    click.echo(
        f"{moved} rows older than {days} days no longer name a person; "
        f"{purged} old messages deleted from the outbox; "
        f"{forgotten} guests who never confirmed a link forgotten; "
        f"{keys} keys of check-ins sent from phones forgotten."
    )


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup(path: str) -> None:
    """Copy the SQLite database consistently while the app runs (online backup)."""
    import sqlite3

    if db.engine.dialect.name != "sqlite":
        raise click.ClickException(
            "This database is not SQLite; use pg_dump (see the README)."
        )
    with db.engine.connect() as connection:
        source = connection.connection.dbapi_connection
        target = sqlite3.connect(path)
        try:
            source.backup(target)
        finally:
            target.close()
    click.echo(f"Backed up to {path}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(privacy_cli)
    app.cli.add_command(memberships_cli)
    app.cli.add_command(community_cli)
    app.cli.add_command(backup)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(plots_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(signups_cli)
    app.cli.add_command(demo_command)
