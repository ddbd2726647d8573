"""`rapport x …`: connect Rapport to the X API and sync with it.

- `login` / `logout` / `status`: sign in with OAuth 2.0 (PKCE), forget the token, show the state;
- `sync [--list SLUG] [--dry-run] [--full]`: pull lists, follows, mentions and likes, push linked
  lists, with progress bars; a dry run prints the plan and its cost in requests;
- `link SLUG X_LIST` / `link SLUG --create` / `unlink SLUG`: tie a local list to an X list;
- `resolve [--dry-run] [--yes]`: look up people known only by id and the authors of pending likes,
  after saying how many requests it takes.
"""

from __future__ import annotations

import math
import sys
import threading
import time
import webbrowser
from datetime import datetime
from typing import Any

import click

from .cli import _open_db, _rapport_answers, _settings, bind_address
from .problems import ApiError
from .x.list_urls import parse_list_ref


@click.group("x")
def x_group() -> None:
    """Connect to the X API and sync lists, follows, mentions and likes (docs/x-sync.md)."""


# ---- sign-in -------------------------------------------------------------------------------------


@x_group.command()
@click.option("--no-browser", is_flag=True, help="Print X's sign-in link instead of opening it.")
@click.option("--port", "-p", type=int, default=None, help="Port of Rapport's server.")
@click.option("--timeout", type=int, default=600, show_default=True, help="Seconds to wait.")
def login(no_browser: bool, port: int | None, timeout: int) -> None:
    """Sign in to X (OAuth 2.0 with PKCE) and store the token for syncing.

    X sends your browser back to http://127.0.0.1:PORT/x/callback: register exactly that as the
    callback URL of your X app. The running Rapport server answers it, or this command does.
    """
    from .x.client import XApiError
    from .x.credentials import token_path
    from .x.login import begin, pending, redirect_uri

    settings = _settings(PORT=port)
    try:
        url = begin(settings)
    except XApiError as error:
        raise click.ClickException(str(error)) from error
    host, port_number = bind_address(settings["HOST"]), settings["PORT"]
    server = None if _rapport_answers(host, port_number) else _callback_server(settings)
    before = _mtime(token_path(settings["HOME"]))
    try:
        click.echo(f"X will send you back to {redirect_uri(settings)} (your app's callback URL).")
        if no_browser or not webbrowser.open(url):
            click.echo(f"Open this link to sign in to X:\n{url}")
        else:
            click.echo("Opened X's sign-in page in your browser.")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _mtime(token_path(settings["HOME"])) != before:
                break
            if not pending(settings["HOME"]):
                raise click.ClickException("The sign-in was not completed: see the browser tab.")
            time.sleep(0.25)
        else:
            raise click.ClickException("Gave up waiting for X's answer. Run the command again.")
    finally:
        if server is not None:
            server.shutdown()
    click.echo("Connected to X. 'rapport x sync --dry-run' shows what a sync would do.")


def _mtime(path: Any) -> float | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _callback_server(settings: dict[str, Any]) -> Any:
    """Serve Rapport (for its /x/callback page) on the configured port while the sign-in runs."""
    from werkzeug.serving import make_server

    from . import create_app

    app = create_app({k: settings[k] for k in ("HOME", "HOST", "PORT", "DATABASE")})
    try:
        server = make_server(bind_address(settings["HOST"]), settings["PORT"], app, threaded=True)
    except OSError as error:
        raise click.ClickException(
            f"Port {settings['PORT']} is taken by something other than Rapport ({error}); X "
            "sends the sign-in back there. Free it, or use the port your X app's callback names."
        ) from error
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@x_group.command()
def logout() -> None:
    """Forget the stored X token (revoke Rapport's access on x.com as well if you wish)."""
    from .x.credentials import forget_token

    if forget_token(_settings()["HOME"]):
        click.echo("Forgot the X token.")
    else:
        click.echo("There was no stored X token.")


@x_group.command()
def status() -> None:
    """Show how Rapport reaches X, the last sync and the linked lists (no request to X)."""
    from .models import PersonList
    from .services import sync_log
    from .x.credentials import CredentialsMissing, credentials

    settings = _settings()
    _open_db(settings)
    try:
        found = credentials(settings)
        what = {
            "login": "signed in with 'rapport x login'",
            "environment": "the access token in X_ACCESS_TOKEN",
            "app": f"an app-only token (reads only) for @{settings['X_USERNAME']}",
        }[found.source]
        click.echo(f"X: {what}.")
        expires = (found.stored or {}).get("expires_at")
        if isinstance(expires, int | float):
            click.echo(f"Token valid until {datetime.fromtimestamp(expires):%Y-%m-%d %H:%M}.")
    except CredentialsMissing as error:
        click.echo(f"X: not connected. {error}")
    last = next(iter(sync_log.recent(kind="x-sync", limit=1)), None)
    if last is not None:
        click.echo(
            f"Last sync: {last.started_at:%Y-%m-%d %H:%M} UTC, {last.status}, "
            f"{last.requests} requests{'; ' + last.error if last.error else ''}."
        )
    for item in PersonList.select().where(PersonList.x_list_id.is_null(False)):
        synced = f"synced {item.x_synced_at:%Y-%m-%d %H:%M}" if item.x_synced_at else "not synced"
        owner = "yours" if item.x_owned else "followed" if item.x_owned is False else "?"
        click.echo(f"  {item.slug}: X list {item.x_list_id} ({owner}), {synced}")


# ---- sync ----------------------------------------------------------------------------------------


class _Bars:
    """One progress bar per step on stderr (a counter when the total is unknown)."""

    def __init__(self) -> None:
        self.step: str | None = None
        self.bar: Any = None
        self.done = 0

    def __call__(self, step: str, done: int, total: int | None) -> None:
        if step != self.step:
            self.close()
            self.step, self.done = step, 0
            if total:
                self.bar = click.progressbar(length=total, label=step, file=sys.stderr)
                self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(max(0, min(done, self.bar.length) - self.done))
        elif sys.stderr.isatty():
            click.echo(f"\r{step}: {done}", nl=False, err=True)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
        elif self.step is not None and sys.stderr.isatty():
            click.echo(err=True)


@x_group.command("sync")
@click.option("--list", "list_slug", default=None, help="Sync only this (linked) list.")
@click.option("--dry-run", is_flag=True, help="Print the plan and its cost; change nothing.")
@click.option("--full", is_flag=True, help="Re-read everything, even what looks unchanged.")
def sync_command(list_slug: str | None, dry_run: bool, full: bool) -> None:
    """Pull your X lists, follows, mentions and likes, and push your linked lists' changes."""
    from .x.credentials import CredentialsMissing
    from .x.sync import run_sync

    settings = _settings()
    _open_db(settings)
    bars = _Bars()
    try:
        run_id, report = run_sync(
            settings, dry_run=dry_run, full=full, list_slug=list_slug, progress=bars
        )
    except (CredentialsMissing, ApiError) as error:
        raise click.ClickException(getattr(error, "message", None) or str(error)) from error
    finally:
        bars.close()
    _print_report(report)
    if report.status == "failed":
        raise click.ClickException(report.error)
    if report.status == "partial":
        click.echo(f"Stopped early: {report.stopped or report.error}", err=True)
        sys.exit(3)


def _print_report(report: Any) -> None:
    verb = "would" if report.dry_run else "did"
    for item in report.lists:
        name = item.name + ("" if item.slug else " (new list)")
        if item.skipped:
            click.echo(f"{name}: unchanged on both sides, not re-read.")
            continue
        parts = [
            f"+{item.added_locally} / -{item.removed_locally} here",
            f"+{item.added_on_x} / -{item.removed_on_x} on X",
        ]
        if item.not_pushed:
            reason = "not your list" if not item.owned else "read-only token"
            parts.append(f"{item.not_pushed} change(s) kept here only ({reason})")
        if item.unresolved:
            parts.append(f"{item.unresolved} member(s) without a known X id")
        click.echo(f"{name}: {', '.join(parts)}")
        for problem in item.errors:
            click.echo(f"  {problem}", err=True)
    for name, value in report.counts.items():
        click.echo(f"{name.replace('_', ' ')}: {value}")
    for name, why in report.skipped.items():
        click.echo(f"{name}: {why} since the last sync, not re-read.")
    click.echo(f"Requests made: {report.requests}.")
    if report.dry_run:
        reads = ", ".join(f"{name} {count}" for name, count in report.estimate.items())
        click.echo(
            f"A sync {verb} make about {report.estimated_requests} more request(s): "
            f"{report.planned_writes} list write(s)" + (f"; reads: {reads}" if reads else "") + "."
        )
        click.echo("Nothing was changed (dry run).")


# ---- linking lists -------------------------------------------------------------------------------


@x_group.command()
@click.argument("slug")
@click.argument("x_list", required=False)
@click.option("--create", is_flag=True, help="Make a new X list with this list's name.")
@click.option("--private/--public", default=True, show_default=True, help="For --create.")
def link(slug: str, x_list: str | None, create: bool, private: bool) -> None:
    """Link the local list SLUG to the X list X_LIST (its URL or id), or to a new one."""
    from .services import lists
    from .x.client import XApi, XApiError
    from .x.credentials import CredentialsMissing

    settings = _settings()
    _open_db(settings)
    try:
        item = lists.get_list(slug)
        if create == bool(x_list):
            raise click.UsageError("Give the X list (URL or id), or --create, not both.")
        owned = None
        if create:
            api = XApi(settings)
            answer = api.call("create_list", item.name[:25], private=private)
            x_list_id, owned = str(answer.data["id"]), True
        else:
            x_list_id = parse_list_ref(x_list)
            if x_list_id is None:
                raise click.UsageError(f"{x_list!r} is not an X list URL (…/i/lists/<id>) or id.")
        lists.update_list(item, {"x_list_id": x_list_id})
        if owned:
            lists.update_list(item, {"x_owned": True})
    except (ApiError, CredentialsMissing, XApiError) as error:
        raise click.ClickException(getattr(error, "message", None) or str(error)) from error
    click.echo(
        f"{item.name} is linked to https://x.com/i/lists/{x_list_id}. "
        f"'rapport x sync --list {slug} --dry-run' shows what the first sync will do."
    )


@x_group.command()
@click.argument("slug")
def unlink(slug: str) -> None:
    """Unlink the local list SLUG from its X list (nothing is removed on either side)."""
    from .services import lists

    settings = _settings()
    _open_db(settings)
    try:
        lists.update_list(lists.get_list(slug), {"x_list_id": None})
    except ApiError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Unlinked {slug}.")


# ---- resolving ids -------------------------------------------------------------------------------


@x_group.command()
@click.option("--dry-run", is_flag=True, help="Only say what it would take.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before making the requests.")
def resolve(dry_run: bool, yes: bool) -> None:
    """Look up people known only by X id, and who wrote the posts of pending likes."""
    from .services import sync_log
    from .x.client import XApi, XApiError
    from .x.credentials import CredentialsMissing
    from .x.resolve import KIND, plan
    from .x.resolve import resolve as run

    settings = _settings()
    _open_db(settings)
    todo = plan()
    click.echo(
        f"{todo.people} people known only by id and {todo.likes} pending likes: "
        f"{todo.requests} X API request(s) ({math.ceil(todo.people / 100)} user lookups, "
        f"{math.ceil(todo.likes / 100)} post lookups)."
    )
    if dry_run or not todo.requests:
        return
    if not yes:
        click.confirm("Make these requests?", abort=True)
    try:
        api = XApi(settings)
    except CredentialsMissing as error:
        raise click.ClickException(str(error)) from error
    run_id = sync_log.start(KIND, scope="all")
    bars = _Bars()
    try:
        found = run(api, progress=bars)
    except XApiError as error:
        sync_log.finish(run_id, "failed", requests=api.requests, error=str(error))
        raise click.ClickException(str(error)) from error
    finally:
        bars.close()
    sync_log.finish(run_id, "done", requests=api.requests, summary=found)
    for name, value in found.items():
        click.echo(f"{name.replace('_', ' ')}: {value}")
    click.echo(f"Requests made: {api.requests}.")
