"""Red team: the API read with the browser's session, and the token page, from another
site (commit 242ad7b): a page elsewhere that makes a signed-in reader's browser call the
API, read its answer, frame it, or make or revoke a token.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.api.helpers import get_json
from tests.api.test_tokens import bearer, create, signed_in
from tests.conftest import World, client_for
from tests.results.test_aggregates import make_measurement
from tests.results.test_unit_report import fill
from tryghed.accounts.models import ApiToken
from tryghed.surveys.models import Measurement

pytestmark = pytest.mark.django_db

ORGANISATIONS = reverse("api:organisations")
EVIL = "https://evil.example"


@pytest.fixture
def closed(world: World) -> Measurement:
    measurement = make_measurement(world)
    fill(measurement, world.team_a, 6, [1])
    fill(measurement, world.team_b, 6, [2])
    return measurement


def publication_url(measurement: Measurement) -> str:
    return reverse("api:publication", kwargs={"measurement_id": measurement.pk})


def test_another_sites_page_gets_no_figures_with_the_readers_cookie(
    world: World, closed: Measurement
) -> None:
    client = client_for(world.amo)
    path = publication_url(closed)
    assert get_json(client, path, HTTP_SEC_FETCH_SITE="same-origin")["groups"]
    for site in ("cross-site", "same-site"):
        # A fetch, an <img>, a <script> (JSON hijacking) or a navigation from elsewhere.
        response = client.get(path, HTTP_SEC_FETCH_SITE=site, HTTP_ORIGIN=EVIL)
        assert response.status_code == 401, site
        assert response.json() == {"detail": "Unauthorized"}


def test_the_api_grants_no_other_origin_a_read(world: World, closed: Measurement) -> None:
    client = client_for(world.amo)
    answers = [
        client.get(publication_url(closed), HTTP_ORIGIN=EVIL),
        client.options(
            publication_url(closed),
            HTTP_ORIGIN=EVIL,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
        ),
    ]
    assert answers[1].status_code == 405  # no preflight is answered
    for response in answers:
        assert not [h for h in response.headers if h.lower().startswith("access-control-")]


def test_no_answer_of_the_api_can_be_framed_sniffed_or_run(world: World) -> None:
    client = client_for(world.owner)
    answers = [
        client.get(ORGANISATIONS),
        Client().get(ORGANISATIONS),  # 401
        client.get(reverse("api:publication", kwargs={"measurement_id": 999})),  # 404
        client.get("/api/v1/measurements/x/publication/"),  # 422
        client.get("/api/v1/openapi.json"),
    ]
    assert [r.status_code for r in answers] == [200, 401, 404, 422, 200]
    for response in answers:
        assert response["Content-Type"].startswith("application/json")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_api_changes_nothing_whatever_the_method(world: World) -> None:
    client = client_for(world.owner)
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(ORGANISATIONS)
        assert response.status_code in (401, 405), method


def test_another_site_makes_or_revokes_no_token_and_frames_no_token_page(world: World) -> None:
    strong = signed_in(world.owner, second_factor=True)
    token = create(strong)
    row = ApiToken.objects.get(user=world.owner)
    # The same session, from a browser that checks CSRF as a real one does.
    forged = Client(enforce_csrf_checks=True)
    forged.cookies = strong.cookies
    page = forged.get(reverse("accounts:api_tokens"))
    assert page.status_code == 200
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    made = forged.post(reverse("accounts:api_tokens"), {"name": "Fremmed", "days": 365})
    assert made.status_code == 403
    revoked = forged.post(reverse("accounts:api_token_revoke", kwargs={"token_id": row.pk}))
    assert revoked.status_code == 403
    assert list(ApiToken.objects.filter(user=world.owner)) == [row]
    row.refresh_from_db()
    assert row.revoked_at is None
    assert get_json(Client(), ORGANISATIONS, headers=bearer(token))


def test_a_browser_without_fetch_metadata_is_judged_by_its_origin(
    world: World, closed: Measurement
) -> None:
    # Older browsers send no Sec-Fetch-Site but do name the calling page's origin.
    client = client_for(world.amo)
    path = publication_url(closed)
    assert client.get(path, HTTP_ORIGIN=EVIL).status_code == 401
    assert client.get(path, HTTP_ORIGIN="http://testserver").status_code == 200
    assert client.get(path).status_code == 200  # typed in, or a tool without an Origin
