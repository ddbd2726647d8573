"""The X sync's API answers as its spec says: runs by id, and the 409 of a sync that cannot start
(here: no X credentials; the sync itself is tested in test_x_sync.py)."""

from __future__ import annotations

import pytest
import schemathesis

from .helpers import error_fields


@pytest.fixture(autouse=True)
def no_x_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("X_ACCESS_TOKEN", "X_BEARER_TOKEN", "X_CLIENT_ID", "X_USERNAME"):
        monkeypatch.delenv(f"RAPPORT_{name}", raising=False)


@pytest.mark.parametrize("run_id", ["999", str(2**63 - 1), str(2**63), "5" * 30])
def test_unknown_run_is_404(client, run_id):
    """Regression (schemathesis): an id beyond SQLite's integers was a 500 (OverflowError)."""
    response = client.get(f"/api/sync/runs/{run_id}")
    assert response.status_code == 404, response.get_data()[:300]
    assert response.get_json()["error"]["code"] == "not_found"


def test_sync_without_credentials_is_a_documented_409(client):
    """Regression (schemathesis): the 409 was not in the spec."""
    response = client.post("/api/sync", json={})
    assert response.status_code == 409
    assert error_fields(response) == {}
    document = client.get("/api/openapi.json").get_json()
    assert "409" in document["paths"]["/api/sync"]["post"]["responses"]
    schemathesis.openapi.from_dict(document)["/api/sync"]["POST"].validate_response(response)
    assert client.get("/api/sync/runs").get_json() == []  # nothing was started
