"""Issue 9, point 5: schemathesis against /api/schema/, in CI, bounded in examples and time.

Every operation of the schema is called with data generated from the schema (seller API with a store
owner's token, ingress with the store's integration token, the token endpoint with none) through the
WSGI app against the test database. Checked: never a 5xx; every status, content type and body is the one
the schema documents. ``FUZZ_EXAMPLES`` (default 6 per operation) bounds the run: about a minute.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import make_api_token, make_buyer, make_inbound, make_member, make_order, make_store

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(db):
    """The schema as the desk serves it, and the WSGI app to call. Like Django's test client, requests keep
    the test's database connection (Django would close it at the end of each request)."""
    from django.core import signals
    from django.db import close_old_connections

    from seller_desk.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_store(db):
    store = make_store(name="Fuzz Store")
    owner = make_member(store, role="owner", username="fuzz-owner")
    buyer = make_buyer(store, name="Olga")
    make_inbound(store, order=make_order(store, buyer), text="Где моя посылка?")
    return store, owner


def _headers(case, store, owner) -> dict:
    if case.path.startswith("/api/v1/ingress/"):
        return {"Authorization": f"Bearer {store.integration_token}"}
    if case.path == "/api/v1/auth/token" and case.method.upper() == "POST":
        return {}
    return {
        "Authorization": f"Token {make_api_token(owner)}"
    }  # DELETE auth/token revokes one: a new one each


def test_every_operation_answers_as_the_schema_says_and_never_500(api_schema, fuzz_store):
    store, owner = fuzz_store
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 40
    failures = {}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(headers=_headers(case, store, owner), checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every operation's failure is collected, then reported together
            failures[f"{operation.method.upper()} {operation.path}"] = str(exc)[:1500]
    summary = {
        name: [line.strip() for line in text.splitlines() if line.strip()][:8]
        for name, text in failures.items()
    }
    assert summary == {}
