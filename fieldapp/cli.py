"""`flask --app fieldapp …` commands."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask

from fieldapp.domain.case_flow import FLOW_LABELS, STATUS_LABELS
from fieldapp.domain.roles import Role
from fieldapp.ops import demo
from fieldapp.services.accounts import users
from fieldapp.services.cases import csv_import
from fieldapp.transaction import unit_of_work
from fieldapp.worker import jobs


@click.command("create-user")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.ADMIN.value,
    show_default=True,
)
@click.option("--name", "full_name", help="Full name shown in the app.")
@click.option("--branch", "branch_code", help="Code of the branch (counter) the person works at.")
@click.password_option(help="Prompted (twice) when not given.")
def create_user(
    username: str, role: str, full_name: str | None, branch_code: str | None, password: str
) -> None:
    """Create a staff account (admin by default)."""
    from fieldapp.services.organisation import branches

    branch = branches.by_code(branch_code)
    if branch_code and branch is None:
        raise click.BadParameter(f"No existe la sede {branch_code}.", param_hint="--branch")
    try:
        with unit_of_work():
            user = users.create_user(username, password, Role(role), full_name)
            user.branch_id = branch.id if branch is not None else None
    except users.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
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
    with unit_of_work():
        counts = demo.seed()
    summary = ", ".join(f"{name}: {count}" for name, count in counts.items())
    click.echo(f"Datos de demostración cargados ({summary}).")


@click.command("send-mail")
@click.option("--limit", default=50, show_default=True, help="Most messages to send this run.")
def send_mail(limit: int) -> None:
    """Send the e-mails waiting in the outbox (failures stay queued and are retried later)."""
    report = jobs.deliver_pending(limit=limit)
    click.echo(report.summary())


@click.command("issue-documents")
@click.option("--limit", default=50, show_default=True, help="Most documents to issue this run.")
def issue_documents(limit: int) -> None:
    """Issue the documents waiting in the queue (a failed render is retried on a later run)."""
    report = jobs.issue_pending(limit=limit)
    click.echo(report.summary())


@click.command("check-deadlines")
def check_deadlines() -> None:
    """Queue a warning for every deadline at risk or overdue (once each), then send the mail."""
    warned, report = jobs.check_deadlines()
    click.echo(f"plazos en riesgo avisados {warned}; {report.summary()}")


@click.command("import-cases")
@click.argument("file", type=click.File("rb"))
@click.option("--user", "username", help="Staff account recorded as the importer (audit trail).")
@click.option("--programme", "code", help="Programme code of rows without a programme column.")
def import_cases(file, username: str | None, code: str | None) -> None:
    """Import the Case Admin's CSV; report row by row (non-zero exit only for a file error)."""
    programme = _programme(code) if code else None
    actor = None
    if username:
        actor = users.find_user(username)
        if actor is None:
            raise click.ClickException(f"No existe el usuario {username}.")
    with unit_of_work():
        report = csv_import.import_cases(file, actor, programme=programme)
    if report.file_error:
        raise click.ClickException(report.file_error)
    for row in report.rows:
        head = f"fila {row.row}: {csv_import.OUTCOME_LABELS[row.outcome]} {row.case_number or '—'}"
        if row.outcome is csv_import.Outcome.IMPORTED:
            click.echo(f"{head} ({FLOW_LABELS[row.flow]}, {STATUS_LABELS[row.status]})")
        elif row.outcome is csv_import.Outcome.DUPLICATE:
            click.echo(f"{head}: {row.message}")
        else:
            click.echo(f"{head}: {'; '.join(row.reasons)}")
    if report.encoding_note:
        click.echo(report.encoding_note)
    click.echo(report.summary)


def _programme(code: str | None):
    """The programme named by `code` (the only one when None).

    :raises click.BadParameter: when there is no such programme, or several and no code.
    """
    from fieldapp.services.cases import intake

    try:
        return intake.programme_for(code)
    except LookupError as error:
        raise click.BadParameter(str(error), param_hint="--programme") from error


@click.command("statement")
@click.argument("month")
@click.option("--csv", "csv_file", type=click.File("wb"), help="Write the CSV here.")
@click.option("--pdf", "pdf_file", type=click.File("wb"), help="Write the PDF here.")
@click.option("--programme", "code", help="Programme code (needed when there are several).")
@click.option("--branch", "branch_code", help="Only the cases this branch served (its code).")
def statement(month: str, csv_file, pdf_file, code: str | None, branch_code: str | None) -> None:
    """Monthly statement of one programme's closed cases (MONTH as YYYY-MM), of every branch or
    of one (--branch): totals, CSV, PDF."""
    from fieldapp.services.organisation import branches
    from fieldapp.services.supervisor import statement as statement_service

    programme = _programme(code)
    branch = branches.by_code(branch_code)
    if branch_code and branch is None:
        raise click.BadParameter(f"No existe la sede {branch_code}.", param_hint="--branch")
    try:
        data = statement_service.build(month, programme, branch)
    except statement_service.StatementError as error:
        raise click.BadParameter(str(error), param_hint="MONTH") from error
    click.echo(f"Sede: {data.branch or 'todas'}")
    for flow, count in data.by_flow.items():
        click.echo(f"{FLOW_LABELS[flow]}: {count}")
    click.echo(f"Casos cerrados en {data.month}: {data.total}")
    click.echo(f"Con plazo cumplido: {data.met} ({data.met_percent:g} %)")
    if csv_file is not None:
        csv_file.write(statement_service.to_csv(data))
    if pdf_file is not None:
        pdf_file.write(statement_service.to_pdf(data))


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def backup(folder: Path) -> None:
    """Back up the database and the media files into FOLDER (new or empty), with a manifest."""
    from fieldapp.ops import backup as backup_service

    try:
        manifest = backup_service.create(folder)
    except backup_service.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(manifest.counts.values())
    click.echo(
        f"Copia de seguridad en {folder}: base de datos {manifest.engine} ({rows} filas), "
        f"{manifest.media_files} archivos de medios, manifiesto con SHA-256."
    )


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
def restore(folder: Path, force: bool) -> None:
    """Check every SHA-256 of the backup in FOLDER, then restore its database and media."""
    from fieldapp.ops import backup as backup_service

    try:
        manifest = backup_service.restore(folder, force=force)
    except backup_service.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Restaurada la copia del {manifest.created_at}: {sum(manifest.counts.values())} filas, "
        f"{manifest.media_files} archivos de medios."
    )


@click.command("export-customer")
@click.option("--document-id", required=True, help="The customer's DNI (or other document).")
@click.option("--case", "case_number", help="Only this case of the customer.")
@click.option("--output", "-o", type=click.File("w"), default="-", help="JSON file (stdout).")
def export_customer(document_id: str, case_number: str | None, output) -> None:
    """Everything stored about a customer, as JSON (Ley 29733 access request)."""
    from fieldapp.ops import privacy

    try:
        with unit_of_work():
            data = privacy.export_customer(document_id, case_number)
    except privacy.PrivacyError as exc:
        raise click.ClickException(str(exc)) from exc
    output.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


@click.command("anonymise-customers")
@click.option(
    "--older-than-days",
    type=click.IntRange(min=0),
    help="Cases ended longer ago than this (default FIELDAPP_RETENTION_DAYS).",
)
@click.option("--dry-run", is_flag=True, help="Only say how many customers are due.")
def anonymise_customers(older_than_days: int | None, dry_run: bool) -> None:
    """Anonymise customers whose cases all ended long ago (Ley 29733), keeping statistics."""
    from flask import current_app

    from fieldapp.ops import privacy

    days = older_than_days if older_than_days is not None else current_app.config["RETENTION_DAYS"]
    if dry_run:
        due = privacy.due_for_anonymising(days)
        click.echo(
            f"clientes por anonimizar (casos terminados hace más de {days} días): {len(due)}"
        )
        return
    with unit_of_work():
        report = privacy.anonymise_customers(days)
    privacy.delete_files(report)
    click.echo(report.summary())
    if report.documents_kept:
        click.echo(
            "Documentos emitidos conservados como registro legal (el PDF mantiene los datos "
            f"firmados): {', '.join(report.documents_kept)}"
        )


@click.command("worker")
@click.option(
    "--threads", type=click.IntRange(min=1), help="Worker threads (FIELDAPP_WORKER_THREADS)."
)
def worker(threads: int | None) -> None:
    """Process background jobs (documents, mail, optimiser, deadlines) until stopped."""
    import signal
    import threading

    from flask import current_app

    from fieldapp.worker import runner

    app = current_app._get_current_object()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    running = runner.start(app, threads=threads)
    click.echo("worker en marcha (Ctrl+C para detener)")
    stop.wait()
    running.stop()
    click.echo("worker detenido")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve the app with its worker in the same process (one command, nothing else to run)."""
    from flask import current_app
    from werkzeug.serving import run_simple

    from fieldapp.worker import runner

    app = current_app._get_current_object()
    running = runner.start(app)
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        running.stop()


def register_cli(app: Flask) -> None:
    """Attach the commands to `app`."""
    for command in (
        create_user,
        seed_demo,
        send_mail,
        issue_documents,
        check_deadlines,
        import_cases,
        statement,
        backup,
        restore,
        export_customer,
        anonymise_customers,
        worker,
        serve,
    ):
        app.cli.add_command(command)
