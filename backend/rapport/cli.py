"""The `rapport` command: serve the local API, show the pairing token, export, import, import an X
data archive, stats and a health check of the installation.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import socket
import stat
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .config import DEFAULT_PORT, load_config

LOOPBACK_HELP = (
    "Rapport only listens on this machine (loopback): your relationship data never leaves it."
)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _settings(**overrides: Any) -> dict[str, Any]:
    return load_config({k: v for k, v in overrides.items() if v is not None})


def bind_address(host: str) -> str:
    """The address to listen on for `host`: 'localhost' may resolve to both 127.0.0.1 and ::1,
    which would open two sockets (on two ports with --port 0), so it means 127.0.0.1."""
    return "127.0.0.1" if host.lower() == "localhost" else host.strip("[]")


def _database_problem(path: str, error: Exception) -> click.ClickException:
    return click.ClickException(
        f"Cannot open the database {path}: {error}. "
        "'rapport doctor' checks it; restore it from an export ('rapport import') if it is damaged."
    )


def _open_db(settings: dict[str, Any]) -> None:
    from peewee import DatabaseError

    from . import migrations
    from .db import database, open_database

    open_database(settings["DATABASE"])
    try:
        database.connect(reuse_if_open=True)
        migrations.upgrade(database)
    except migrations.SchemaTooNewError as error:
        raise click.ClickException(str(error)) from error
    except DatabaseError as error:
        raise _database_problem(settings["DATABASE"], error) from error


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rapport")
def main() -> None:
    """Rapport: a private, local-first relationship CRM for X."""


@main.command()
@click.option(
    "--host", default=None, help=f"Address to listen on (default 127.0.0.1). {LOOPBACK_HELP}"
)
@click.option(
    "--port",
    "-p",
    type=int,
    default=None,
    help=f"Port (default {DEFAULT_PORT}; 0 picks a free one).",
)
def serve(host: str | None, port: int | None) -> None:
    """Run the companion server for the extension and the dashboard."""
    from peewee import DatabaseError
    from waitress import create_server

    from . import create_app, memory
    from .db import close_idle_connections
    from .migrations import SchemaTooNewError
    from .pairing import ensure_token

    settings = _settings(HOST=host, PORT=port)
    if not is_loopback(settings["HOST"]):
        raise click.UsageError(
            f"{settings['HOST']!r} is not a loopback address. {LOOPBACK_HELP} "
            "Use 127.0.0.1, ::1 or localhost."
        )
    settings["HOST"] = bind_address(settings["HOST"])
    token, created = (
        (settings["TOKEN"], False) if settings["TOKEN"] else ensure_token(settings["HOME"])
    )
    try:
        app = create_app({k: settings[k] for k in ("HOME", "HOST", "PORT", "DATABASE")})
    except SchemaTooNewError as error:
        raise click.ClickException(str(error)) from error
    except DatabaseError as error:
        raise _database_problem(settings["DATABASE"], error) from error
    memory.limit_arenas()  # before the worker threads start
    memory.release()  # what the migrations at start used
    memory.install(app, before_release=close_idle_connections)
    try:
        server = create_server(
            app,
            host=settings["HOST"],
            port=settings["PORT"],
            threads=settings["THREADS"],
            ident="rapport",
            max_request_body_size=settings["MAX_IMPORT_BYTES"],
            clear_untrusted_proxy_headers=True,
        )
    except OSError as error:
        raise click.ClickException(
            f"Cannot listen on {settings['HOST']}:{settings['PORT']}: {error.strerror}. "
            "Is Rapport already running? ('rapport doctor' checks.)"
        ) from error
    app.config["PORT"] = server.effective_port
    shown_host = f"[{settings['HOST']}]" if ":" in settings["HOST"] else settings["HOST"]
    click.echo(f"Rapport {__version__} listening on http://{shown_host}:{server.effective_port}")
    click.echo(f"Data folder: {settings['HOME']}")
    click.echo(f"Database:    {settings['DATABASE']}")
    if created:
        click.echo(f"A pairing token was created: {token}")
    click.echo(
        "Pair the extension: open its options and paste the token "
        "(see it again any time with 'rapport token')."
    )
    sys.stdout.flush()
    # Waitress warns whenever a request waits for a free worker thread; a burst from the extension
    # does that routinely, so keep those warnings out of the user's terminal.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.close()


@main.command()
@click.option("--rotate", is_flag=True, help="Replace the token; the old one stops working.")
def token(rotate: bool) -> None:
    """Show the pairing token the extension needs."""
    from .pairing import ensure_token, rotate_token

    home = _settings()["HOME"]
    if rotate:
        click.echo(rotate_token(home))
        click.echo(
            "The old token no longer works: paste this one into the extension's options.", err=True
        )
    else:
        click.echo(ensure_token(home)[0])


@main.command("open")
@click.argument("path", required=False, default="/people")
@click.option("--no-browser", is_flag=True, help="Print the link instead of opening it.")
@click.option("--port", "-p", type=int, default=None, help="Port of the running server.")
def open_command(path: str, no_browser: bool, port: int | None) -> None:
    """Open the dashboard (at PATH, say /people/ada) in your browser, already signed in.

    Asks the running server for a one-time sign-in link, good for two minutes.
    """
    import webbrowser

    settings = _settings(PORT=port)
    url = _signin_link(settings, path if path.startswith("/") else f"/{path}")
    if no_browser:
        click.echo(url)
        return
    if webbrowser.open(url):
        click.echo("Opened the dashboard in your browser.", err=True)
    else:
        click.echo(
            f"No browser could be started; open this link (good once, for 2 minutes):\n{url}"
        )


def _signin_link(settings: dict[str, Any], path: str) -> str:
    """A one-time sign-in link from the running server (POST /api/dashboard/link)."""
    import http.client

    from .pairing import read_token

    host, port = bind_address(settings["HOST"]), settings["PORT"]
    shown = f"[{host}]" if ":" in host else host
    token = settings["TOKEN"] or read_token(settings["HOME"])
    if not token:
        raise click.ClickException(
            f"No pairing token in {settings['HOME']}: is Rapport set up there? "
            "Start it with 'rapport serve'."
        )
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request(
            "POST",
            "/api/dashboard/link",
            body=json.dumps({"next": path}),
            headers={
                "Host": f"{shown}:{port}",
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
            },
        )
        response = connection.getresponse()
        body = json.loads(response.read() or b"{}")
    except (OSError, http.client.HTTPException) as error:
        raise click.ClickException(
            f"Rapport is not running on http://{shown}:{port} ({error}). "
            "Start it with 'rapport serve' (or give its --port)."
        ) from error
    except ValueError as error:
        raise click.ClickException(
            f"Something else answers on http://{shown}:{port}: is it Rapport?"
        ) from error
    finally:
        connection.close()
    if response.status == 200 and isinstance(body, dict) and "url" in body:
        return body["url"]
    problem = body.get("error", {}) if isinstance(body, dict) else {}
    if response.status == 401:
        raise click.ClickException(
            f"The server on port {port} does not take the token in {settings['HOME']}: "
            "is it using another data folder?"
        )
    fields = "; ".join(" ".join(texts) for texts in problem.get("fields", {}).values())
    raise click.ClickException(
        f"{problem.get('message') or f'The server answered {response.status}.'} {fields}".strip()
    )


@main.command("export")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
def export_command(file: str) -> None:
    """Write everything to FILE as one JSON document ('-' for standard output)."""
    from .services import transfer

    settings = _settings()
    _open_db(settings)
    from .models import Person

    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    if file == "-":
        for text in transfer.export_chunks(dumps):
            sys.stdout.write(text)
        sys.stdout.write("\n")
        return
    # Written next to FILE, then moved over it: an export that fails leaves the old file whole.
    target = Path(file)
    partial = target.with_name(f".{target.name}.partial")
    with partial.open("w", encoding="utf-8") as out:
        for text in transfer.export_chunks(dumps):
            out.write(text)
        out.write("\n")
    partial.replace(target)
    click.echo(f"Exported {Person.select().count()} people to {file}", err=True)


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
def import_command(file: str) -> None:
    """Merge a JSON export from FILE into the database (safe to repeat)."""
    from .problems import ApiError
    from .services import transfer

    settings = _settings()
    _open_db(settings)
    try:
        raw = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        document = json.loads(raw)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise click.ClickException(f"{file} is not a readable JSON export: {error}") from error
    try:
        summary = transfer.import_document(document)
    except ApiError as error:
        detail = "; ".join(f"{k}: {v}" for k, v in error.fields.items())
        raise click.ClickException(f"{error.message} {detail}".strip()) from error
    click.echo(json.dumps(summary, indent=1))


@main.command("import-archive")
@click.argument("path", type=click.Path(path_type=Path))
def import_archive_command(path: Path) -> None:
    """Bring in your X data archive (the zip X sends, or its unpacked folder): replies, mentions,
    reposts and direct messages become contact history, following and followers set the follow
    flags, liked posts wait for an X lookup to name their authors, and the lists you made on X
    get a list here. Safe to repeat: nothing is added twice."""
    from .services import sync_log
    from .x.archive_import import import_archive
    from .x.archive_reader import ArchiveError

    settings = _settings()
    _open_db(settings)
    run_id = sync_log.start("archive", scope=path.name, exclusive=False)
    try:
        summary = import_archive(path)
    except ArchiveError as error:
        sync_log.finish(run_id, "failed", error=f"{error} Nothing was imported.")
        raise click.ClickException(f"{error} Nothing was imported.") from error
    except BaseException as error:
        sync_log.finish(run_id, "failed", error=f"Stopped: {error.__class__.__name__}")
        raise
    sync_log.finish(run_id, "done", summary=summary)
    width = max(len(name) for name in summary) + 2
    click.echo(f"Imported {path}:")
    for name, value in summary.items():
        click.echo(f"  {name.replace('_', ' '):<{width}}{value}")


@main.command()
def stats() -> None:
    """Counts of people, interactions, notes and lists, by stage and tier."""
    from .services.stats import collect

    settings = _settings()
    _open_db(settings)
    numbers = collect(settings["TIER_THRESHOLDS"])
    width = max(len(k) for k in numbers["totals"]) + 2
    for name, value in numbers["totals"].items():
        click.echo(f"{name:<{width}}{value}")
    click.echo("\nBy stage:")
    for name, value in numbers["stages"].items():
        click.echo(f"  {name:<{width}}{value}")
    click.echo("\nBy tier:")
    for name, value in numbers["tiers"].items():
        click.echo(f"  {name:<{width}}{value}")


@main.command()
@click.option("--port", "-p", type=int, default=None, help="Port to check (default: configured).")
def doctor(port: int | None) -> None:
    """Check the data folder, the database, the port and the token's permissions."""
    settings = _settings(PORT=port)
    problems = 0

    def report(ok: bool, message: str, fix: str = "") -> None:
        nonlocal problems
        click.echo(
            ("ok    " if ok else "FAIL  ")
            + message
            + ("" if ok or not fix else f"\n      fix: {fix}")
        )
        problems += 0 if ok else 1

    home: Path = settings["HOME"]
    home_ok = home.is_dir() and os.access(home, os.W_OK)
    report(home_ok, f"data folder {home}", "run 'rapport serve' once, or check its permissions")
    report(*_check_database(settings["DATABASE"]))
    report(*_check_token_file(home))
    report(*_check_port(bind_address(settings["HOST"]), settings["PORT"]))
    if problems:
        raise SystemExit(1)


def _check_database(path: str) -> tuple[bool, str, str]:
    import sqlite3

    from . import migrations

    if not Path(path).exists():
        return True, f"database {path} (not created yet; 'rapport serve' creates it)", ""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
            version = connection.execute("PRAGMA user_version").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error as error:
        return False, f"database {path}: {error}", "restore it from an export ('rapport import')"
    if result != "ok":
        return False, f"database {path}: {result}", "restore it from an export ('rapport import')"
    if version > migrations.LATEST_VERSION:
        return False, f"database schema {version} is newer than this Rapport", "upgrade Rapport"
    return True, f"database {path} (integrity ok, schema {version})", ""


def _check_token_file(home: Path) -> tuple[bool, str, str]:
    from .pairing import token_path

    path = token_path(home)
    if not path.exists():
        return True, "token (not created yet; 'rapport serve' or 'rapport token' creates it)", ""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return False, f"token {path} is readable by others (mode {mode:o})", f"chmod 600 {path}"
    return True, f"token {path} (mode 600)", ""


def _check_port(host: str, port: int) -> tuple[bool, str, str]:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            running = _rapport_answers(host, port)
            if running:
                return True, f"port {port} is in use by Rapport {running}", ""
            return (
                False,
                f"port {port} on {host} is taken by another program",
                "stop it, or run 'rapport serve --port N' with a free port",
            )
    return True, f"port {port} on {host} is free", ""


def _rapport_answers(host: str, port: int) -> str | None:
    import http.client

    connection = http.client.HTTPConnection(host, port, timeout=2)
    try:
        shown = f"[{host}]" if ":" in host else host
        connection.request("GET", "/api/health", headers={"Host": f"{shown}:{port}"})
        response = connection.getresponse()
        body = json.loads(response.read() or b"{}")
    except (OSError, ValueError, http.client.HTTPException):
        return None
    finally:
        connection.close()
    if response.status != 200 or not isinstance(body, dict) or body.get("status") != "ok":
        return None
    version = body.get("version")
    return version if isinstance(version, str) else None


def _register_subcommands() -> None:
    from .cli_x import x_group

    main.add_command(x_group)


_register_subcommands()
