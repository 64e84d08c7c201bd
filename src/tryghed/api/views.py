"""The read-only API under /api/v1/ (django-ninja): thin, as the pages are. Every answer
comes from ``api.selectors`` (scoped to the caller) and is typed by ``api.schemas``;
texts follow the caller's language (the language switch's cookie, else Accept-Language,
else Danish)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from ninja import NinjaAPI

from tryghed.accounts.api_tokens import TokenRefused
from tryghed.accounts.models import User
from tryghed.api import schemas, selectors
from tryghed.api.auth import SessionAuth, TokenAuth
from tryghed.api.serialise import measurement_out, publication_out

api = NinjaAPI(
    title="Tryghed API",
    version="1",
    description=(
        "Read-only: the caller's organisations and roles, the closed measurements whose "
        "results they may read, and the publication slices their report pages show."
    ),
    urls_namespace="api",
    docs_url=None,  # the docs UI loads scripts from a CDN, which the CSP forbids
    auth=[TokenAuth(), SessionAuth()],
)

ERRORS: dict[int, type[schemas.Error]] = {401: schemas.Error, 404: schemas.Error}


@api.exception_handler(TokenRefused)
def token_refused(request: HttpRequest, exc: TokenRefused) -> HttpResponse:
    response = api.create_response(request, {"detail": "invalid token"}, status=401)
    response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


def _caller(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]  # set by the auth callbacks
    assert isinstance(user, User)
    translation.activate(translation.get_language_from_request(request))
    return user


@api.get(
    "/organisations/",
    response={200: list[schemas.OrganisationOut], **ERRORS},
    url_name="organisations",
    summary="The organisations the caller holds a role in, with the roles",
)
def organisations(request: HttpRequest) -> list[schemas.OrganisationOut]:
    user = _caller(request)
    return [
        schemas.OrganisationOut(
            id=organisation.pk,
            slug=organisation.slug,
            name=organisation.name,
            roles=[
                schemas.RoleOut(
                    role=held.role.value,
                    label=str(held.role.label),
                    unit=schemas.UnitRef(id=held.unit_id, name=held.unit_name or "")
                    if held.unit_id is not None
                    else None,
                )
                for held in roles
            ],
        )
        for organisation, roles in selectors.organisations(user)
    ]


@api.get(
    "/organisations/{organisation_id}/measurements/",
    response={200: list[schemas.MeasurementOut], **ERRORS},
    url_name="measurements",
    summary="The closed measurements whose results the caller may read, newest first",
)
def measurements(request: HttpRequest, organisation_id: int) -> list[schemas.MeasurementOut]:
    user = _caller(request)
    access = selectors.organisation_access(user, organisation_id)
    return [measurement_out(m) for m in selectors.readable_measurements(access)]


@api.get(
    "/measurements/{measurement_id}/publication/",
    response={200: schemas.PublicationOut, **ERRORS},
    url_name="publication",
    summary="The groups of the measurement's publication the caller's report pages show",
)
def publication(request: HttpRequest, measurement_id: int) -> schemas.PublicationOut:
    user = _caller(request)
    access, measurement = selectors.readable_measurement(user, measurement_id)
    found = selectors.publication_slice(access, measurement)
    if not found.keys:
        raise Http404
    return publication_out(measurement, found)
