"""The OpenAPI schema of the partner endpoints: every status code, the bearer scheme, the
strict push record, and examples the API itself accepts."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

from partners.services.payload import PayloadError, records_read


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_status_code_is_described(schema: dict[str, Any]) -> None:
    push = schema["paths"]["/api/v1/sync/records"]["post"]
    job = schema["paths"]["/api/v1/sync/jobs/{sync_job_id}"]["get"]
    assert set(push["responses"]) == {"200", "202", "400", "401", "409", "413", "415", "422", "429"}
    assert set(job["responses"]) == {"200", "400", "401", "404", "429"}
    for operation in (push, job):
        assert operation["security"] == [{"partnerKey": []}]
        for status, response in operation["responses"].items():
            assert response["description"], status
            media = "application/json" if status < "400" else "application/problem+json"
            assert list(response["content"]) == [media], status
    assert schema["components"]["securitySchemes"]["partnerKey"]["scheme"] == "bearer"
    assert any(p["name"] == "Idempotency-Key" for p in push["parameters"])


def test_the_push_record_schema_is_strict(schema: dict[str, Any]) -> None:
    record = schema["components"]["schemas"]["PushRecord"]
    assert record["additionalProperties"] is False and record["required"] == ["external_id"]
    hours = record["properties"]["hours"]
    assert hours["type"] == "number" and "maximum" not in hours  # bounds are per record
    assert "pattern" in record["properties"]["title"]


def test_the_request_example_is_well_formed(schema: dict[str, Any]) -> None:
    examples = schema["paths"]["/api/v1/sync/records"]["post"]["requestBody"]["content"][
        "application/json"
    ]["examples"]
    for example in examples.values():
        try:
            records_read(example["value"], max_records=10_000)
        except PayloadError as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"the documented example is refused: {exc.errors}")
