"""Tables of running text on a 360 px phone: the APV's risk assessments, its sickness absence,
its list of assessments and the action plans stack into one labelled block per row, so nothing is read a
word per line or by scrolling sideways inside the table (an assessment's text ran in a
column 25-150 px wide). The participation table stacks too, each unit over its three figures,
so its last column is not cut off. Other numeric tables may still scroll in their region."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from playwright.sync_api import Page

from tests.actions.scenario import action_plan
from tests.apv.scenario import apv_values
from tests.browser.axe import assert_accessible
from tests.browser.conftest import Login
from tests.browser.scenarios import closed_measurement
from tests.conftest import World
from tryghed.surveys.models import Invitation

# Per table: its width against its region's, and its cells' labels as the screen shows them.
TABLES = """(selector) => [...document.querySelectorAll(selector)].map(t => {
  const region = t.closest('.table-wrap');
  return {
    caption: t.caption ? t.caption.textContent.trim() : '',
    overflow: t.scrollWidth - region.clientWidth,
    labels: [...t.querySelectorAll('td[data-label]')].map(
      td => getComputedStyle(td, '::before').content),
  };
})"""


def tables(page: Page, selector: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(TABLES, selector)
    assert found, f"no {selector} on {page.url}"
    return found


def test_the_apvs_text_tables_stack_on_a_phone(
    phone_page: Page, login: Login, world: World
) -> None:
    apv_values(world)
    login(phone_page, world.amo)
    phone_page.goto(
        reverse("apv:unit_document", kwargs={"org": world.org.slug, "unit_id": world.team_a.pk})
    )
    # The page folds the absence table and all but the first assessment: measure them open.
    phone_page.evaluate("document.querySelectorAll('details.apv-fold').forEach(d => d.open = true)")
    for table in tables(phone_page, ".table-wrap table"):
        assert table["overflow"] <= 1, table
        assert table["labels"], table
    risk = tables(phone_page, "table.risk")[0]
    assert '"Fuldt forsvarligt: "' in risk["labels"] and '"Vurdering: "' in risk["labels"]
    assert_accessible(phone_page, who="AMO, 360 px, the APV of a unit")

    phone_page.goto(reverse("apv:assessments", kwargs={"org": world.org.slug}))
    for table in tables(phone_page, ".table-wrap table"):
        assert table["overflow"] <= 1, table
    assert_accessible(phone_page, who="AMO, 360 px, the risk assessments")


def test_the_action_plans_stack_on_a_phone(phone_page: Page, login: Login, world: World) -> None:
    action = action_plan(world, closed_measurement(world))
    login(phone_page, world.leader)
    for path, who in (
        (reverse("actions:index", kwargs={"org": world.org.slug}), "the plans"),
        (
            reverse(
                "actions:plan_detail", kwargs={"org": world.org.slug, "plan_id": action.plan_id}
            ),
            "a plan",
        ),
    ):
        phone_page.goto(path)
        for table in tables(phone_page, ".table-wrap table"):
            assert table["overflow"] <= 1, table
            assert table["labels"], table
        assert_accessible(phone_page, who=f"leader, 360 px, {who}")


def test_the_participation_table_fits_a_phone(phone_page: Page, login: Login, world: World) -> None:
    measurement = closed_measurement(world)
    for unit in (world.team_a, world.team_b):  # 12 of 20 answered in each team
        Invitation.objects.bulk_create(
            Invitation(measurement=measurement, unit=unit) for _ in range(20)
        )
    login(phone_page, world.amo)
    phone_page.goto(
        reverse(
            "surveys_admin:detail",
            kwargs={"org": world.org.slug, "measurement_id": measurement.pk},
        )
    )
    [rates] = tables(phone_page, '.table-wrap table:has(caption[id^="rates-caption"])')
    assert rates["overflow"] <= 1, rates
    assert '"Svarprocent"' in rates["labels"], rates
    assert phone_page.evaluate("() => document.scrollingElement.scrollWidth") <= 360
    assert_accessible(phone_page, who="AMO, 360 px, the participation of a measurement")
