"""The publication stored as rows (issue 14): a header and one row per group, written once
at closing; every page loads the header and the rows of the groups it may show, and can
read no other group. So the anonymity audit's view of a reader (results.audit) bounds
what any of their pages ever read."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from tests.conftest import World, client_for
from tests.factories import make_unit
from tests.results.test_aggregates import answer, answer_many, make_measurement, ps7
from tryghed.core import figures
from tryghed.orgs.models import Organisation
from tryghed.results import aggregates, audit, selectors, shown_counts
from tryghed.results.models import PublishedGroup, PublishedText, ReportCache
from tryghed.surveys.models import Measurement, Status


@pytest.mark.django_db
def test_the_publication_is_a_header_and_one_row_per_group(world: World) -> None:
    measurement = make_measurement(world)
    answer_many(measurement, world.team_a, 6)
    answer_many(measurement, world.team_b, 2, ps7([4]))
    whole = aggregates.compute_report_data(measurement)
    name = aggregates.fingerprint(measurement)

    header = ReportCache.objects.get(measurement=measurement)
    assert "groups" not in header.data
    rows = list(PublishedGroup.objects.filter(measurement=measurement).order_by("slot"))
    assert [row.slot for row in rows] == list(range(len(whole["groups"])))
    assert [row.data for row in rows] == whole["groups"]
    assert figures.group_count(header.data) == len(rows)
    # The whole publication reads back as it was built, with the hash it was stored under.
    assert aggregates.report_data(measurement) == whole
    assert header.fingerprint == name == aggregates._content_fingerprint(whole)


@pytest.mark.django_db
def test_a_unit_slice_holds_its_groups_and_refuses_every_other(world: World) -> None:
    measurement = make_measurement(world)
    extra = make_unit(world.org)
    for team in (world.team_a, world.team_b, extra):
        answer_many(measurement, team, 6)
    whole = figures.load(aggregates.report_data(measurement))
    aggregates._typed.clear()

    entry = whole.units[str(world.team_a.pk)]
    parent = whole.units[str(entry.parent)]
    wanted = {entry.unit, entry.subtree, parent.subtree, whole.organisation}
    part = aggregates.publication(measurement, units=[world.team_a.pk])
    assert set(part.groups.slots) == wanted
    assert not part.groups.complete
    assert part.group(world.team_a.pk) == whole.group(world.team_a.pk)
    assert part.group(None) == whole.group(None)
    with pytest.raises(figures.OutsideSlice):
        part.group(world.team_b.pk)
    with pytest.raises(figures.OutsideSlice):
        part.shown_group(extra.pk, "subtree")
    with pytest.raises(figures.OutsideSlice):
        figures.dump(part)
    # Only the slice's rows were read into the process.
    loaded = aggregates._typed.get((measurement.pk, aggregates.fingerprint(measurement)))
    assert loaded is not None and set(loaded.groups) == wanted

    # A header-only slice still knows the tree and names; the whole one every group.
    assert set(aggregates.publication(measurement, units=()).groups.slots) == {whole.organisation}
    everything = aggregates.publication(measurement, units=None)
    assert everything.groups.complete
    assert figures.dump(everything) == figures.dump(whole)


@pytest.mark.django_db
def test_a_warm_slice_costs_two_queries_and_a_new_group_one_more(
    world: World, django_assert_num_queries: Any
) -> None:
    measurement = make_measurement(world)
    for team in (world.team_a, world.team_b):
        answer_many(measurement, team, 6)
    aggregates.fingerprint(measurement)  # built and stored at closing
    with django_assert_num_queries(4):  # status, name, header, the slice's rows
        aggregates.publication(measurement, units=[world.team_a.pk])
    with django_assert_num_queries(2):  # status, name: everything is loaded
        aggregates.publication(measurement, units=[world.team_a.pk])
    with django_assert_num_queries(3):  # and team B's own group, not loaded yet
        aggregates.publication(measurement, units=[world.team_b.pk])


@pytest.mark.django_db
def test_comments_are_rows_and_a_page_loads_only_its_own_groups_comments(world: World) -> None:
    measurement = make_measurement(world, ("hesteskoen",))
    for i in range(10):
        answer(measurement, world.team_a, {"hesteskoen.1": 6}, {"hesteskoen.2": f"A {i}"})
        answer(measurement, world.team_b, {"hesteskoen.1": 6}, {"hesteskoen.2": f"B {i}"})
    whole = aggregates.compute_report_data(measurement)
    aggregates.fingerprint(measurement)
    header = ReportCache.objects.get(measurement=measurement).data
    assert "texts" not in header
    rows = PublishedText.objects.filter(measurement=measurement).order_by("index")
    assert list(rows.values_list("text", flat=True)) == whole["texts"]
    aggregates._typed.clear()

    # Team A's page: its comments, not team B's, though the area and the whole measurement
    # it is compared with show them all (a page never shows a comparison's comments).
    part = aggregates.publication(measurement, units=[world.team_a.pk])
    own = figures.shown(part.group(world.team_a.pk))
    assert own is not None
    assert sorted(part.comment_texts(own.comments["hesteskoen.2"])) == [f"A {i}" for i in range(10)]
    assert sorted(part.texts) == [f"A {i}" for i in range(10)]
    area = figures.shown(part.group(world.area.pk, "subtree"))
    assert area is not None
    with pytest.raises(figures.OutsideSlice):
        part.comment_texts(area.comments["hesteskoen.2"])
    loaded = aggregates._typed.get((measurement.pk, aggregates.fingerprint(measurement)))
    assert loaded is not None and sorted(loaded.texts.values()) == [f"A {i}" for i in range(10)]
    # The whole publication has every comment.
    assert sorted(aggregates.publication(measurement, units=None).texts) == sorted(whole["texts"])
    assert aggregates.report_data(measurement) == whole


def _loaded_slots(measurement: Measurement, calls: list[list[int]]) -> set[int]:
    return {slot for call in calls for slot in call}


@pytest.mark.django_db
def test_no_page_reads_a_group_outside_its_readers_audited_view(
    demo_organisation: Organisation,
) -> None:
    # The audit (results.audit.view_groups) decides a reader's view from their roles; the
    # pages load their slices themselves. Every group any page of a reader loaded must lie
    # in that reader's audited view, so the audit covers everything a page can show.
    organisation = demo_organisation
    measurements = list(Measurement.objects.filter(organisation=organisation, status=Status.CLOSED))
    checked = 0
    for reader in audit.readers(organisation):
        client = client_for(reader.access.user)
        for measurement in measurements:
            whole = figures.load(aggregates.report_data(measurement))
            allowed = {
                shown_counts.slot_of(whole, key)
                for key in audit.view_groups(reader, measurement, whole)
            }
            pages = []
            access = reader.access
            if selectors.can_read_organisation_report(access):
                pages.append(
                    reverse("results:org_report", args=[organisation.slug, measurement.pk])
                )
            for unit in selectors.report_units(access, measurement):
                url = reverse(
                    "results:unit_report", args=[organisation.slug, measurement.pk, unit.pk]
                )
                pages += [url, f"{url}?omfang=enhed"]
            if selectors.feedback_units(access).exists():
                pages.append(reverse("results:feedback", args=[organisation.slug, measurement.pk]))
            original = aggregates._Loaded.slice
            with mock.patch.object(
                aggregates._Loaded, "slice", autospec=True, side_effect=original
            ) as sliced:
                for page in pages:
                    status = client.get(page).status_code
                    assert status in (200, 404), (reader.label, page, status)
            calls = [list(call.args[1]) for call in sliced.call_args_list]
            read = _loaded_slots(measurement, calls)
            assert read <= allowed, (reader.label, measurement.name, sorted(read - allowed))
            checked += len(calls)
    assert checked > 20  # the demo's readers opened pages that read the publication


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_stored_groups_into_rows_unchanged(world: World) -> None:
    measurement = make_measurement(world)
    answer_many(measurement, world.team_a, 6)
    whole = aggregates.compute_report_data(measurement)
    name = aggregates._content_fingerprint(whole)
    before = [("results", "0003_export_details")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        old.get_model("results", "ReportCache").objects.create(
            measurement_id=measurement.pk,
            fingerprint=name,
            data=whole,
            computed_at="2026-12-01T00:00Z",
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
    header = ReportCache.objects.get(measurement=measurement)
    assert "groups" not in header.data
    assert PublishedGroup.objects.filter(measurement=measurement).count() == len(whole["groups"])
    Measurement.objects.filter(pk=measurement.pk).update(status=Status.CLOSED)
    assert aggregates.report_data(measurement) == whole
    assert aggregates.fingerprint(measurement) == name
