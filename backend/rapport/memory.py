"""Keeping the server's resident memory small over a long session.

Python gives the memory of freed objects back to the C allocator, but glibc's allocator keeps it
(one heap, an "arena", per worker thread that ever allocated) instead of returning it to the
system. After an export, an import or a heavy page the server would go on holding hundreds of
megabytes it no longer uses. Two things keep it small, where the C library is glibc (elsewhere
both do nothing):

- `limit_arenas` caps the heaps at two for all threads and keeps large blocks out of them (set
  before the worker threads start);
- `release` hands the free memory of those heaps back to the system (`malloc_trim`); the app
  calls it once the process has grown and the server is idle (see `install`), after collecting
  what requests left in reference cycles, and after a request that grew the process by 16 MB by
  itself also closing the idle database connections (their page caches and prepared
  statements), so that a few objects kept from a big request do not pin its memory.

Exports and large imports do not run in the server at all (see transfer_process).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import resource
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g

_M_ARENA_MAX = -8  # mallopt's parameter numbers in glibc's malloc.h
_M_MMAP_THRESHOLD = -3
_M_TRIM_THRESHOLD = -1
ARENAS = 2
# Blocks from this size on get memory of their own, returned to the system when freed; and free
# memory at the top of a heap beyond this is returned at once. These are glibc's starting values,
# but by default glibc raises both after each large block is freed, up to 32 and 64 MB: after a
# file was sent in blocks of a few megabytes (an export), the heap kept them.
LARGE_BLOCK_BYTES = 128 * 1024
# This much more memory resident than after the last release makes another due.
GROWTH_BYTES = 4 * 1024 * 1024
# A request that grew the process by this much itself also lets the idle connections go.
BIG_REQUEST_BYTES = 16 * 1024 * 1024
# The release waits until no request has been under way for this long.
IDLE_S = 0.5

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
    """Cap glibc's heaps at `arenas` for every thread, and keep large blocks out of them (see
    LARGE_BLOCK_BYTES); True if both were set."""
    libc = _glibc()
    return bool(
        libc is not None
        and libc.mallopt(_M_ARENA_MAX, arenas)
        and libc.mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK_BYTES)
        and libc.mallopt(_M_TRIM_THRESHOLD, LARGE_BLOCK_BYTES)
    )


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
    """Release free memory once the process has grown by `growth` bytes since the last release,
    as soon as the server has been idle for `IDLE_S` (no request under way): a release holds the
    allocator's lock for tens of milliseconds, which a request arriving meanwhile would wait on,
    and by then the server has dropped the requests with their bodies and parsed data. A garbage
    collection comes first (what requests left in reference cycles), then `release`. When one
    request grew the process by BIG_REQUEST_BYTES itself (a heavy page), `before_release` runs
    before both (to close the idle database connections: page caches filling over many small
    requests are kept). The check is a cheap read of /proc at each request's start and end."""
    if _glibc() is None:
        return
    releaser = _Releaser(growth, before_release)

    @app.before_request
    def _count_in() -> None:
        releaser.started()
        g.resident_at_start = resident_bytes()

    @app.after_request
    def _note_growth(response: Response) -> Response:
        releaser.grown(g.get("resident_at_start"))
        return response

    @app.teardown_request
    def _count_out(exc: BaseException | None) -> None:
        if g.pop("resident_at_start", None) is not None:
            releaser.ended()


class _Releaser:
    """When the next release is due, and running it once the server is idle."""

    def __init__(self, growth: int, before_release: Callable[[], None] | None) -> None:
        self.growth = growth
        self.before_release = before_release
        self.baseline = resident_bytes()
        self.state = threading.Lock()
        self.busy = 0  # requests under way
        self.quiet_since = time.monotonic()
        self.due = False
        self.big = False  # a request grew the process by BIG_REQUEST_BYTES itself
        self.timer: threading.Timer | None = None

    def started(self) -> None:
        with self.state:
            self.busy += 1

    def grown(self, at_start: int | None) -> None:
        now = resident_bytes()
        if now - self.baseline < self.growth:
            return
        with self.state:
            self.due = True
            self.big = self.big or (at_start is not None and now - at_start >= BIG_REQUEST_BYTES)

    def ended(self) -> None:
        with self.state:
            self.busy -= 1
            self.quiet_since = time.monotonic()
            if self.due and self.timer is None:
                self._check_in(IDLE_S)

    def _check_in(self, seconds: float) -> None:
        self.timer = threading.Timer(seconds, self._check)
        self.timer.daemon = True
        self.timer.start()

    def _check(self) -> None:
        with self.state:
            self.timer = None
            wait = self.quiet_since + IDLE_S - time.monotonic()
            if self.busy or wait > 0:
                self._check_in(max(wait, IDLE_S / 2))
                return
            big, self.due, self.big = self.big, False, False
        if not _lock.acquire(blocking=False):
            return  # another release is under way
        try:
            if big and self.before_release is not None:
                self.before_release()
            gc.collect()
            release()
            self.baseline = resident_bytes()
        finally:
            _lock.release()
