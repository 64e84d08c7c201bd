"""The unit report: who may open it, that it shows the report data's numbers and nothing
a hidden group could give away, the change reading, free text and both languages.

World (tests/conftest.py): root → area → (team_a, team_b); leader leads team_a, employee
works in team_a. ps7 scores by hand (see test_aggregates): all code 1 → 40, all code 2 → 34,
all code 3 → 28, codes 5,1,5,1,5,1,1 → 70.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from tests.conftest import World, client_for
from tests.results.test_aggregates import answer, make_measurement, ps7
from tryghed.orgs.models import Unit
from tryghed.results.aggregates import comment_texts, group, report_data
from tryghed.results.charts import format_number
from tryghed.surveys.models import Measurement, Status
from tryghed.surveys.selectors import measurement_instruments

pytestmark = pytest.mark.django_db

TOP = [5, 1, 5, 1, 5, 1, 1]  # 70 points: the best answer to every item
BELOW_MINIMUM = "For få svar – vises først ved mindst 5 svar"
COMPLEMENTARY = "Skjult, så en lille gruppe ikke kan regnes ud ved at trække tal fra hinanden"


def url(world: World, measurement: Measurement, unit: Unit, **query: str) -> str:
    path = reverse(
        "results:unit_report",
        kwargs={"org": world.org.slug, "measurement_id": measurement.pk, "unit_id": unit.pk},
    )
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def fill(measurement: Measurement, unit: Unit, count: int, codes: list[int], **extra: int) -> None:
    for _ in range(count):
        answer(measurement, unit, {**ps7(codes), **extra})


def page(client: Client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def ps7_total(data: dict[str, Any], unit: Unit | None, scope: str = "unit") -> dict[str, Any]:
    found = group(data, unit.pk if unit else None, scope)
    if found["suppressed"]:
        return found
    block: dict[str, Any] = found["instruments"]["ps7"]["scales"]["total"]
    return block


@pytest.fixture
def shown(world: World) -> Measurement:
    """team_a 12 (six score 40, six score 70), team_b 6 (score 34): every group shown."""
    measurement = make_measurement(world)
    fill(measurement, world.team_a, 6, [1])
    fill(measurement, world.team_a, 6, TOP)
    fill(measurement, world.team_b, 6, [2])
    return measurement


# --------------------------------------------------------------------------- access


def test_the_owner_and_the_amo_open_every_units_report(world: World, shown: Measurement) -> None:
    for user in (world.owner, world.amo):
        client = client_for(user)
        for unit in (world.root, world.area, world.team_a, world.team_b):
            assert client.get(url(world, shown, unit)).status_code == 200


def test_a_leader_opens_her_own_subtree_only(world: World, shown: Measurement) -> None:
    client = client_for(world.leader)
    assert client.get(url(world, shown, world.team_a)).status_code == 200
    for unit in (world.team_b, world.area, world.root):
        assert client.get(url(world, shown, unit)).status_code == 404


def test_an_employee_gets_no_leader_report_not_even_of_her_own_team(
    world: World, shown: Measurement
) -> None:
    client = client_for(world.employee)
    assert client.get(url(world, shown, world.team_a)).status_code == 404


def test_an_outsider_and_another_organisations_unit_are_404(
    world: World, shown: Measurement
) -> None:
    assert client_for(world.outsider).get(url(world, shown, world.team_a)).status_code == 404
    assert client_for(world.owner).get(url(world, shown, world.other_unit)).status_code == 404
    assert Client().get(url(world, shown, world.team_a)).status_code == 302  # to sign in


def test_a_draft_measurement_has_no_report(world: World) -> None:
    draft = make_measurement(world, status=Status.DRAFT)
    fill(draft, world.team_a, 6, [1])
    assert client_for(world.owner).get(url(world, draft, world.team_a)).status_code == 404


def test_the_list_shows_a_leader_her_team_and_marks_open_measurements(world: World) -> None:
    closed = make_measurement(world)
    running = make_measurement(world, status=Status.OPEN)
    client = client_for(world.leader)
    html = page(client, reverse("results:list", kwargs={"org": world.org.slug}))
    assert url(world, closed, world.team_a) in html
    assert url(world, running, world.team_a) in html
    assert "åben – tal efter lukning" in html
    assert "Team B" not in html and url(world, closed, world.team_b) not in html

    amo_html = page(client_for(world.amo), reverse("results:list", kwargs={"org": world.org.slug}))
    assert url(world, closed, world.team_b) in amo_html
    assert url(world, closed, world.root) in amo_html


def test_an_open_measurement_shows_no_figures_to_anyone(world: World) -> None:
    running = make_measurement(world, status=Status.OPEN)
    fill(running, world.team_a, 6, [1])
    for user in (world.leader, world.amo, world.owner):
        html = page(client_for(user), url(world, running, world.team_a))
        assert "Resultaterne vises, når målingen er lukket." in html
        assert "report-scale" not in html and "<svg" not in html
        assert "6 svar" not in html and "n = 6" not in html


# --------------------------------------------------------------------------- numbers


def test_it_shows_the_report_datas_mean_interval_and_n(world: World, shown: Measurement) -> None:
    data = report_data(shown)
    block = ps7_total(data, world.team_a)
    assert block["n"] == 12 and block["mean"] == pytest.approx(55.0)
    html = page(client_for(world.leader), url(world, shown, world.team_a))
    low, high = (format_number(v, "da") for v in block["ci95"])
    # On the one reading (55 of 0–70 is 79 of 100), the published mean beside it.
    assert '<span class="report-key__value">79</span>' in html
    assert "55,0 på skalaen 0–70" in html
    assert f"95 % sikkerhedsinterval {low}–{high}" in html
    assert "n = 12 svar" in html
    # Compared with the parent (Område, everything under it) and the whole organisation.
    parent = ps7_total(data, world.area, "subtree")
    assert parent["mean"] == pytest.approx((12 * 55 + 6 * 34) / 18)
    assert format_number(parent["mean"] / 70 * 100, "da", 0) in html
    assert "Hele organisationen" in html and "Område" in html


def test_the_area_report_reads_its_subtree_or_its_own_respondents(
    world: World, shown: Measurement
) -> None:
    fill(shown, world.area, 6, [3])  # the area's own people: score 28
    client = client_for(world.amo)
    subtree = page(client, url(world, shown, world.area))
    own = page(client, url(world, shown, world.area, omfang="enhed"))
    assert "n = 24 svar" in subtree  # 12 + 6 + 6
    assert '<span class="report-key__value">40</span>' in own and "n = 6 svar" in own
    assert "28,0 på skalaen 0–70" in own
    # The team below is linked, for the one who may open it.
    assert url(world, shown, world.team_a) in subtree


def test_a_team_below_the_minimum_shows_why_and_none_of_its_numbers(world: World) -> None:
    """team_a 6 (score 40), team_b 3 (score 70): team_b is below the minimum, and team_a is
    hidden too, or the organisation (9) minus team_a (6) would give team_b away."""
    measurement = make_measurement(world)
    fill(measurement, world.team_a, 6, [1])
    fill(measurement, world.team_b, 3, TOP)
    data = report_data(measurement)
    assert ps7_total(data, world.team_b)["reason"] == "below_minimum"
    assert ps7_total(data, world.team_a)["reason"] == "complementary"
    assert ps7_total(data, None)["mean"] == pytest.approx(50.0)
    client = client_for(world.amo)

    team_b = page(client, url(world, measurement, world.team_b))
    assert BELOW_MINIMUM in team_b
    team_a = page(client, url(world, measurement, world.team_a))
    assert COMPLEMENTARY in team_a
    for html in (team_a, team_b):
        for secret in ("70,0", "40,0", "n = 3", "n = 6", "n\u00a0=\u00a03", "n\u00a0=\u00a06"):
            assert secret not in html, secret
        assert "report-key__value" not in html
    # The organisation, which is shown, is there to compare with: 50 of 0–70 reads 71.
    assert '<td class="num" data-label="Hele organisationen">71</td>' in team_a


def test_a_team_with_every_figure_hidden_says_so_once_on_its_first_screen(
    world: World,
) -> None:
    """team_a 6, team_b 3 with ps7 and stress (several areas, a share): team_a is hidden
    to protect team_b, in every area and share. Its first screen says so once, with the
    reason, instead of a row of the same reason per area, and claims no change. A group
    with a figure shown keeps its table."""
    measurement = make_measurement(world, ("ps7", "stress"))
    for _ in range(6):
        answer(measurement, world.team_a, {**ps7([1]), "stress.1": 2, "stress.2": 2})
    for _ in range(3):
        answer(measurement, world.team_b, {**ps7(TOP), "stress.1": 4, "stress.2": 4})
    client = client_for(world.amo)

    team_a = page(client, url(world, measurement, world.team_a))
    assert "Alle tal for gruppen er skjult i denne måling." in team_a
    summary = team_a.split('id="summary-heading"')[1].split("</section>")[0]
    assert summary.count(COMPLEMENTARY) == 1
    assert "report-areas" not in team_a.split('id="next-heading"')[0]
    assert "Ingen sikre ændringer" not in team_a
    assert "Mødekittet har spørgsmål, I kan tale ud fra, også uden tal." in team_a
    assert "Åbn mødekittet" in team_a and "Vælg fokusområder" not in team_a
    # team_b's whole group is below the minimum: its page has no first screen, just why.
    team_b = page(client, url(world, measurement, world.team_b))
    assert "Ingen tal for denne gruppe" in team_b
    assert team_b.count(BELOW_MINIMUM) == 1
    assert "Åbn mødekittet" in team_b and "Vælg fokusområder" not in team_b
    # The organisation (9) shows its figures: its first screen keeps the table.
    whole = page(client, url(world, measurement, world.root))
    assert "Alle tal for gruppen er skjult" not in whole
    assert "report-areas" in whole


def test_the_change_since_the_previous_measurement_reads_real_or_indicative(
    world: World,
) -> None:
    before = make_measurement(world)
    fill(before, world.team_a, 6, [3])  # 28
    fill(before, world.team_a, 6, [2])  # 34
    fill(before, world.team_b, 6, [2])
    after = make_measurement(world, previous=before)
    fill(after, world.team_a, 6, [1])  # 40
    fill(after, world.team_a, 6, TOP)  # 70
    fill(after, world.team_b, 3, [2])
    fill(after, world.team_b, 3, [1])
    data = report_data(after)
    assert ps7_total(data, world.team_a)["change"]["reading"] == "real"
    assert ps7_total(data, world.team_b)["change"]["reading"] == "indicative"
    client = client_for(world.amo)

    team_a = page(client, url(world, after, world.team_a))
    assert "Steget 24,0" in team_a and "Sikker ændring." in team_a
    assert "Vejledende – kan skyldes tilfældigheder" not in team_a
    team_b = page(client, url(world, after, world.team_b))
    assert "Steget 3,0" in team_b and "Vejledende – kan skyldes tilfældigheder" in team_b
    assert "Sikker ændring." not in team_b


def test_free_text_shows_the_stored_order_and_only_above_the_comment_minimum(
    world: World,
) -> None:
    measurement = make_measurement(world, ("ps7", "hesteskoen"), min_group_comment=5)
    for k in range(6):
        answer(
            measurement,
            world.team_a,
            {**ps7([1]), "hesteskoen.1": 7},
            {"hesteskoen.3": f"Forslag nummer {k} fra Team A"},
        )
    for _ in range(6):
        answer(measurement, world.team_b, {**ps7([2]), "hesteskoen.1": 4})
    data = report_data(measurement)
    shown_block = group(data, world.team_a.pk)["comments"]["hesteskoen.3"]
    texts = comment_texts(data, shown_block)
    assert sorted(texts) == sorted(f"Forslag nummer {k} fra Team A" for k in range(6))
    # A group lists its texts in the order of the (once shuffled) table of texts.
    assert shown_block["texts"] == sorted(shown_block["texts"])
    client = client_for(world.amo)

    html = page(client, url(world, measurement, world.team_a))
    positions = [html.index(text) for text in texts]
    assert positions == sorted(positions)  # the stored order
    assert "2026-W45" not in html  # no week or date next to the answers


def test_free_text_below_the_comment_minimum_is_not_shown(world: World) -> None:
    measurement = make_measurement(world, ("ps7", "hesteskoen"), min_group_comment=5)
    for k in range(6):
        texts = {"hesteskoen.3": f"Hemmelig kommentar {k}"} if k < 3 else {}
        answer(measurement, world.team_b, {**ps7([2]), "hesteskoen.1": 4}, texts)
    html = page(client_for(world.amo), url(world, measurement, world.team_b))
    assert "Hemmelig kommentar" not in html
    assert BELOW_MINIMUM in html
    assert '<span class="report-key__value">49</span>' in html  # the scores are shown


def test_readings_of_stress_tavshed_and_the_golden_nuggets(world: World) -> None:
    measurement = make_measurement(world, ("stress", "tavshed", "guldkorn"))
    nuggets = {f"guldkorn.{n}": 4 for n in range(1, 11)} | {"guldkorn.11": 5}
    for k in range(10):
        answer(
            measurement,
            world.team_a,
            {"stress.1": 4 if k < 4 else 2, **{f"tavshed.{n}": 1 for n in range(1, 5)}, **nuggets},
        )
    html = page(client_for(world.amo), url(world, measurement, world.team_a))
    assert "40,0 %" in html.replace("\u00a0", " ")  # 4 of 10 stressed often
    assert "17,7 %" in html  # the national figure beside it
    assert "50–70 %" in html  # tavshed against the research range
    assert "Magtesløshed, hjælpeløshed" in html  # influence "I ringe grad" (seed 003)
    assert "Stress" in html  # demands far too high


def test_the_report_renders_in_english(world: World, shown: Measurement) -> None:
    client = client_for(world.leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page(client, url(world, shown, world.team_a))
    assert '<html lang="en"' in html
    assert '<span class="report-key__value">79</span>' in html
    assert "55.0" in html
    assert "Psychological safety" in html  # the instrument's own English text
    assert "55,0" not in html


def test_the_discussion_prompts_come_from_the_weakest_items(world: World) -> None:
    measurement = make_measurement(world)
    # Code 1 everywhere: the positive items score 10, the reversed ones (1, 3, 5) score 0.
    fill(measurement, world.team_a, 6, [1])
    fill(measurement, world.team_b, 6, [1])
    instrument = measurement_instruments(measurement)[0]
    html = page(client_for(world.leader), url(world, measurement, world.team_a))
    start = html.index("Tre spørgsmål til dialogmødet")
    prompts = html[start : html.index("</ol>", start)]
    for number in (1, 3, 5):
        assert f"»{escape(instrument.item(number).text.da)}«" in prompts
    assert escape(instrument.item(2).text.da) not in prompts


def test_agreement_in_the_group_is_said_in_words(world: World) -> None:
    measurement = make_measurement(world)
    fill(measurement, world.team_a, 6, [1])  # everyone alike: rwg(j) = 1
    fill(measurement, world.team_b, 3, [1])  # half at one end, half at the other: rwg(j) = 0
    fill(measurement, world.team_b, 3, [5])
    data = report_data(measurement)
    assert ps7_total(data, world.team_a)["rwg_j"] == pytest.approx(1.0)
    assert ps7_total(data, world.team_b)["rwg_j"] == 0.0
    client = client_for(world.amo)
    team_a = page(client, url(world, measurement, world.team_a))
    assert "Gruppen svarer meget ens (enighed 1,00 af 1)." in team_a
    team_b = page(client, url(world, measurement, world.team_b))
    assert "Svarene peger i forskellige retninger (enighed 0,00 af 1)." in team_b
    assert "Uenighed:" in team_b and "Uenighed:" not in team_a


def test_the_reports_offer_their_files_and_the_list_leads_the_amo_to_the_whole_organisation(
    world: World, shown: Measurement
) -> None:
    request_url = reverse(
        "results:export_request", kwargs={"org": world.org.slug, "measurement_id": shown.pk}
    )
    org_url = reverse(
        "results:org_report", kwargs={"org": world.org.slug, "measurement_id": shown.pk}
    )
    list_url = reverse("results:list", kwargs={"org": world.org.slug})
    leader = client_for(world.leader)
    team = page(leader, url(world, shown, world.team_a))
    assert f'action="{request_url}"' in team and 'value="unit_pdf"' in team
    assert org_url not in page(leader, list_url)

    amo = client_for(world.amo)
    assert org_url in page(amo, list_url)
    whole = page(amo, org_url)
    assert 'value="organisation_pdf"' in whole and 'value="excel"' in whole


def test_each_questionnaires_per_question_chart_is_named_by_the_questionnaire(
    world: World, shown: Measurement
) -> None:
    instrument = measurement_instruments(shown)[0]
    name = instrument.name.get("da")
    html = page(client_for(world.leader), url(world, shown, world.team_a))
    heading = f"Spørgsmål for spørgsmål – {name}"
    figcaption = f'<figcaption id="profile-{instrument.id}-heading" class="report-figure__heading">'
    assert f"{figcaption}{escape(heading)}</figcaption>" in html
    # The toggle and the SVG's own title say it too, so neither is ambiguous out of context.
    assert f'<span class="visually-hidden">: {escape(heading)}</span>' in html
    assert f">{escape(heading)}</title>" in html
