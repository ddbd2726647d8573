"""Export and import in a short-lived child process, so the server's memory stays small.

Exporting 100,000 people encodes 1.6 million records (about 400 MB of JSON); an import parses a
whole document into Python objects. Run inside the server, either leaves Python's and the C
library's allocators holding a hundred megabytes or more that a long-running server does not get
back: a few objects that outlive the request pin whole arenas. Run in a child process
(`python -m rapport.transfer_process`) on the same database file, that memory goes back to the
system when the child exits, and the server's other requests (the extension's lookups) do not
wait on the export's Python work.

- `export_to(database, out)`: the child writes the export document (services.transfer) to `out`.
- `import_stream(database, stream)`: the body is copied to a temporary file a block at a time;
  the child reads the document from it and merges it (`services.transfer.import_document`: one
  write transaction, all or nothing). A document smaller than `CHILD_IMPORT_BYTES` is merged in
  the server itself: it needs little memory, and a child takes about 0.3 s to start.

The child answers one line of JSON on its standard output: `{"summary": {...}}`, `{"bytes": n}`,
or `{"error": {"status", "code", "message", "fields"}}`, an ApiError the server raises again.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from .problems import ApiError

# Import documents from this size on are parsed and merged in a child process.
CHILD_IMPORT_BYTES = 1024 * 1024
BLOCK = 64 * 1024
LEFTOVER_SECONDS = 86_400
PACKAGE_PARENT = Path(__file__).resolve().parent.parent


class UnreadableJson(ApiError):
    """The body is not JSON at all; `detail` says where the decoder stopped."""

    def __init__(self, detail: str) -> None:
        super().__init__(400, "invalid_json", "The body must be an export document in JSON.")
        self.detail = detail


class ChildFailed(RuntimeError):
    """The child process ended without an answer (a crash, or killed)."""


def scratch_file(database: str | Path, kind: str) -> Path:
    """A new empty file, readable by this user only, next to the database (where an export of
    everything has room, unlike a small /tmp); leftovers of its kind older than a day (from a
    server stopped mid-way) are removed first."""
    folder = Path(database).parent
    prefix = f"rapport-{kind}-"
    cutoff = time.time() - LEFTOVER_SECONDS
    for old in folder.glob(f"{prefix}*"):
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < cutoff:
                old.unlink()
    handle, name = tempfile.mkstemp(prefix=prefix, suffix=".json", dir=folder)
    os.close(handle)
    return Path(name)


def parse_document(body: bytes) -> Any:
    """The JSON value in `body`, or UnreadableJson."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:  # RecursionError: nested too deeply
        raise UnreadableJson(str(error) or type(error).__name__) from None


def export_to(database: str | Path, out: str | Path) -> int:
    """Write the export document of the database at `database` to the file `out`, in a child
    process; its size in bytes."""
    answer = _run(["export", str(database), str(out)])
    return int(answer["bytes"])


def import_stream(database: str | Path, stream: IO[bytes]) -> dict[str, int]:
    """Merge the export document read from `stream` into the database at `database` and return
    what was added or changed; an ApiError (UnreadableJson for a body that is not JSON) changes
    nothing. The body goes to a temporary file a block at a time; only a small one is read back
    whole into the server."""
    name = scratch_file(database, "import")
    try:
        with open(name, "wb") as file:
            shutil.copyfileobj(stream, file, BLOCK)
            size = file.tell()
        if size < CHILD_IMPORT_BYTES:
            from .services import transfer

            return transfer.import_document(parse_document(name.read_bytes()))
        answer = _run(["import", str(database), str(name)])
        return {str(key): int(value) for key, value in answer["summary"].items()}
    finally:
        name.unlink()


def _run(args: list[str]) -> dict[str, Any]:
    """Run the child with `args`; its answer, or its error raised again."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_PARENT), env.get("PYTHONPATH")]))
    done = subprocess.run(  # noqa: S603 (our own interpreter and module, no shell)
        [sys.executable, "-m", "rapport.transfer_process", *args],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=env,
        check=False,
    )
    try:
        answer = json.loads(done.stdout.decode("utf-8").strip().splitlines()[-1])
    except (IndexError, UnicodeDecodeError, ValueError):
        answer = None
    if done.returncode != 0 or not isinstance(answer, dict):
        tail = done.stderr.decode("utf-8", "replace").strip()[-2000:]
        raise ChildFailed(f"the {args[0]} process ended with {done.returncode}: {tail}")
    if "error" in answer:
        error = answer["error"]
        if error.get("code") == "invalid_json":
            raise UnreadableJson(str(error.get("detail", "")))
        raise ApiError(error["status"], error["code"], error["message"], error.get("fields"))
    return answer


def _child(args: list[str]) -> dict[str, Any]:
    """What the child does for `args`; its answer."""
    from .db import open_database

    if len(args) == 3 and args[0] == "export":
        from .services import transfer

        open_database(args[1])
        out = Path(args[2])
        with out.open("w", encoding="utf-8") as file:
            for text in transfer.export_chunks(_dumps):
                file.write(text)
            file.write("\n")
        return {"bytes": out.stat().st_size}
    if len(args) == 3 and args[0] == "import":
        from .services import transfer

        open_database(args[1])
        try:
            return {"summary": transfer.import_document(parse_document(Path(args[2]).read_bytes()))}
        except UnreadableJson as error:
            return {"error": {"code": error.code, "detail": error.detail}}
        except ApiError as error:
            keys = ("status", "code", "message", "fields")
            return {"error": {key: getattr(error, key) for key in keys}}
    raise SystemExit(
        "usage: python -m rapport.transfer_process (export DATABASE OUT | import DATABASE FILE)"
    )


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


if __name__ == "__main__":
    print(json.dumps(_child(sys.argv[1:])), flush=True)
