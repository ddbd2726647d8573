"""Keeping the server's resident memory small over a long session.

Python gives the memory of freed objects back to the C allocator, but glibc's allocator keeps it
(one heap, an "arena", per worker thread that ever allocated) instead of returning it to the
system. After an export, an import or a heavy page the server would go on holding hundreds of
megabytes it no longer uses. Two things keep it small, where the C library is glibc (elsewhere
both do nothing):

- `limit_arenas` caps the heaps at two for all threads (set before the worker threads start);
- `release` hands the free memory of those heaps back to the system (`malloc_trim`); the app
  calls it after a request that left the heap grown (see `install`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import resource
import threading
from typing import Any

from flask import Flask

_M_ARENA_MAX = -8  # mallopt's parameter number in glibc's malloc.h
ARENAS = 2
# A request that left this much more memory resident than the last release triggers another.
GROWTH_BYTES = 16 * 1024 * 1024

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


def install(app: Flask, growth: int = GROWTH_BYTES) -> None:
    """After each request, release free memory if the process grew by `growth` bytes since the
    last release (a cheap read of /proc; the release itself takes a few milliseconds)."""
    if _glibc() is None:
        return
    baseline = [resident_bytes()]

    @app.teardown_request
    def _release_if_grown(exc: BaseException | None) -> None:
        if resident_bytes() - baseline[0] < growth or not _lock.acquire(blocking=False):
            return
        try:
            release()
            baseline[0] = resident_bytes()
        finally:
            _lock.release()
