"""A follow-up that can never show a change (ps7-hem against a baseline with ps7) is
made only after the form has said why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils import timezone

from tests.conftest import World, client_for
from tryghed.surveys import services
from tryghed.surveys.models import Measurement, Status


def baseline(world: World, instruments: Sequence[str] = ("ps7", "opgavefokus")) -> Measurement:
    measurement = services.measurement_create(
        organisation=world.org,
        actor=None,
        name="Før",
        instrument_ids=list(instruments),
        scope=[services.ScopeEntry(world.root)],
        opens_on=dt.date(2026, 3, 2),
        closes_on=dt.date(2026, 3, 16),
    )
    Measurement.objects.filter(pk=measurement.pk).update(status=Status.CLOSED)
    return measurement


def form_data(previous: Measurement, **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "name": "Efter",
        "template": "psykologisk-tryghed",  # ps7-hem, opgavefokus, tavshed, hesteskoen
        "units": [previous.organisation.units.get(external_id="TA").pk],
        "opens_on": today.isoformat(),
        "closes_on": (today + dt.timedelta(days=14)).isoformat(),
        "languages": ["da"],
        "min_group_score": "5",
        "min_group_comment": "10",
        "min_group_sensitive": "10",
        "previous": previous.pk,
        **extra,
    }


def test_a_follow_up_with_another_variant_is_made_only_when_the_user_accepts_it(
    world: World,
) -> None:
    previous = baseline(world)
    client = client_for(world.amo)
    url = reverse("surveys_admin:create", kwargs={"org": world.org.slug})

    refused = client.post(url, form_data(previous))
    assert refused.status_code == 200
    assert not Measurement.objects.filter(name="Efter").exists()
    html = refused.content.decode()
    assert (
        "«Psykologisk tryghed (7 udsagn, Hospitalsenhed Midt)» kan ikke sammenlignes med "
        "«Psykologisk tryghed (7 udsagn, Edmondson)», som «Før» brugte"
    ) in html
    assert "kan derfor aldrig vise en ændring her" in html
    assert 'type="checkbox" name="accept_no_change"' in html

    made = client.post(url, form_data(previous, accept_no_change="on"))
    assert made.status_code == 302
    assert Measurement.objects.get(name="Efter").previous == previous


def test_the_same_instruments_as_last_time_need_no_confirmation(world: World) -> None:
    previous = baseline(world, ("ps7-hem", "opgavefokus"))
    page = client_for(world.amo).get(reverse("surveys_admin:create", args=[world.org.slug]))
    # Until it is needed, the confirmation is no checkbox.
    assert 'type="hidden" name="accept_no_change"' in page.content.decode()
    made = client_for(world.amo).post(
        reverse("surveys_admin:create", args=[world.org.slug]), form_data(previous)
    )
    assert made.status_code == 302


def test_nothing_in_common_with_the_earlier_measurement_is_said_as_well(world: World) -> None:
    previous = baseline(world, ("stress",))
    refused = client_for(world.amo).post(
        reverse("surveys_admin:create", args=[world.org.slug]), form_data(previous)
    )
    assert refused.status_code == 200
    assert "Ingen af de valgte spørgeskemaer var med i «Før»" in refused.content.decode()


def test_a_re_measurement_from_a_plan_starts_with_the_same_instruments_and_comparison(
    world: World,
) -> None:
    previous = baseline(world)
    url = reverse("surveys_admin:create", args=[world.org.slug])
    page = client_for(world.amo).get(f"{url}?tidligere={previous.pk}&enhed={world.team_a.pk}")
    form = page.context["form"]
    assert form.initial["previous"] == previous.pk
    assert form.initial["instruments"] == ["ps7", "opgavefokus"]
    assert form.initial["units"] == [world.team_a.pk]
    assert form.initial["name"] == "Genmåling efter «Før»"
    # Another organisation's measurement or unit is not filled in.
    other = client_for(world.amo).get(f"{url}?tidligere=999999&enhed={world.other_unit.pk}")
    assert "previous" not in other.context["form"].initial
