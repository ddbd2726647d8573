"""Keeping the server's resident memory small over a long session.

Python gives the memory of freed objects back to the C allocator, but glibc's allocator keeps it
(one heap, an "arena", per worker thread that ever allocated) instead of returning it to the
system. After an export, an import or a heavy page the server would go on holding hundreds of
megabytes it no longer uses. Two things keep it small, where the C library is glibc (elsewhere
both do nothing):

- `limit_arenas` caps the heaps at two for all threads (set before the worker threads start);
- `release` hands the free memory of those heaps back to the system (`malloc_trim`); the app
  calls it shortly after a request that found the process grown is over (see `install`), after
  collecting what requests left in reference cycles, and after a request that grew the process by
  itself (an export, an import) also closing the idle database connections (their page caches and
  prepared statements), so that a few objects kept from a big request do not pin its memory.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import resource
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g
from werkzeug.wsgi import ClosingIterator

_M_ARENA_MAX = -8  # mallopt's parameter number in glibc's malloc.h
ARENAS = 2
# This much more memory resident than after the last release triggers another.
GROWTH_BYTES = 16 * 1024 * 1024
# How long after such a request's answer is sent the release runs: by then the server has let go
# of the request (its environ holds the body and the parsed document until the answer is done).
RELEASE_DELAY_S = 0.2

_lock = threading.Lock()
_libc: Any = None
_libc_loaded = False


def _glibc() -> Any:
    """glibc, or None (another C library, or not Linux)."""
    global _libc, _libc_loaded
    if not _libc_loaded:
        _libc_loaded = True
        try:
            name = ctypes.util.find_library("c") or "libc.so.6"
            libc = ctypes.CDLL(name)
            libc.gnu_get_libc_version  # only glibc has it  # noqa: B018
            libc.malloc_trim.argtypes = [ctypes.c_size_t]
            libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
            _libc = libc
        except (OSError, AttributeError):
            _libc = None
    return _libc


def limit_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's heaps at `arenas` for every thread; True if the cap was set."""
    libc = _glibc()
    return bool(libc is not None and libc.mallopt(_M_ARENA_MAX, arenas))


def release() -> bool:
    """Give the allocator's free memory back to the system; True if any was returned."""
    libc = _glibc()
    return bool(libc is not None and libc.malloc_trim(0))


def resident_bytes() -> int:
    """This process's resident memory now (Linux), or 0 where it cannot be read."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize()
    except (OSError, IndexError, ValueError):
        return 0


def install(
    app: Flask, growth: int = GROWTH_BYTES, before_release: Callable[[], None] | None = None
) -> None:
    """Release free memory once the process has grown by `growth` bytes since the last release:
    shortly after the answer of the request that found it has been sent (`RELEASE_DELAY_S`), when
    the server has dropped that request with its body and parsed data. A garbage collection comes
    first (what requests left in reference cycles), then `release`. When that one request grew the
    process by `growth` itself (an export, an import), `before_release` runs before both (to close
    the idle database connections: page caches filling over many small requests are kept). The
    check is a cheap read of /proc; a release takes tens of milliseconds, on a thread of its own."""
    if _glibc() is None:
        return
    baseline = [resident_bytes()]

    def _release(big: bool) -> None:
        if not _lock.acquire(blocking=False):
            return  # another release is under way
        try:
            if big and before_release is not None:
                before_release()
            gc.collect()
            release()
            baseline[0] = resident_bytes()
        finally:
            _lock.release()

    def _release_soon(big: bool) -> Callable[[], None]:
        def start() -> None:
            timer = threading.Timer(RELEASE_DELAY_S, _release, (big,))
            timer.daemon = True
            timer.start()

        return start

    @app.before_request
    def _note_size() -> None:
        g.resident_at_start = resident_bytes()

    @app.after_request
    def _release_when_done_if_grown(response: Response) -> Response:
        now = resident_bytes()
        if now - baseline[0] < growth:
            return response
        then = _release_soon(now - g.get("resident_at_start", now) >= growth)
        if response.direct_passthrough:
            # A body sent as it is (a file): the server closes it once sent, never the response.
            response.response = ClosingIterator(response.response, then)
        else:
            response.call_on_close(then)
        return response
