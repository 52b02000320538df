"""`flask --app fieldapp …` commands."""

from __future__ import annotations

import click
from flask import Flask

from fieldapp.domain.roles import Role
from fieldapp.extensions import db
from fieldapp.services import accounts, demo


@click.command("create-user")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.ADMIN.value,
    show_default=True,
)
@click.option("--name", "full_name", help="Full name shown in the app.")
@click.password_option(help="Prompted (twice) when not given.")
def create_user(username: str, role: str, full_name: str | None, password: str) -> None:
    """Create a staff account (admin by default)."""
    try:
        user = accounts.create_user(username, password, Role(role), full_name)
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Usuario {user.username} creado con rol {user.role.value}.")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
def seed_demo(if_empty: bool) -> None:
    """Fill the database with demo data (users, API client, cases in every state)."""
    if not demo.is_empty():
        if if_empty:
            click.echo("La base de datos ya tiene datos: no se cargan datos de demostración.")
            return
        raise click.ClickException("La base de datos no está vacía.")
    counts = demo.seed()
    db.session.commit()
    summary = ", ".join(f"{name}: {count}" for name, count in counts.items())
    click.echo(f"Datos de demostración cargados ({summary}).")


def register_cli(app: Flask) -> None:
    """Attach the commands to `app`."""
    for command in (create_user, seed_demo):
        app.cli.add_command(command)
