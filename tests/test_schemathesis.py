"""Every operation of `/api/openapi.json`, fuzzed by schemathesis against a real `rapport serve`
over loopback HTTP, with the pairing token.

Each operation gets a fixed, derandomized budget of generated requests: valid ones (by the spec)
and, where the spec constrains something to break, invalid ones. Every answer must be a non-5xx
JSON answer whose status the spec documents and whose body matches the documented schema; invalid
requests must be refused with a 4xx. Half of the valid requests aim their path parameters at
objects that exist (a person, note, interaction, tag, stage and list), so the happy paths are
exercised too, not only the 404s.

No operation is excluded. Two need care:
- `POST /api/sync` starts an X sync in the background; the server runs without any X credentials
  (every `RAPPORT_*` setting is removed from its environment), so it must answer 409 and reach
  nothing outside this machine.
- `POST /api/import` takes its document as raw JSON (it may be hundreds of megabytes, so the spec
  declares no body schema): schemathesis sends no body and the answer must be the documented 400;
  arbitrary documents are covered by `tests/test_properties.py`.
The token is rotated only by the `rapport token --rotate` command, not by any operation.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from rapport import create_app
from rapport.db import close_database

from .helpers import BASE_URL, TOKEN, RunningServer, start_server

VALID_EXAMPLES = 30
INVALID_EXAMPLES = 15
# Statuses any operation may answer, described once for the whole API in docs/api.md and covered
# by the spec's `default` error response. Anything else (a 2xx, a 409) must be documented on the
# operation itself: `default` would otherwise let any status through.
GENERIC_ERRORS = frozenset({400, 401, 403, 404, 405, 413, 415, 422})
VALID_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
INVALID_CHECKS = [*VALID_CHECKS, negative_data_rejection]


def _load_spec() -> dict[str, Any]:
    """The app's OpenAPI document, read from a throwaway app (collection needs the operations
    before any server runs)."""
    with tempfile.TemporaryDirectory() as home:
        app = create_app({"HOME": Path(home), "TOKEN": TOKEN, "PORT": 7277})
        try:
            answer = app.test_client().get(
                "/api/openapi.json",
                base_url=BASE_URL,
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            assert answer.status_code == 200, answer.get_data()[:300]
            return answer.get_json()
        finally:
            close_database()


SPEC = _load_spec()
SCHEMA = schemathesis.openapi.from_dict(SPEC)
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}


def _can_be_invalid(label: str) -> bool:
    """Whether the spec constrains anything of the operation that a request could break: a body,
    a query parameter, or a path parameter that is not free text."""
    method, path = label.split(" ", 1)
    operation = SPEC["paths"][path][method.lower()]
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query":
            return True
        if parameter["in"] == "path" and parameter.get("schema", {}) != {"type": "string"}:
            return True
    return "requestBody" in operation


def _documented(label: str) -> frozenset[int]:
    method, path = label.split(" ", 1)
    responses = SPEC["paths"][path][method.lower()]["responses"]
    return frozenset(int(status) for status in responses if status.isdigit())


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server with no X credentials (nor any other setting) from the environment."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("RAPPORT_"):
                patch.delenv(name)
        running = start_server(tmp_path_factory.mktemp("schemathesis") / "home")
    yield running
    running.stop()
    assert not [line for line in running.output if "Traceback" in line], running.output


@pytest.fixture
def session(served: RunningServer) -> Iterator[requests.Session]:
    with requests.Session() as client:
        client.headers["Authorization"] = f"Bearer {served.token}"
        yield client


@pytest.fixture
def known(served: RunningServer, session: requests.Session) -> dict[str, Any]:
    """Objects that exist (created again if an earlier operation deleted them), as values for
    the path parameters."""
    url = served.url

    def ok(response: requests.Response) -> dict[str, Any]:
        assert response.status_code < 300, (response.request.url, response.text[:300])
        return response.json() if response.content else {}

    ok(session.post(f"{url}/api/people", json={"handle": "target", "x_id": "100"}))
    if "mine" not in {stage["slug"] for stage in ok(session.get(f"{url}/api/stages"))}:
        ok(session.post(f"{url}/api/stages", json={"slug": "mine", "name": "Mine"}))
    if session.get(f"{url}/api/lists/mine").status_code == 404:
        ok(
            session.post(
                f"{url}/api/lists", json={"slug": "mine", "name": "Mine", "cadence_days": 7}
            )
        )
    ok(session.put(f"{url}/api/lists/mine/members/target"))
    ok(session.put(f"{url}/api/people/target/tags/friend"))
    note = ok(session.post(f"{url}/api/people/target/notes", json={"body": "a note"}))
    interaction = ok(
        session.post(
            f"{url}/api/people/target/interactions",
            json={"kind": "reply", "direction": "inbound", "dedupe_key": f"n{note['id']}"},
        )
    )
    return {
        "ref": "target",
        "slug": "mine",
        "tag": "friend",
        "note_id": note["id"],
        "interaction_id": interaction["id"],
        "run_id": 1,  # no sync run exists (none can start without X credentials): a 404
    }


def _check_documented_status(label: str, status: int) -> None:
    documented = _documented(label)
    assert status in documented or status in GENERIC_ERRORS, (
        f"{label} answered {status}, which its spec does not document "
        f"(documented: {sorted(documented)}; any operation: {sorted(GENERIC_ERRORS)})"
    )


def _fuzz(
    label: str,
    served: RunningServer,
    session: requests.Session,
    known: dict[str, Any],
    mode: GenerationMode,
) -> set[int]:
    """Send the operation's budget of generated requests; returns the statuses seen. Fails
    with every distinct problem found (the server keeps state, so Hypothesis's replaying and
    shrinking of one failing example would not be reliable: each is reported as it happened)."""
    operation = OPERATIONS[label]
    valid = mode == GenerationMode.POSITIVE
    statuses: set[int] = set()
    problems: dict[str, str] = {}
    aim = st.booleans() if valid else st.just(False)

    @settings(
        max_examples=VALID_EXAMPLES if valid else INVALID_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )
    @given(case=operation.as_strategy(generation_mode=mode), at_known=aim)
    def send(case: Any, at_known: bool) -> None:
        if at_known and case.path_parameters:
            case.path_parameters = {name: known[name] for name in case.path_parameters}
        response = case.call(base_url=served.url, session=session, timeout=60)
        statuses.add(response.status_code)
        try:
            case.validate_response(response, checks=VALID_CHECKS if valid else INVALID_CHECKS)
            _check_documented_status(label, response.status_code)
        except AssertionError as failure:  # schemathesis's failures are AssertionErrors too
            text = str(failure)
            problems.setdefault(text.split("\n", 1)[0] + f" [{response.status_code}]", text)

    send()
    assert not problems, "\n\n".join(problems.values())
    return statuses


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_valid_requests_get_documented_answers(
    label: str, served: RunningServer, session: requests.Session, known: dict[str, Any]
) -> None:
    statuses = _fuzz(label, served, session, known, GenerationMode.POSITIVE)
    if label == "POST /api/sync":
        assert statuses <= {409, 422}, statuses  # never started: no X credentials


@pytest.mark.parametrize("label", sorted(label for label in OPERATIONS if _can_be_invalid(label)))
def test_invalid_requests_are_refused(
    label: str, served: RunningServer, session: requests.Session, known: dict[str, Any]
) -> None:
    statuses = _fuzz(label, served, session, known, GenerationMode.NEGATIVE)
    # Which invalid requests must be refused is negative_data_rejection's call (some mutations
    # are valid once serialised); at least some must have been.
    assert any(400 <= status < 500 for status in statuses), statuses


def test_every_operation_is_fuzzed() -> None:
    """The spec lists every API route the app serves (nothing escapes the fuzzing)."""
    with tempfile.TemporaryDirectory() as home:
        app = create_app({"HOME": Path(home), "TOKEN": TOKEN, "PORT": 7277})
        close_database()
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and rule.endpoint != "api-docs.openapi_json":
            path = rule.rule.replace("<int:", "{").replace("<string:", "{").replace("<", "{")
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add(f"{method} {path.replace('>', '}')}")
    assert routes == set(OPERATIONS)
