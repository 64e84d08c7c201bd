"""Red team: the in-process cache of parsed publications (results.aggregates._parsed).

One process serves every reader from the same parsed publication. Pages rendered for the
administrator and a leader first (the cache is warm, and any page that wrote into the
shared dict would have left its additions there) must not change what the employee's
pages show: every number on the employee's feedback page and "I sagde – vi gjorde" is in
the employee's own slice of the publication. Top management, after the AMO, likewise.
"""

from __future__ import annotations

import copy

from django.test import Client
from django.urls import reverse

from tests.privacy.test_publication_audit import _page_numbers, _unpublished, demo  # noqa: F401
from tryghed.accounts.models import User
from tryghed.orgs.models import Organisation, Unit
from tryghed.results.aggregates import report_data
from tryghed.results.audit import Publication, audited_measurements

EMPLOYEE = "medarbejder@demo-kommune.dk"


def test_the_employees_pages_after_other_readers_show_only_the_employees_slice(
    demo: Organisation,  # noqa: F811
    client: Client,
) -> None:
    measurement = audited_measurements(demo)[-1]
    publication = Publication(measurement)
    pristine = copy.deepcopy(report_data(measurement))
    leader_unit = Unit.objects.get(organisation=demo, external_id="SUND-HJN")
    warm = {
        "admin@demo-kommune.dk": [
            reverse(
                "results:org_report", kwargs={"org": demo.slug, "measurement_id": measurement.pk}
            )
        ],
        "leder@demo-kommune.dk": [
            reverse(
                "results:unit_report",
                kwargs={
                    "org": demo.slug,
                    "measurement_id": measurement.pk,
                    "unit_id": leader_unit.pk,
                },
            )
        ],
    }
    for email, urls in warm.items():
        client.force_login(User.objects.get(email=email))
        for url in urls:
            assert client.get(url).status_code == 200, url
    assert report_data(measurement) == pristine  # nothing was written into the shared copy

    employee = User.objects.get(email=EMPLOYEE)
    client.force_login(employee)
    feedback = client.get(
        reverse("results:feedback", kwargs={"org": demo.slug, "measurement_id": measurement.pk})
    )
    assert feedback.status_code == 200
    page = feedback.content.decode()
    assert len(_page_numbers(page)) > 5
    assert _unpublished(page, publication, f"employee:{EMPLOYEE}", demo) == []
    unit = employee.memberships.get(organisation=demo).unit
    assert unit is not None
    said = client.get(reverse("actions:vi_gjorde", kwargs={"org": demo.slug, "unit_id": unit.pk}))
    assert said.status_code == 200
    assert _unpublished(said.content.decode(), publication, f"employee:{EMPLOYEE}", demo) == []
    assert report_data(measurement) == pristine
