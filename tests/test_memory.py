"""The server hands freed memory back to the system after a request that grew it (with glibc;
elsewhere it leaves the allocator alone)."""

from __future__ import annotations

from rapport import memory


def test_resident_memory_is_read_from_the_system():
    assert memory.resident_bytes() > 10 * 1024 * 1024


def test_memory_is_released_after_a_request_that_grew_it(app, client, monkeypatch):
    monkeypatch.setattr(memory, "_glibc", lambda: object())
    released = []
    monkeypatch.setattr(memory, "release", lambda: released.append(1) or True)
    sizes = iter([100, 100 + memory.GROWTH_BYTES - 1, 100 + memory.GROWTH_BYTES, 90, 95])
    monkeypatch.setattr(memory, "resident_bytes", lambda: next(sizes))
    memory.install(app)  # baseline: 100
    client.get("/api/health")  # grew by less than GROWTH_BYTES: nothing
    assert released == []
    client.get("/api/health")  # grew by GROWTH_BYTES: released, new baseline 90
    assert released == [1]
    client.get("/api/health")  # 95: nothing
    assert released == [1]


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
