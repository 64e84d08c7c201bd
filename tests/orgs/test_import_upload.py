"""The web import's upload form: a file that is not units or people is a clear error on
the form (never a server error), and every example file in examples/ does what it says."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for
from tryghed.orgs.models import ImportBatch, Person, Unit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _png() -> bytes:
    """A real 2x2 PNG (no byte that Windows-1252 leaves undefined, so it "decodes")."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\x10\x20\x30" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _upload(client: Client, world: World, name: str, content: bytes) -> tuple[int, str]:
    response = client.post(
        reverse("orgs:import", kwargs={"org": world.org.slug}),
        {"file": SimpleUploadedFile(name, content)},
    )
    return response.status_code, response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("billede.png", _png(), "ikke en CSV-fil"),
        ("billede.csv", _png(), "ikke en CSV-fil"),
        ("enheder.xlsx", b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, "Excel"),
        ("enheder.csv", b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, "Gem filen som CSV"),
        ("rapport.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "ikke en CSV-fil"),
        ("data.bin", bytes(range(256)) * 4, "kan ikke læses som tekst"),
        ("nul.csv", b"unit_id;name;parent_id\x00\x00\x00\nA;B;root\n", "kan ikke læses som tekst"),
        ("tom.csv", "\ufeff  \n\n".encode(), "Filen er tom"),
        ("kun-overskrift.csv", b"unit_id;name;parent_id\n", "kun en overskrift"),
        ("forkert.csv", b"navn;alder\nAnna;40\n", "passer hverken til enheder eller medarbejdere"),
        ("mangler.csv", b"employee_id;name\n1;Anna\n", "Manglende kolonner: unit_id"),
    ],
)
def test_a_file_that_is_not_units_or_people_is_a_danish_error_on_the_form(
    world: World, name: str, content: bytes, says: str
) -> None:
    status, html = _upload(client_for(world.owner), world, name, content)
    assert status == 200
    error = html.split('<ul class="errorlist" id="id_file_error">', 1)[1].split("</ul>", 1)[0]
    assert says in error
    assert not ImportBatch.objects.filter(organisation=world.org).exists()


def test_an_empty_upload_is_an_error_on_the_form(world: World) -> None:
    status, html = _upload(client_for(world.owner), world, "tom.csv", b"")
    assert status == 200
    assert 'id="id_file_error"' in html and "tom" in html
    assert not ImportBatch.objects.exists()


def _import(client: Client, world: World, path: Path) -> None:
    response = client.post(
        reverse("orgs:import", kwargs={"org": world.org.slug}),
        {"file": SimpleUploadedFile(path.name, path.read_bytes())},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    preview = client.get(response["Location"]).content.decode()
    assert "Intet er importeret" not in preview and "Filen har fejl" not in preview
    done = client.post(response["Location"])
    assert done.status_code == 302, done.content.decode()[:2000]


def test_every_file_in_examples_goes_through_the_web_form_as_its_readme_says(
    world: World,
) -> None:
    client = client_for(world.owner)
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    files = sorted(p for p in EXAMPLES.rglob("*") if p.is_file() and p.name != "README.md")
    assert files, "examples/ is empty"
    for path in files:
        assert f"`{path.relative_to(EXAMPLES).as_posix()}`" in readme, f"{path} is not explained"
    # The import files import, units before people (their alphabetical order).
    for path in sorted((EXAMPLES / "import").glob("*.csv")):
        _import(client, world, path)
    units = {u.external_id: u for u in Unit.objects.filter(organisation=world.org)}
    assert units["HJPL-N"].parent == units["HJPL"]
    assert units["SUND"].parent == world.root
    people = Person.objects.filter(organisation=world.org, employee_id__startswith="20")
    assert people.count() == 20
    assert people.filter(email="").count() == 5
    # The files for `tryghed score` are refused with a message that says what they are for.
    before = ImportBatch.objects.count()
    for path in sorted((EXAMPLES / "score").glob("*.csv")):
        status, html = _upload(client, world, path.name, path.read_bytes())
        assert status == 200
        assert 'id="id_file_error"' in html and "tryghed score" in html, path
    assert ImportBatch.objects.count() == before


def test_the_format_example_on_the_page_names_the_organisations_top_unit(world: World) -> None:
    html = (
        client_for(world.owner)
        .get(reverse("orgs:import", kwargs={"org": world.org.slug}))
        .content.decode()
    )
    assert "SUND;Sundhed og Omsorg;root;område" in html
    assert "<code>root</code>" in html
