"""The server hands freed memory back to the system after a request that grew it (with glibc;
elsewhere it leaves the allocator alone)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from flask import Response, request
from werkzeug.test import EnvironBuilder
from werkzeug.wsgi import wrap_file

from rapport import memory
from rapport.db import close_idle_connections, database

from .helpers import BASE_URL, TOKEN


def test_resident_memory_is_read_from_the_system():
    assert memory.resident_bytes() > 10 * 1024 * 1024


def _wait_for(check, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.01)
    return check()


def _call(client, path="/api/health"):
    response = client.get(path)
    response.close()  # as the server does once the answer is sent
    return response.status_code


def test_memory_is_released_after_a_request_that_grew_it(app, client, monkeypatch):
    monkeypatch.setattr(memory, "_glibc", lambda: object())
    monkeypatch.setattr(memory, "IDLE_S", 0)
    released = []
    monkeypatch.setattr(memory, "release", lambda: released.append(1) or True)
    grow = memory.GROWTH_BYTES
    # install; then each request: at its start, at its end (and after a release: the new size)
    sizes = iter([100, 100, 100 + grow - 1, 100 + grow - 1, 100 + 2 * grow - 1, 90, 90, 95])
    monkeypatch.setattr(memory, "resident_bytes", lambda: next(sizes))
    memory.install(app)
    assert _call(client) == 200  # grew by less than GROWTH_BYTES: nothing
    time.sleep(0.05)
    assert released == []
    assert _call(client) == 200  # grew by GROWTH_BYTES over the request: released once sent
    assert _wait_for(lambda: released == [1])
    assert _call(client) == 200  # 90 to 95: nothing
    time.sleep(0.05)
    assert released == [1]


def test_page_caches_filling_over_many_requests_keep_their_connections(app, client, monkeypatch):
    """Growth over many small requests is released, but the connections (and their warm page
    caches) are kept: only a request that grew the process by itself closes them."""
    monkeypatch.setattr(memory, "_glibc", lambda: object())
    monkeypatch.setattr(memory, "IDLE_S", 0)
    released, closed = [], []
    monkeypatch.setattr(memory, "release", lambda: released.append(1) or True)
    step = memory.GROWTH_BYTES // 4
    # install; four requests each growing by a quarter; the fourth finds the whole growth
    sizes = iter([100, 100, 100 + step, 100 + step, 100 + 2 * step, 100 + 2 * step,
                  100 + 3 * step, 100 + 3 * step, 100 + 4 * step, 100 + 4 * step])  # fmt: skip
    monkeypatch.setattr(memory, "resident_bytes", lambda: next(sizes))
    memory.install(app, before_release=lambda: closed.append(1))
    for _ in range(4):
        assert _call(client) == 200
    assert _wait_for(lambda: released == [1])
    assert closed == []


def test_a_big_request_lets_the_idle_connections_go(app, client, monkeypatch):
    """After the big request the idle connections are closed (their page caches and prepared
    statements freed); the next request opens a fresh one and works."""
    monkeypatch.setattr(memory, "_glibc", lambda: object())
    monkeypatch.setattr(memory, "IDLE_S", 0)
    released = []
    monkeypatch.setattr(memory, "release", lambda: released.append(1) or True)
    grow = memory.BIG_REQUEST_BYTES
    sizes = iter([100, 100, 100 + grow, 90, 90, 91, 91, 92])  # install; start, end (, released)
    monkeypatch.setattr(memory, "resident_bytes", lambda: next(sizes))
    served = []
    monkeypatch.setattr(database, "_connect", _recording(database._connect, served))
    memory.install(app, before_release=close_idle_connections)
    assert _call(client) == 200  # grew: its connection is closed once it is back in the pool
    assert _wait_for(lambda: released == [1])
    assert _call(client) == 200  # a new connection
    assert _call(client) == 200  # did not grow: the pooled one again
    first, second, third = served
    assert second is not first and third is second
    with pytest.raises(sqlite3.ProgrammingError):
        first.execute("SELECT 1")


def _growing(monkeypatch):
    """Releases noted by time; the process seen as grown by GROWTH_BYTES since install."""
    monkeypatch.setattr(memory, "_glibc", lambda: object())
    released = []
    monkeypatch.setattr(memory, "release", lambda: released.append(time.monotonic()) or True)
    size = [100]
    monkeypatch.setattr(memory, "resident_bytes", lambda: size[0])
    return released, size


def test_the_release_waits_until_requests_stop_coming(app, client, monkeypatch):
    """While requests keep coming (gaps shorter than IDLE_S) nothing is released: a release
    would hold the allocator while they run. Once they stop, it comes IDLE_S later."""
    released, size = _growing(monkeypatch)
    monkeypatch.setattr(memory, "IDLE_S", 0.3)
    memory.install(app)
    size[0] += memory.GROWTH_BYTES
    until = time.monotonic() + 1.0
    while time.monotonic() < until:
        assert _call(client) == 200
        time.sleep(0.05)
    last = time.monotonic()
    assert released == []
    assert _wait_for(lambda: released)
    assert released[0] - last >= 0.25


def test_the_release_waits_for_a_request_under_way(app, client, monkeypatch):
    released, size = _growing(monkeypatch)
    monkeypatch.setattr(memory, "IDLE_S", 0.1)
    entered, go_on = threading.Event(), threading.Event()

    @app.get("/slow")
    def slow():
        entered.set()
        go_on.wait(5)
        return {"ok": True}

    memory.install(app)
    under_way = threading.Thread(target=_call, args=(client, "/slow"))
    under_way.start()
    assert entered.wait(5)
    size[0] += memory.GROWTH_BYTES
    assert _call(client) == 200  # grown: a release is due
    time.sleep(0.6)
    assert released == []  # /slow is still being answered
    go_on.set()
    under_way.join()
    assert _wait_for(lambda: released)


class FileWrapper:
    """A server's own wsgi.file_wrapper (waitress sends such a body straight from the file)."""

    def __init__(self, file, block_size=8192):
        self.file, self.block_size = file, block_size

    def __iter__(self):
        return iter(lambda: self.file.read(self.block_size), b"")

    def close(self):
        self.file.close()


def test_a_file_answer_reaches_the_server_in_its_own_wrapper(app, monkeypatch, tmp_path):
    """A big file answer (an export) is released after without hiding the file from the server:
    the body it gets back is still its own file wrapper."""
    monkeypatch.setattr(memory, "_glibc", lambda: object())
    monkeypatch.setattr(memory, "IDLE_S", 0)
    released = []
    monkeypatch.setattr(memory, "release", lambda: released.append(1) or True)
    grow = memory.BIG_REQUEST_BYTES
    sizes = iter([100, 100, 100 + grow, 90])  # install; start, end, after the release
    monkeypatch.setattr(memory, "resident_bytes", lambda: next(sizes))
    (tmp_path / "big.json").write_bytes(b"[1, 2, 3]")

    @app.get("/file-answer")
    def file_answer():
        body = wrap_file(request.environ, (tmp_path / "big.json").open("rb"))
        return Response(body, mimetype="application/json", direct_passthrough=True)

    memory.install(app)
    environ = EnvironBuilder(
        path="/file-answer", base_url=BASE_URL, headers={"Authorization": f"Bearer {TOKEN}"}
    ).get_environ()
    environ["wsgi.file_wrapper"] = FileWrapper
    started = []
    body = app(environ, lambda status, headers: started.append(status))  # as the server calls it
    assert started == ["200 OK"]
    assert isinstance(body, FileWrapper)
    assert b"".join(body) == b"[1, 2, 3]"
    body.close()
    assert _wait_for(lambda: released == [1])


def _recording(connect, served):
    def connect_and_note():
        conn = connect()
        served.append(conn)
        return conn

    return connect_and_note


def test_the_x_client_is_not_loaded_until_it_is_used(tmp_path):
    """A server that never talks to X does not hold tweepy and requests in memory."""
    code = (
        "import sys; from rapport import create_app; import rapport.cli; "
        f"create_app({{'HOME': {str(tmp_path)!r}}}); "
        "print(sorted(m for m in ('tweepy', 'requests', 'requests_oauthlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


LARGE_BLOCKS = """
import sys
from rapport import memory
if sys.argv[1] == "limited":
    assert memory.limit_arenas()
before = memory.resident_bytes()
kept = []
for _ in range(6):
    block = b"x" * (8 * 1024 * 1024)  # a file block being sent, say
    kept.append(bytearray(2000))  # something small that outlives it
    del block
print((memory.resident_bytes() - before) // (1024 * 1024))
"""


@pytest.mark.skipif(memory._glibc() is None, reason="glibc's allocator only")
def test_large_blocks_freed_are_not_kept_in_the_heap():
    """By default glibc raises its large-block threshold after each one freed, so later ones
    land in the heap and stay resident; the server fixes the threshold when it starts."""

    def grown(mode: str) -> int:
        run = subprocess.run([sys.executable, "-c", LARGE_BLOCKS, mode], capture_output=True,
                             text=True, check=True)  # fmt: skip
        return int(run.stdout)

    assert grown("default") >= 6  # MB: what the server would keep after such a request
    assert grown("limited") <= 1


def test_without_glibc_the_allocator_is_left_alone(app, monkeypatch):
    monkeypatch.setattr(memory, "_glibc", lambda: None)
    hooks = list(app.teardown_request_funcs.get(None, []))
    assert memory.limit_arenas() is False
    assert memory.release() is False
    memory.install(app)
    assert app.teardown_request_funcs.get(None, []) == hooks


def test_the_allocator_gives_memory_back():
    block = [bytearray(64 * 1024) for _ in range(2_000)]  # about 130 MB in heap blocks
    del block
    before = memory.resident_bytes()
    memory.release()
    assert memory.resident_bytes() <= before
