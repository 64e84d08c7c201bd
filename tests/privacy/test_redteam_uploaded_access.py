"""Red team, the upload path of an organisation's own instruments (adversaries 1 and 4 of
privacy.md section 0): who may put a file into an organisation, and whether a forged form
can. The file's texts reach every employee's questionnaire and every reader's report, and
its structure decides what the publication shows, so only the roles that make measurements
of this organisation may upload, archive or restore one, each a form of this site, audited.

tests/surveys/test_own_instruments.py covers a leader, an employee and an administrator of
another organisation; here: top management, the AMO of another organisation, and a form
posted from another site."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.factories import grant, make_org, make_user
from tests.privacy import attack
from tests.privacy.uploaded import own_file, upload
from tryghed.audit.models import AuditEvent
from tryghed.orgs.models import Role
from tryghed.surveys.models import OrganisationInstrument

pytestmark = pytest.mark.django_db

FILE = own_file("items:\n  - {number: 1, text: {da: Jeg trives, en: I thrive}}\n")


def urls(place: attack.Workplace, pk: int) -> dict[str, str]:
    slug = place.org.slug
    return {
        "upload": reverse("surveys_admin:instruments", kwargs={"org": slug}),
        "archive": reverse(
            "surveys_admin:instrument_archive", kwargs={"org": slug, "instrument_pk": pk}
        ),
        "restore": reverse(
            "surveys_admin:instrument_restore", kwargs={"org": slug, "instrument_pk": pk}
        ),
    }


def post_all(client: Client, place: attack.Workplace, pk: int) -> dict[str, int]:
    """Every write of the upload path, as a form posts it: the status of each."""
    again = FILE.replace("version: 1", "version: 2").encode()
    to = urls(place, pk)
    return {
        "upload": client.post(
            to["upload"], {"file": SimpleUploadedFile("e.yaml", again)}
        ).status_code,
        "archive": client.post(to["archive"], {"confirm": "1"}).status_code,
        "restore": client.post(to["restore"], {"confirm": "1"}).status_code,
    }


def unchanged(place: attack.Workplace, row: OrganisationInstrument) -> None:
    rows = OrganisationInstrument.objects.filter(organisation=place.org)
    assert list(rows.values_list("version", "archived_at")) == [(1, None)]
    assert OrganisationInstrument.objects.count() == 1, "nothing stored anywhere else"
    assert not AuditEvent.objects.filter(
        action__in=("instrument.archived", "instrument.restored")
    ).exists()
    assert AuditEvent.objects.filter(action="instrument.uploaded").count() == 1


def test_top_management_reads_reports_but_puts_no_file_into_the_organisation() -> None:
    place = attack.build_workplace({"Team": (None, 1)})
    row = upload(place, FILE)
    director = make_user()
    grant(director, place.org, Role.TOP_MANAGEMENT)
    client = attack.client_for(director)
    assert client.get(urls(place, row.pk)["upload"]).status_code == 403
    assert post_all(client, place, row.pk) == {"upload": 403, "archive": 403, "restore": 403}
    unchanged(place, row)


def test_the_amo_of_another_organisation_finds_nothing_here() -> None:
    place = attack.build_workplace({"Team": (None, 1)})
    row = upload(place, FILE)
    other = make_org("Nabokommune", slug="nabokommune")
    amo = make_user()
    grant(amo, other, Role.AMO)
    client = attack.client_for(amo)
    assert post_all(client, place, row.pk) == {"upload": 404, "archive": 404, "restore": 404}
    # Its own organisation's addresses with our instrument's number: not found either.
    theirs = {k: v.replace(place.org.slug, other.slug) for k, v in urls(place, row.pk).items()}
    assert client.post(theirs["archive"], {"confirm": "1"}).status_code == 404
    assert "Eget skema" not in client.get(theirs["upload"]).content.decode()
    unchanged(place, row)


def test_a_form_posted_from_another_site_is_refused() -> None:
    """The AMO member's browser, signed in, submits a page of another site: no file is
    stored, nothing is archived (Django's CSRF check on every one of these views)."""
    place = attack.build_workplace({"Team": (None, 1)})
    row = upload(place, FILE)
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(place.amo)
    assert post_all(forged, place, row.pk) == {"upload": 403, "archive": 403, "restore": 403}
    unchanged(place, row)
    # The same member with the form's token: accepted, audited with the member.
    page = forged.get(urls(place, row.pk)["upload"]).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    again = FILE.replace("version: 1", "version: 2").encode()
    sent = forged.post(
        urls(place, row.pk)["upload"],
        {"file": SimpleUploadedFile("e.yaml", again), "csrfmiddlewaretoken": token},
    )
    assert sent.status_code == 302
    event = AuditEvent.objects.filter(action="instrument.uploaded").latest("pk")
    assert (event.actor, event.data["version"]) == (place.amo, 2)
