"""The OpenAPI document: valid OpenAPI 3.1, served without the docs UI, listing every
route of the API, and describing what the routes answer."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from tests.api.helpers import get_json
from tests.api.test_publication import shown as shown  # the fixture
from tests.conftest import World, client_for
from tryghed.surveys.models import Measurement

pytestmark = pytest.mark.django_db

DOCUMENT = "/api/v1/openapi.json"


def api_routes() -> set[str]:
    """Every URL pattern under /api/v1/ as an OpenAPI path ("{name}" for a parameter)."""
    found: set[str] = set()

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif route.startswith("api/v1/"):
                found.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))

    walk(get_resolver().url_patterns, "")
    return found


def test_the_document_is_valid_openapi_and_lists_every_route() -> None:
    document = get_json(Client(), DOCUMENT)
    validate(document)
    assert document["openapi"].startswith("3.1")
    routes = api_routes() - {"/api/v1/", DOCUMENT}
    assert routes == set(document["paths"])
    assert routes == {
        "/api/v1/organisations/",
        "/api/v1/organisations/{organisation_id}/measurements/",
        "/api/v1/measurements/{measurement_id}/publication/",
    }
    for path, operations in document["paths"].items():
        assert set(operations) == {"get"}, path  # read-only
        assert {"401", "404"} <= set(operations["get"]["responses"]), path
    schemes = document["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_there_is_no_docs_ui() -> None:
    assert Client().get("/api/v1/docs").status_code == 404
    assert Client().get("/api/v1/docs/").status_code == 404


def response_schema(document: dict[str, Any], path: str) -> dict[str, Any]:
    schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    return {**schema["schema"], "components": document["components"]}


def test_every_answer_validates_against_the_document(world: World, shown: Measurement) -> None:
    document = get_json(Client(), DOCUMENT)
    calls = {
        "/api/v1/organisations/": reverse("api:organisations"),
        "/api/v1/organisations/{organisation_id}/measurements/": reverse(
            "api:measurements", kwargs={"organisation_id": world.org.pk}
        ),
        "/api/v1/measurements/{measurement_id}/publication/": reverse(
            "api:publication", kwargs={"measurement_id": shown.pk}
        ),
    }
    for user in (world.owner, world.leader, world.employee):
        client = client_for(user)
        for path, address in calls.items():
            body = get_json(client, address)
            schema = {**response_schema(document, path)}
            schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
            errors = list(Draft202012Validator(schema).iter_errors(body))
            assert not errors, (user.email, path, errors[:3])
