"""schemathesis against the portal's OpenAPI schema (/api/v1/schema/): every /api/v1 operation
is called with generated requests (a bounded number per operation), authenticated with a
partner key made here, through the Django WSGI application in-process. No answer may be a
5xx, a status the schema does not list, another content type, or a body that breaks the
schema. (Made for `make test`: about half a minute in all.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from partners.tests.reading_helpers import partner_with_key, push
from tests.factories import catalogues_ensure, person_create, rules_ensure

# Cases generated per operation (explicit examples of the schema come on top).
MAX_EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())


@pytest.fixture
def partner_secret(transactional_db: None) -> Iterator[str]:
    """A partner with a key and some committed records (the feed shows committed changes)."""
    catalogues_ensure()
    rules_ensure()
    partner, secret = partner_with_key()
    person = person_create()
    push(partner, person, "FUZZ-1", "FUZZ-2")
    push(partner, person, "FUZZ-2", withdrawn=True)
    yield secret


def test_the_schema_lists_every_api_operation() -> None:
    paths = set(schema.raw_schema["paths"])
    assert {
        "/api/v1/certificates/verify",
        "/api/v1/compliance/evaluate",
        "/api/v1/sync/records",
        "/api/v1/persons/{id_number}/years/{year}",
    } <= paths
    scheme = schema.raw_schema["components"]["securitySchemes"]["partnerKey"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_answers_conform_to_the_schema(case: Any, partner_secret: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {partner_secret}"}, checks=CHECKS)


@pytest.mark.django_db
def test_an_unmatched_api_url_is_a_problem_and_a_page_url_the_sites_404(client: Any) -> None:
    api = client.get("/api/v1/no-such-endpoint/")
    assert (api.status_code, api["Content-Type"]) == (404, "application/problem+json")
    assert api.json()["status"] == 404
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
