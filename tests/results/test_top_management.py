"""Top management ("topledelse"): the organisation report as the publication shows it, the
maturity and the APV; no unit report, feedback page, comments, participation by unit,
people, structure or measurement administration, and no report files (the spreadsheet
holds every unit's item distributions)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tests.factories import grant, make_user
from tests.results.test_org_report import Crafted, heatmap_rows, row_for
from tryghed.accounts.models import User
from tryghed.orgs import services as org_services
from tryghed.orgs.models import Membership, Role
from tryghed.orgs.selectors import Capability, access_for


@pytest.fixture
def crafted(world: World) -> Crafted:
    return Crafted(world)


@pytest.fixture
def director(world: World) -> User:
    user = make_user("direktion@example.test")
    grant(user, world.org, Role.TOP_MANAGEMENT)
    return user


@pytest.fixture
def as_director(director: User) -> Client:
    return client_for(director)


# --------------------------------------------------------------------------- the one table


@pytest.mark.django_db
def test_the_capability_table_gives_top_management_the_organisation_report_only(
    world: World, director: User
) -> None:
    access = access_for(user=director, slug=world.org.slug)
    assert access.can(Capability.READ_ORGANISATION_REPORT)
    assert not access.can(Capability.VIEW_STRUCTURE)
    assert not access.can(Capability.MANAGE_STRUCTURE)
    assert not access.can(Capability.MANAGE_MEASUREMENTS)
    assert not access.sees_whole_organisation  # so no unit filter opens every unit


@pytest.mark.django_db
def test_only_the_amo_admins_and_top_management_read_the_organisation_report(
    world: World, director: User
) -> None:
    def reads(user: User) -> bool:
        return access_for(user=user, slug=world.org.slug).can(Capability.READ_ORGANISATION_REPORT)

    assert reads(director) and reads(world.amo) and reads(world.owner)
    assert not reads(world.leader) and not reads(world.employee)


@pytest.mark.django_db
def test_an_unknown_capability_is_refused_even_when_spelled_like_a_known_one(
    world: World, director: User
) -> None:
    access = access_for(user=director, slug=world.org.slug)
    assert not access.can("read_organisation_report")  # type: ignore[arg-type]
    assert not access.can("everything")  # type: ignore[arg-type]


@pytest.mark.django_db
def test_top_management_is_granted_without_a_unit(world: World) -> None:
    membership = org_services.membership_grant(
        organisation=world.org,
        actor=world.owner,
        email="ny.direktoer@example.test",
        role=Role.TOP_MANAGEMENT,
        unit=world.team_a,
    )
    assert membership.unit is None
    assert Membership.objects.get(pk=membership.pk).role == "top_management"


# --------------------------------------------------------------------------- what it opens


@pytest.mark.django_db
def test_top_management_reads_the_organisation_report_with_rows_that_lead_nowhere(
    crafted: Crafted, as_director: Client
) -> None:
    response = as_director.get(crafted.url)
    assert response.status_code == 200
    page = response.content.decode()
    rows = heatmap_rows(page)
    assert row_for(rows, "Team C")[1] != ""  # the figures the publication shows
    unit_report = reverse(
        "results:unit_report",
        kwargs={
            "org": crafted.world.org.slug,
            "measurement_id": crafted.measurement.pk,
            "unit_id": crafted.team_c.pk,
        },
    )
    assert unit_report not in page
    assert "maaling/" + str(crafted.measurement.pk) + "/enhed/" not in page
    # The organisation report as a PDF, no spreadsheet (every unit's items), no link to the
    # measurement administration.
    assert 'name="kind" value="organisation_pdf"' in page
    assert 'value="excel"' not in page
    assert reverse("surveys_admin:list", kwargs={"org": crafted.world.org.slug}) not in page


@pytest.mark.django_db
def test_the_report_list_offers_top_management_the_organisation_report_and_no_unit(
    crafted: Crafted, as_director: Client
) -> None:
    page = as_director.get(reverse("results:list", kwargs={"org": crafted.world.org.slug}))
    text = page.content.decode()
    assert page.status_code == 200
    assert crafted.url in text
    assert "/enhed/" not in text


@pytest.mark.django_db
def test_top_management_reads_the_apv(world: World, as_director: Client) -> None:
    response = as_director.get(reverse("apv:document", kwargs={"org": world.org.slug}))
    assert response.status_code == 200


# --------------------------------------------------------------------------- what it cannot


@pytest.mark.django_db
def test_top_management_opens_no_unit_report_or_feedback_page(
    crafted: Crafted, as_director: Client
) -> None:
    slug = crafted.world.org.slug
    for unit in (crafted.team_c, crafted.world.team_a, crafted.world.root):
        url = reverse(
            "results:unit_report",
            kwargs={"org": slug, "measurement_id": crafted.measurement.pk, "unit_id": unit.pk},
        )
        assert as_director.get(url).status_code == 404, unit.name
    assert (
        as_director.get(reverse("results:feedback_latest", kwargs={"org": slug})).status_code == 404
    )


@pytest.mark.django_db
def test_top_management_gets_the_organisation_pdf_and_no_other_file(
    crafted: Crafted, as_director: Client
) -> None:
    kwargs = {"org": crafted.world.org.slug, "measurement_id": crafted.measurement.pk}
    panel = as_director.get(reverse("results:export_panel", kwargs=kwargs))
    assert panel.status_code == 200
    assert 'value="organisation_pdf"' in panel.content.decode()
    assert 'value="excel"' not in panel.content.decode()
    asked = as_director.post(
        reverse("results:export_request", kwargs=kwargs), {"kind": "organisation_pdf"}
    )
    assert asked.status_code == 302
    for kind in ("excel", "unit_pdf"):
        response = as_director.post(
            reverse("results:export_request", kwargs=kwargs),
            {"kind": kind, "unit": crafted.team_c.pk},
        )
        assert response.status_code == 404, kind


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "surveys_admin:list",  # measurements and their participation by unit
        "orgs:unit_tree",
        "orgs:people",
        "orgs:roles",
        "apv:assessments",  # a unit's risk assessment is a unit drill-down
        "apv:absences",  # sickness absence by unit
    ],
)
def test_top_management_is_refused_the_pages_below_the_organisation(
    world: World, as_director: Client, name: str
) -> None:
    response = as_director.get(reverse(name, kwargs={"org": world.org.slug}))
    assert response.status_code in (403, 404)


@pytest.mark.django_db
def test_the_participation_of_a_measurement_stays_closed_to_top_management(
    crafted: Crafted, as_director: Client
) -> None:
    url = reverse(
        "surveys_admin:detail",
        kwargs={"org": crafted.world.org.slug, "measurement_id": crafted.measurement.pk},
    )
    assert as_director.get(url).status_code in (403, 404)


@pytest.mark.django_db
def test_a_director_of_another_organisation_sees_nothing_here(
    crafted: Crafted, world: World
) -> None:
    stranger = make_user("fremmed.direktoer@example.test")
    grant(stranger, world.other_org, Role.TOP_MANAGEMENT)
    assert client_for(stranger).get(crafted.url).status_code == 404


@pytest.mark.django_db
def test_the_overview_page_points_top_management_to_the_organisation_reports(
    world: World, as_director: Client
) -> None:
    page = as_director.get(reverse("orgs:dashboard", kwargs={"org": world.org.slug}))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Se organisationsrapporterne" in text
    assert reverse("results:list", kwargs={"org": world.org.slug}) in text
    assert "din enheds resultater" not in text  # a director has no unit of their own


@pytest.mark.django_db
def test_the_demo_has_a_top_management_login_and_the_banner_prints_it() -> None:
    from io import StringIO

    from django.core.management import call_command

    from tryghed.orgs.demo import load_demo

    organisation, _ = load_demo()
    director = Membership.objects.get(organisation=organisation, role=Role.TOP_MANAGEMENT)
    assert director.user.email == "direktion@demo-kommune.dk" and director.unit is None
    out = StringIO()
    call_command("demo_banner", stdout=out)
    assert "direktion@demo-kommune.dk" in out.getvalue()
