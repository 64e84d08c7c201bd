"""A unit is named with the units above it only where another unit has the same name, and
every unit picker and list uses that one label."""

from __future__ import annotations

import re

import pytest

from tests.conftest import World, client_for
from tests.factories import make_person, make_unit
from tryghed.orgs.forms import PersonForm
from tryghed.orgs.labels import UnitLabels, unit_label
from tryghed.orgs.selectors import access_for

pytestmark = pytest.mark.django_db


def test_a_unique_name_stays_as_it_is_and_namesakes_get_their_parent(world: World) -> None:
    a = make_unit(world.org, parent=world.team_a, name="Dagplejen", external_id="DA")
    b = make_unit(world.org, parent=world.team_b, name="Dagplejen", external_id="DB")
    labels = UnitLabels(world.org.pk)
    assert labels(world.team_a) == "Team A"
    assert (labels(a), labels(b)) == ("Dagplejen (Team A)", "Dagplejen (Team B)")
    assert unit_label(a) == "Dagplejen (Team A)"


def test_namesakes_under_namesakes_go_up_until_they_differ(world: World) -> None:
    north = make_unit(world.org, parent=world.area, name="Nord", external_id="N")
    south = make_unit(world.org, parent=world.area, name="Syd", external_id="S")
    schools = [
        make_unit(world.org, parent=region, name="Skoler", external_id=f"SK{region.pk}")
        for region in (north, south)
    ]
    kitchens = [
        make_unit(world.org, parent=school, name="Køkken", external_id=f"K{school.pk}")
        for school in schools
    ]
    labels = UnitLabels(world.org.pk)
    assert [labels(k) for k in kitchens] == ["Køkken (Skoler, Nord)", "Køkken (Skoler, Syd)"]
    assert [labels(s) for s in schools] == ["Skoler (Nord)", "Skoler (Syd)"]


def test_another_organisations_unit_of_the_same_name_does_not_count(world: World) -> None:
    make_unit(world.other_org, name="Team A", external_id="OA")
    assert UnitLabels(world.org.pk)(world.team_a) == "Team A"


def test_unit_pickers_and_lists_name_namesakes_with_their_parent(world: World) -> None:
    a = make_unit(world.org, parent=world.team_a, name="Dagplejen", external_id="DA")
    make_unit(world.org, parent=world.team_b, name="Dagplejen", external_id="DB")
    form = PersonForm(access=access_for(user=world.owner, slug=world.org.slug))
    html = str(form["unit"])
    assert "Dagplejen (Team A)</option>" in html and "Dagplejen (Team B)</option>" in html
    make_person(a, name="Dorte Dagplejer")
    people = client_for(world.amo).get(f"/o/{world.org.slug}/medarbejdere/").content.decode()
    assert (
        '<th scope="row">Dorte Dagplejer</th><td data-label="Enhed">Dagplejen (Team A)</td>'
        in people
    )
    form_page = client_for(world.amo).get(f"/o/{world.org.slug}/maalinger/ny/").content.decode()
    assert ">Dagplejen (Team B)</label>" in form_page


def test_the_screening_mark_is_not_doubled_in_the_measurement_form(world: World) -> None:
    page = client_for(world.amo).get(f"/o/{world.org.slug}/maalinger/ny/").content.decode()
    assert "(screening) (screening)" not in page
    assert "De seks guldkorn (screening)</label>" in page
    assert "Tavshed (fire måder at beskytte sig selv på) (screening)</label>" in page


def test_the_unit_tree_nests_sub_units_and_orders_siblings_by_name(world: World) -> None:
    from tryghed.surveys.forms import MeasurementForm

    make_unit(world.org, parent=world.area, name="Zeta", external_id="Z")
    make_unit(world.org, parent=world.area, name="Alfa", external_id="AL")
    form = MeasurementForm(access=access_for(user=world.owner, slug=world.org.slug))
    html = str(form["units"])
    labels = re.findall(r"<label for=\"id_units_\d+\">([^<]+)</label>", html)
    assert labels == ["Testkommune", "Område", "Alfa", "Team A", "Team B", "Zeta"]
    # Område's sub-units sit in a list inside Område's item, three levels down.
    area = html[html.index(">Område</label>") :]
    assert area.lstrip().startswith(">Område</label>\n<ul>")
    assert html.count("<ul>") == 3  # the roots, Testkommune's children, Område's children
