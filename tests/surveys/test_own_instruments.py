"""An organisation's own instrument files ("egne spørgeskemaer"): uploaded, checked, offered
beside the built-in ones to that organisation only, frozen into the measurements made with
them, and archived without touching those measurements."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from tests.conftest import World, client_for, draft_of
from tests.factories import make_person
from tests.surveys.conftest import tokens_from_outbox
from tryghed.audit.models import AuditEvent
from tryghed.core import figures
from tryghed.orgs.models import Organisation
from tryghed.results.aggregates import publication
from tryghed.results.exports import build_workbook
from tryghed.surveys import services
from tryghed.surveys.instrument_files import MAX_BYTES, explain
from tryghed.surveys.models import Measurement, OrganisationInstrument, Status

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]

OWN = """\
format: 1
id: egen-trivsel
version: 1
name: {da: Vores trivsel, en: Our well-being}
description: {da: Tre spørgsmål om trivsel, en: Three questions on well-being}
source: {reference: Udarbejdet af Testkommunens HR}
authored_by: organisation
options:
  - {code: 1, label: {da: Aldrig, en: Never}, points: 0}
  - {code: 2, label: {da: Sjældent, en: Rarely}, points: 25}
  - {code: 3, label: {da: Somme tider, en: Sometimes}, points: 50}
  - {code: 4, label: {da: Ofte, en: Often}, points: 75}
  - {code: 5, label: {da: Altid, en: Always}, points: 100}
items:
  - number: 1
    text: {da: Jeg glæder mig til at gå på arbejde, en: I look forward to work}
  - number: 2
    text: {da: Jeg har energi til mine opgaver, en: I have energy for my tasks}
  - number: 3
    text: {da: Jeg bliver hørt, en: I am heard}
scales:
  - id: trivsel
    name: {da: Trivsel i hverdagen, en: Everyday well-being}
    items: [1, 2, 3]
    score: {min: 0, max: 100}
"""


def upload_url(org: Organisation) -> str:
    return reverse("surveys_admin:instruments", kwargs={"org": org.slug})


def upload(client: Client, org: Organisation, text: str | bytes, name: str = "egen.yaml") -> Any:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(upload_url(org), {"file": SimpleUploadedFile(name, raw)})


def form_data(world: World, instruments: list[str]) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "name": "Trivsel efterår",
        "template": "",
        "instruments": instruments,
        "units": [world.area.pk],
        "opens_on": today.isoformat(),
        "closes_on": (today + dt.timedelta(days=14)).isoformat(),
        "languages": ["da"],
        "min_group_score": "5",
        "min_group_comment": "10",
        "min_group_sensitive": "10",
    }


def create_url(org: Organisation) -> str:
    return reverse("surveys_admin:create", kwargs={"org": org.slug})


def stored(world: World, text: str = OWN) -> OrganisationInstrument:
    return services.organisation_instrument_upload(
        organisation=world.org, actor=world.owner, filename="egen.yaml", raw=text.encode()
    )


def scale_mean(measurement: Measurement, unit_id: int) -> float | None:
    group = publication(measurement, units=[unit_id]).shown_group(unit_id, "subtree")
    assert group is not None
    figure = figures.shown(group.scale("egen-trivsel", "trivsel"))
    assert figure is not None
    return figure.mean


def answer_and_close(
    world: World, measurement: Measurement, capture: CaptureOnCommit, codes: list[int]
) -> None:
    """Open the measurement (unless it is open), let ``len(codes)`` of team A answer every
    item with their code, and close it."""
    measurement.refresh_from_db()
    if measurement.status == Status.DRAFT:
        mail.outbox.clear()
        with capture(execute=True):
            services.measurement_open(measurement=measurement, actor=world.owner)
    # Team A's people only: one answer in team B would hide team A by the remainder rule.
    team_a = set(world.team_a.people.values_list("email", flat=True))
    tokens = sorted((e, t) for e, t in tokens_from_outbox().items() if e in team_a)
    assert len(tokens) >= len(codes)
    for (_, token), code in zip(tokens, codes, strict=False):
        services.response_submit(
            token=token, answers={f"egen-trivsel.{n}": code for n in (1, 2, 3)}, texts={}
        )
    with capture(execute=True):
        services.measurement_close(measurement=measurement, actor=world.owner)


@pytest.fixture
def six_in_team_a(world: World) -> None:
    for i in range(5):
        make_person(world.team_a, name=f"Ekstra {i}", email=f"ekstra{i}@example.test")


# --------------------------------------------------------------------------- the whole way


@pytest.mark.usefixtures("six_in_team_a")
def test_an_uploaded_instrument_is_offered_measured_and_published_with_its_scale(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    client = client_for(world.amo)
    response = upload(client, world.org, OWN)
    assert response.status_code == 302
    row = OrganisationInstrument.objects.get(organisation=world.org)
    assert (row.instrument_id, row.version, row.source, row.uploaded_by) == (
        "egen-trivsel",
        1,
        OWN,
        world.amo,
    )
    page = client.get(create_url(world.org)).content.decode()
    assert 'value="egen-trivsel"' in page and "Vores trivsel (jeres eget, version 1)" in page

    response = client.post(create_url(world.org), form_data(world, ["ps7", "egen-trivsel"]))
    assert response.status_code == 302, response.content.decode()[:3000]
    measurement = Measurement.objects.get(name="Trivsel efterår")
    frozen = measurement.instruments.get(instrument_id="egen-trivsel")
    assert (frozen.source, frozen.version, frozen.content_hash) == (OWN, 1, row.content_hash)

    # Five answer 1..5 on every item (person scores 0, 25, 50, 75, 100), one answers 1.
    answer_and_close(world, measurement, django_capture_on_commit_callbacks, [1, 2, 3, 4, 5, 1])
    assert scale_mean(measurement, world.team_a.pk) == pytest.approx(250 / 6)
    meta = publication(measurement, units=None).scale_meta("egen-trivsel", "trivsel")
    assert meta is not None

    report = client.get(
        reverse(
            "results:unit_report",
            kwargs={
                "org": world.org.slug,
                "measurement_id": measurement.pk,
                "unit_id": world.team_a.pk,
            },
        )
    )
    assert report.status_code == 200
    assert "Trivsel i hverdagen" in report.content.decode()
    org_report = client.get(
        reverse(
            "results:org_report",
            kwargs={"org": world.org.slug, "measurement_id": measurement.pk},
        )
    )
    assert org_report.status_code == 200
    assert "Trivsel i hverdagen" in org_report.content.decode()


@pytest.mark.usefixtures("six_in_team_a")
def test_an_archived_instrument_is_not_offered_but_its_measurements_still_score(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    row = stored(world)
    measurement = draft_of(world, instruments=["egen-trivsel"], scope=[world.team_a])
    client = client_for(world.owner)
    archive = reverse(
        "surveys_admin:instrument_archive", kwargs={"org": world.org.slug, "instrument_pk": row.pk}
    )
    assert "Arkivér" in client.get(archive).content.decode()
    assert client.post(archive, {"confirm": "1"}).status_code == 302
    row.refresh_from_db()
    assert row.archived_at is not None
    assert 'value="egen-trivsel"' not in client.get(create_url(world.org)).content.decode()
    response = client.post(create_url(world.org), form_data(world, ["egen-trivsel"]))
    assert response.status_code == 200
    assert not Measurement.objects.filter(name="Trivsel efterår").exists()

    # The respondent is asked the frozen wording.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.measurement_open(measurement=measurement, actor=world.owner)
    token = tokens_from_outbox()[world.person_a.email]
    page = Client().get(reverse("surveys:start", kwargs={"token": token})).content.decode()
    assert "Jeg glæder mig til at gå på arbejde" in page
    answer_and_close(world, measurement, django_capture_on_commit_callbacks, [5, 5, 5, 5, 5])
    assert scale_mean(measurement, world.team_a.pk) == pytest.approx(100)
    assert AuditEvent.objects.filter(
        organisation=world.org, action="instrument.archived", object_id=str(row.pk)
    ).exists()

    restore = reverse(
        "surveys_admin:instrument_restore", kwargs={"org": world.org.slug, "instrument_pk": row.pk}
    )
    assert client.post(restore, {"confirm": "1"}).status_code == 302
    assert 'value="egen-trivsel"' in client.get(create_url(world.org)).content.decode()
    assert AuditEvent.objects.filter(action="instrument.restored", object_id=str(row.pk)).exists()


def test_a_new_version_is_offered_and_older_measurements_keep_theirs(world: World) -> None:
    first = stored(world)
    before = draft_of(world, instruments=["egen-trivsel"])
    changed = OWN.replace("version: 1", "version: 2").replace(
        "Jeg bliver hørt", "Jeg bliver lyttet til"
    )
    second = stored(world, changed)
    after = draft_of(world, name="Senere", instruments=["egen-trivsel"])
    assert before.instruments.get().source == OWN and before.instruments.get().version == 1
    assert after.instruments.get().source == changed and after.instruments.get().version == 2
    assert (first.version, second.version) == (1, 2)


def test_a_follow_up_asks_the_own_instrument_again(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    stored(world)
    previous = draft_of(world, instruments=["ps7", "egen-trivsel"])
    with django_capture_on_commit_callbacks(execute=True):
        services.measurement_open(measurement=previous, actor=world.owner)
    page = (
        client_for(world.owner)
        .get(create_url(world.org), {"tidligere": previous.pk})
        .content.decode()
    )
    assert re.search(r'<input[^>]*value="egen-trivsel"[^>]*checked', page)
    assert re.search(r'<input[^>]*value="ps7"[^>]*checked', page)


def test_a_new_version_must_carry_a_higher_number(world: World) -> None:
    stored(world)
    response = upload(
        client_for(world.owner), world.org, OWN.replace("Jeg bliver hørt", "Jeg bliver set")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Linje 3: version: skal være højere end 1" in html
    assert OrganisationInstrument.objects.count() == 1
    again = upload(client_for(world.owner), world.org, OWN).content.decode()
    assert "allerede indlæst som «egen-trivsel» version 1" in again


def test_the_upload_is_audited(world: World) -> None:
    upload(client_for(world.owner), world.org, OWN)
    row = OrganisationInstrument.objects.get()
    event = AuditEvent.objects.get(action="instrument.uploaded")
    assert (event.organisation, event.actor, event.object_id) == (
        world.org,
        world.owner,
        str(row.pk),
    )
    assert event.data == {
        "instrument": "egen-trivsel",
        "version": 1,
        "content_hash": row.content_hash,
        "filename": "egen.yaml",
    }


# --------------------------------------------------------------------------- refused files


def refused(world: World, text: str | bytes, name: str = "egen.yaml") -> str:
    """The page after a refused upload; nothing may have been stored or audited."""
    response = upload(client_for(world.owner), world.org, text, name)
    assert response.status_code == 200
    assert not OrganisationInstrument.objects.exists()
    assert not AuditEvent.objects.filter(action="instrument.uploaded").exists()
    html: str = response.content.decode()
    return html


def test_a_bad_file_is_refused_with_the_line_and_the_reason_in_danish(world: World) -> None:
    html = refused(world, OWN.replace("    items: [1, 2, 3]", "    items: [1, 2, 4]"))
    assert "Linje 24: skala trivsel: spørgsmål 4 findes ikke." in html


def test_an_unknown_key_is_named_with_its_line(world: World) -> None:
    html = refused(
        world, OWN.replace("    text: {da: Jeg har energi", "    txt: {da: Jeg har energi")
    )
    assert "Linje 18: spørgsmål 2: ukendt nøgle «txt»." in html


def test_a_reason_of_a_scales_bands_is_shown_in_danish(world: World) -> None:
    bad = OWN.replace(
        "    score: {min: 0, max: 100}",
        "    score: {min: 0, max: 100}\n    polarity: need\n    bands: [{codes: [9], label: {da: x, en: x}}]",
    )
    html = refused(world, bad)
    assert (
        "Linje 27: skala trivsel: bands: svarkoden 9 er ikke en svarmulighed med point i alle "
        "skalaens spørgsmål." in html
    )


def test_a_reason_without_a_danish_wording_is_shown_in_english_marked_as_english() -> None:
    # Every reason the loader gives today has a wording (test_instrument_reasons_in_danish);
    # one it words later without one is shown as it comes.
    with translation.override("da"):
        problem = explain(27, "scale trivsel: a reason the table does not know")
        assert problem.lang == "en"
        assert problem.as_html() == (
            'Linje 27: <span lang="en">scale trivsel: a reason the table does not know</span>'
        )


def test_an_id_of_a_builtin_instrument_is_refused(world: World) -> None:
    html = refused(world, OWN.replace("id: egen-trivsel", "id: ps7"))
    assert "Linje 2: id: «ps7» er id&#x27;et på et af Trygheds indbyggede spørgeskemaer" in html


def test_a_file_that_claims_to_be_the_projects_is_refused(world: World) -> None:
    html = refused(world, OWN.replace("authored_by: organisation", "authored_by: seed"))
    assert "Linje 7: authored_by: skal være «organisation»" in html


def test_a_file_may_not_drive_the_dialogue_or_the_apv(world: World) -> None:
    bad = OWN + "display:\n  exercise: horseshoe\n"
    assert "Linje 27: display: exercise: dialogøvelserne" in refused(world, bad)
    bad = (
        OWN.replace(
            "authored_by: organisation",
            "authored_by: organisation\nkey_figures:\n  - id: ofte\n    label: {da: Ofte, en: Often}\n    items: [1]\n    codes: [4, 5]",
        )
        + "display:\n  risk_factors:\n    workload: ofte\n"
    )
    assert "display: risk_factors: APV&#x27;ens risikofaktorer" in refused(world, bad)


def test_a_variant_of_an_instrument_nobody_has_is_refused(world: World) -> None:
    html = refused(
        world,
        OWN.replace("authored_by: organisation", "authored_by: organisation\nvariant_of: copsoq"),
    )
    assert "Linje 8: variant_of: spørgeskemaet «copsoq» findes ikke" in html


def test_a_file_over_256_kb_is_refused(world: World) -> None:
    html = refused(world, OWN + "notes: " + "x" * MAX_BYTES + "\n")
    assert "Filen er for stor: højst 256 KB." in html


def test_a_file_that_is_not_text_is_refused(world: World) -> None:
    html = refused(world, b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 200, "copsoq.xlsx")
    assert "Filen kan ikke læses som tekst." in html


def test_an_alias_bomb_is_refused_with_its_line(world: World) -> None:
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 10)]
    html = refused(world, "\n".join(lines))
    assert "Linje 6: Filen gentager for meget gennem aliasser (*navn)." in html


def test_windows_1252_and_a_byte_order_mark_are_read(world: World) -> None:
    stored_text = OWN.replace("Vores trivsel", "Vores trivsel på året")
    upload(client_for(world.owner), world.org, stored_text.encode("cp1252"))
    assert OrganisationInstrument.objects.get().source == stored_text
    second = stored_text.replace("version: 1", "version: 2")
    upload(client_for(world.owner), world.org, "\ufeff".encode() + second.encode())
    assert OrganisationInstrument.objects.get(version=2).source == second


# --------------------------------------------------------------------------- who sees what


def test_another_organisation_neither_sees_nor_uses_it(world: World) -> None:
    row = stored(world)
    outsider = client_for(world.outsider)
    assert "egen-trivsel" not in outsider.get(upload_url(world.other_org)).content.decode()
    assert 'value="egen-trivsel"' not in outsider.get(create_url(world.other_org)).content.decode()
    for name in ("instrument_archive", "instrument_restore"):
        for org in (world.org, world.other_org):
            url = reverse(
                f"surveys_admin:{name}", kwargs={"org": org.slug, "instrument_pk": row.pk}
            )
            assert outsider.get(url).status_code == 404
            assert outsider.post(url, {"confirm": "1"}).status_code == 404
    assert outsider.get(upload_url(world.org)).status_code == 404
    with pytest.raises(ValidationError):
        services.measurement_create(
            organisation=world.other_org,
            actor=world.outsider,
            name="Lånt",
            instrument_ids=["egen-trivsel"],
            scope=[services.ScopeEntry(world.other_unit)],
            opens_on=timezone.localdate(),
            closes_on=timezone.localdate(),
        )
    row.refresh_from_db()
    assert row.archived_at is None


def test_an_upload_to_another_organisation_stays_there(world: World) -> None:
    upload(client_for(world.outsider), world.other_org, OWN)
    assert OrganisationInstrument.objects.get().organisation == world.other_org
    page = client_for(world.owner).get(create_url(world.org)).content.decode()
    assert 'value="egen-trivsel"' not in page


@pytest.mark.parametrize("who", ["leader", "employee"])
def test_roles_that_do_not_make_measurements_get_403(world: World, who: str) -> None:
    row = stored(world)
    client = client_for(getattr(world, who))
    assert client.get(upload_url(world.org)).status_code == 403
    assert upload(client, world.org, OWN.replace("version: 1", "version: 2")).status_code == 403
    archive = reverse(
        "surveys_admin:instrument_archive", kwargs={"org": world.org.slug, "instrument_pk": row.pk}
    )
    assert client.post(archive, {"confirm": "1"}).status_code == 403
    assert OrganisationInstrument.objects.count() == 1
    row.refresh_from_db()
    assert row.archived_at is None


# --------------------------------------------------------------------------- hostile texts

HOSTILE = "<script>alert(1)</script>"


@pytest.mark.usefixtures("six_in_team_a")
def test_texts_from_an_uploaded_file_are_never_markup_or_formulas(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    """An AMO member writes the file; the employees, the leaders and the administrators
    read its texts on their pages and in the spreadsheet."""
    text = (
        OWN.replace("{da: Vores trivsel,", f'{{da: "=1+1 {HOSTILE}",')
        .replace("{da: Jeg bliver hørt,", f'{{da: "{HOSTILE} hørt",')
        .replace("{da: Trivsel i hverdagen,", f'{{da: "Trivsel/[{HOSTILE}]:*?",')
        .replace("label: {da: Altid,", f'label: {{da: "{HOSTILE} altid",')
    )
    stored(world, text)
    measurement = draft_of(world, instruments=["egen-trivsel"], scope=[world.team_a])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.measurement_open(measurement=measurement, actor=world.owner)
    token = tokens_from_outbox()[world.person_a.email]
    pages = [Client().get(reverse("surveys:start", kwargs={"token": token})).content.decode()]
    answer_and_close(world, measurement, django_capture_on_commit_callbacks, [1, 2, 3, 4, 5])
    client = client_for(world.owner)
    kwargs = {"org": world.org.slug, "measurement_id": measurement.pk}
    pages.append(
        client.get(
            reverse("results:unit_report", kwargs={**kwargs, "unit_id": world.team_a.pk})
        ).content.decode()
    )
    pages.append(client.get(reverse("results:org_report", kwargs=kwargs)).content.decode())
    pages.append(client.get(upload_url(world.org)).content.decode())
    for page in pages:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert HOSTILE not in page

    data = publication(measurement, units=None)
    book = load_workbook(io.BytesIO(build_workbook(measurement, data)))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert any(isinstance(c.value, str) and c.value.startswith("=1+1") for c in cells)
    assert all(c.data_type != "f" for c in cells)
