"""A publication stored under an earlier schema is tightened to the current hiding rules
before anything of it is shown (core.tighten, results.aggregates.tighten_publication).

The old publication is made as an old build made it: the same answers built by the current
code with one rule of schema 3 switched off (vz-maturity's pooled total no longer hidden
beside a hidden topic, a9853a9), stored as schema 2. The leak it carries is the red team's
(tests/privacy/test_redteam_vz_pooled.py): Stor's total beside its shown topics gives away
the one answer to its hidden topic 1.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from tests.privacy import attack
from tryghed.audit.models import AuditEvent
from tryghed.cli import main
from tryghed.core import figures, publication
from tryghed.results import aggregates
from tryghed.results.models import PublishedGroup, PublishedText, ReportCache, ReportExport
from tryghed.surveys.models import Measurement, Response

pytestmark = pytest.mark.django_db

VZ = "vz-maturity"
ROWS = [
    [2, 5, 5, 2, 3, 5, 4, 5, 1, 5],
    [1, 4, 3, 5, 2, 2, 4, 5, 5, 4],
    [3, 3, 1, 4, 5, 4, 2, 2, 3, 5],
    [4, 2, 4, 1, 4, 3, 5, 4, 2, 5],
    [5, 1, 2, 3, 3, 5, 3, 3, 4, 4],
    [3, 5, 4, 2, 1, 4, 4, 2, 4, 5],
]
# What the crafted old publication shows for the organisation's topic 3 instead of the
# current build's 37/12: a figure shown in both, computed otherwise then (as vz-maturity's
# total was before 2a709d9). Readers saw it; the tightened publication must keep it. (Not
# Anden's since the joint rule: Stor's one answer to topic 1 beside Anden's six hides
# Anden in every topic, as the organisation's topic 1 total less Anden's 6 gave it away.)
OLD_TOP_MANAGEMENT = 3.125


def _answers(codes: list[int | None]) -> dict[str, int]:
    return {f"{VZ}.{i}": c for i, c in enumerate(codes, start=1) if c is not None}


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    # The invitations are sent and the answers released at once, as tests/privacy does.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@dataclass
class Old:
    place: attack.Workplace
    measurement: Measurement
    data: dict[str, Any]  # the crafted schema-2 publication as stored
    name: str  # its fingerprint
    stor_total: float  # the leaked figure: Stor's total mean, shown in it

    def slot(self, unit: str, scope: str = "unit") -> int:
        return int(self.data["units"][str(self.place.units[unit].pk)][scope])


def _without_the_pooled_rule(
    scale: Any, scales: Any, decisions: Any
) -> list[Any]:  # the rule of a9853a9 switched off
    found: list[Any] = decisions[scale.id]
    return found


def _vz(group: dict[str, Any]) -> dict[str, Any]:
    block: dict[str, Any] = group["instruments"][VZ]
    return block


def _store(measurement: Measurement, data: dict[str, Any]) -> str:
    """Store ``data`` in place of the measurement's publication, as an earlier release
    stored its own (header and rows)."""
    name = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    header = {k: v for k, v in data.items() if k not in ("groups", "texts")}
    ReportCache.objects.filter(measurement=measurement).update(fingerprint=name, data=header)
    PublishedGroup.objects.filter(measurement=measurement).delete()
    PublishedText.objects.filter(measurement=measurement).delete()
    aggregates.insert_rows(
        PublishedGroup,
        ("measurement", "slot", "data"),
        ((measurement.pk, k, g) for k, g in enumerate(data["groups"])),
    )
    aggregates.insert_rows(
        PublishedText,
        ("measurement", "index", "text"),
        ((measurement.pk, k, t) for k, t in enumerate(data["texts"])),
    )
    aggregates._parsed.clear()
    aggregates._typed.clear()
    return name


def _old(monkeypatch: pytest.MonkeyPatch, *, dont_know_topic_2: bool = False) -> Old:
    place = attack.build_workplace({"Stor": (None, 6), "Anden": (None, 6)})
    launched = attack.launch(place, (VZ,))
    for k, (person, codes) in enumerate(zip(place.people["Stor"], ROWS, strict=True)):
        # Topic 1: one person answers it (5), the other five skip it.
        attack.submit(launched.tokens[person.pk], _answers([5 if k == 0 else None, *codes[1:]]))
    for k, person in enumerate(place.people["Anden"]):
        topic_2 = 0 if dont_know_topic_2 and k == 0 else 3  # 0: "Ved ikke"
        attack.submit(launched.tokens[person.pk], _answers([3, topic_2, *[3] * 8]))
    attack.close(place, launched.measurement)
    measurement = launched.measurement
    current = aggregates.report_data(measurement)
    with monkeypatch.context() as patched:
        patched.setattr(publication, "_pooled_with_its_parts", _without_the_pooled_rule)
        # Nor did a schema 2 build hide what figures decided apart give away together.
        patched.setattr(publication._Decider, "joint_hides", lambda self, data=None: False)
        data = aggregates.compute_report_data(measurement)
    data["schema"] = 2
    stor = int(data["units"][str(place.units["Stor"].pk)]["unit"])
    total = _vz(data["groups"][stor])["scales"]["total"]
    # The scenario: the old build shows Stor's total, the current one hides it.
    assert total["suppressed"] is False
    assert _vz(current["groups"][stor])["scales"]["total"]["suppressed"] is True
    topic_3 = _vz(data["groups"][data["organisation"]])["scales"]["top-management"]
    assert topic_3["mean"] == pytest.approx(37 / 12)
    topic_3["mean"] = OLD_TOP_MANAGEMENT
    name = _store(measurement, data)
    return Old(place, measurement, data, name, float(total["mean"]))


def _restarted() -> None:
    """The processes of the new release start with nothing read (as a deploy does)."""
    aggregates._parsed.clear()
    aggregates._typed.clear()
    aggregates._participation.clear()


def _purged(old: Old) -> None:
    """What retention does: the publication frozen, the answers gone."""
    Measurement.objects.filter(pk=old.measurement.pk).update(report_frozen_at=timezone.now())
    Response.objects.filter(measurement=old.measurement).delete()
    old.measurement.refresh_from_db()


@pytest.fixture
def as_before(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Reads as the code before schema 3 read: a stored schema-2 publication is current."""
    with monkeypatch.context() as patched:
        patched.setattr(aggregates, "SCHEMA", 2)
        yield patched


def _stor_group(old: Old, scope: str = "unit") -> figures.Group:
    typed = aggregates.publication(old.measurement, units=[old.place.units["Stor"].pk])
    found = typed.groups[typed.units[str(old.place.units["Stor"].pk)].unit]
    if scope == "subtree":
        found = typed.groups[typed.units[str(old.place.units["Stor"].pk)].subtree]
    assert isinstance(found, figures.Group)
    return found


def _top_management(old: Old) -> float | None:
    typed = aggregates.publication(old.measurement, units=[old.place.units["Anden"].pk])
    group = typed.groups[typed.organisation]
    assert isinstance(group, figures.Group)
    scale = group.instruments[VZ].scales["top-management"]
    assert isinstance(scale, figures.ScaleFigure)
    return scale.mean


def _excel_has(counter: Any, value: float) -> bool:
    """Whether the spreadsheet holds the number (written to 15 significant digits)."""
    for key in counter:
        try:
            number = float(key.rpartition(":")[2])
        except ValueError:
            continue
        if abs(number - value) < 1e-12:
            return True
    return False


# --------------------------------------------------------------------------- the read path


def test_a_purged_schema_2_publication_no_longer_shows_what_the_current_rules_hide(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = _old(monkeypatch)
    _purged(old)
    stored = PublishedGroup.objects.get(measurement=old.measurement, slot=old.slot("Stor"))
    assert _vz(stored.data)["scales"]["total"]["suppressed"] is False  # as stored, leaky

    total = _stor_group(old).instruments[VZ].scales["total"]
    assert isinstance(total, figures.Hidden)
    data = aggregates.report_data(old.measurement)
    assert data["schema"] == publication.SCHEMA == 9
    assert _vz(data["groups"][old.slot("Stor")])["scales"]["total"]["suppressed"] is True
    # Shown in both: the value readers saw, not a second computation.
    assert _top_management(old) == OLD_TOP_MANAGEMENT
    # What is stored reads as the typed publication pages read, and back.
    assert figures.dump(aggregates.publication(old.measurement, units=None)) == data
    # Stored so, header and rows, under a new name, and audited.
    cache = ReportCache.objects.get(measurement=old.measurement)
    assert cache.fingerprint != old.name and cache.data["schema"] == publication.SCHEMA
    stored = PublishedGroup.objects.get(measurement=old.measurement, slot=old.slot("Stor"))
    assert _vz(stored.data)["scales"]["total"]["suppressed"] is True
    event = AuditEvent.objects.get(action="results.publication_tightened")
    assert event.data["measurement"] == old.measurement.pk
    assert event.data["hidden"] >= 1 and event.data["compared_with_fresh"] is False
    assert event.data["fingerprint_before"] == old.name


def test_with_its_answers_it_is_compared_with_a_fresh_build_and_keeps_the_old_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = _old(monkeypatch)
    data = aggregates.report_data(old.measurement)
    stor_total = _vz(data["groups"][old.slot("Stor")])["scales"]["total"]
    assert stor_total == {"suppressed": True, "reason": "complementary"}  # the fresh reason
    assert _top_management(old) == OLD_TOP_MANAGEMENT  # not the fresh build's 37/12
    event = AuditEvent.objects.get(action="results.publication_tightened")
    assert event.data["compared_with_fresh"] is True


def test_no_page_shows_a_new_number_and_the_leaked_total_is_gone(
    monkeypatch: pytest.MonkeyPatch, as_before: pytest.MonkeyPatch
) -> None:
    old = _old(monkeypatch)
    _purged(old)
    urls = attack.report_urls(old.place, old.measurement)
    before = attack.read_all(old.place, urls)
    excel_before = attack.excel_figures(old.place.amo, old.place, old.measurement)
    assert _excel_has(excel_before, old.stor_total), "the old file shows Stor's total"
    as_before.undo()
    _restarted()
    after = attack.read_all(old.place, urls)
    assert before.keys() == after.keys()
    gone: list[str] = []
    for key, page in before.items():
        change = attack.diff(attack.figures(page), attack.figures(after[key]))
        # Printed numbers only: a chart without the hidden bar is laid out anew.
        printed = [f for f in change["appeared"] if not f.startswith("svg:")]
        assert not printed, f"{key}: tightening showed {printed}"
        gone += change["gone"]
    assert gone, "Stor's total (and what rests on it) is no longer on any page"
    excel_after = attack.excel_figures(old.place.amo, old.place, old.measurement)
    assert excel_after is not None and not _excel_has(excel_after, old.stor_total)
    assert _excel_has(excel_after, OLD_TOP_MANAGEMENT)


def test_a_file_made_from_the_old_publication_is_not_served_any_more(
    monkeypatch: pytest.MonkeyPatch, as_before: pytest.MonkeyPatch
) -> None:
    old = _old(monkeypatch)
    _purged(old)
    client = attack.client_for(old.place.amo)
    slug = old.place.org.slug
    url = reverse(
        "results:export_request", kwargs={"org": slug, "measurement_id": old.measurement.pk}
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        asked = client.post(url, {"kind": "excel"})
    export = ReportExport.objects.get(measurement=old.measurement)
    download = reverse("results:export_download", kwargs={"org": slug, "export_id": export.pk})
    assert asked.status_code == 302 and client.get(download).status_code == 200
    as_before.undo()
    _restarted()
    got = client.get(download)
    assert got.status_code != 200 or b"PK" not in attack._body(got)[:2]
    assert not ReportExport.objects.filter(pk=export.pk).exists()


def test_the_purged_path_hides_what_it_cannot_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Topic 2 has a "Ved ikke" in Anden: whether its distributions rest on the minimum of
    scored answers in every group is not in the stored figures, so without the answers they
    are hidden everywhere; with them (the fresh build) they stay as they were."""
    old = _old(monkeypatch, dont_know_topic_2=True)
    org = old.data["organisation"]
    assert _vz(old.data["groups"][org])["items"][f"{VZ}.2"]["suppressed"] is False
    _purged(old)
    data = aggregates.report_data(old.measurement)
    for slot in (org, old.slot("Anden")):
        assert _vz(data["groups"][slot])["items"][f"{VZ}.2"]["suppressed"] is True
    # Topic 3 had no unscored answer anywhere: decided as before, shown as before.
    item_3 = _vz(data["groups"][org])["items"][f"{VZ}.3"]
    assert item_3 == _vz(old.data["groups"][org])["items"][f"{VZ}.3"]


def test_with_the_answers_an_item_the_current_rules_show_stays_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = _old(monkeypatch, dont_know_topic_2=True)
    data = aggregates.report_data(old.measurement)
    org = old.data["organisation"]
    # What the current rules show for the organisation (since the joint rule, with topic 1
    # answered by one person in Stor, none of the topics' distributions: they are counted
    # over the total's people, hidden for the organisation) keeps its stored value.
    now = _vz(aggregates.compute_report_data(old.measurement)["groups"][org])
    shown = [
        (kind, key)
        for kind in ("scales", "items")
        for key, record in now[kind].items()
        if not record["suppressed"] and not _vz(old.data["groups"][org])[kind][key]["suppressed"]
    ]
    assert len(shown) >= 5
    for kind, key in shown:
        assert _vz(data["groups"][org])[kind][key] == _vz(old.data["groups"][org])[kind][key]


# --------------------------------------------------------------------------- the command


def test_the_command_tightens_ahead_and_its_dry_run_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _old(monkeypatch)
    _purged(old)
    rows = list(PublishedGroup.objects.filter(measurement=old.measurement).values_list("data"))
    out = io.StringIO()
    call_command("tighten_publications", dry_run=True, stdout=out)
    assert "Would hide" in out.getvalue() and old.measurement.name in out.getvalue()
    cache = ReportCache.objects.get(measurement=old.measurement)
    assert (cache.fingerprint, cache.data["schema"]) == (old.name, 2)
    assert rows == list(
        PublishedGroup.objects.filter(measurement=old.measurement).values_list("data")
    )
    assert not AuditEvent.objects.filter(action="results.publication_tightened").exists()

    assert main(["tighten-publications"]) == 0
    said = capsys.readouterr().out
    hidden = AuditEvent.objects.get(action="results.publication_tightened").data["hidden"]
    assert f"Hid {hidden} figures" in said
    assert ReportCache.objects.get(measurement=old.measurement).data["schema"] == publication.SCHEMA
    assert main(["tighten-publications"]) == 0
    assert "Every publication is of the current schema." in capsys.readouterr().out
