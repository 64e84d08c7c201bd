"""`make demo` as a first user meets it: the banner's respondent link works on the port the
demo runs on, a second run prints a fresh one, and the demo runs as a product (DEBUG off,
only the product installed)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from tests.surveys.conftest import CaptureOnCommit
from tests.surveys.test_demo import _submit_template
from tryghed.orgs.demo import NO_EMAIL_NAMES, load_demo
from tryghed.surveys.demo import load_demo_measurements
from tryghed.surveys.models import PaperCode

ROOT = Path(__file__).resolve().parents[2]
URL = "http://127.0.0.1:8101/"


def _banner() -> str:
    out = io.StringIO()
    call_command("demo_banner", "--url", URL, stdout=out)
    return out.getvalue()


def _link(banner: str) -> str:
    links = [w for w in banner.split() if w.startswith(URL + "s/")]
    assert len(links) == 1, banner
    return links[0]


@pytest.mark.django_db
def test_every_run_prints_a_fresh_link_that_works_also_once_mads_has_answered(
    settings: Any, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    organisation, _ = load_demo()
    with django_capture_on_commit_callbacks(execute=True):
        load_demo_measurements(organisation)
    first = _banner()
    assert "Mads Medarbejder" in first
    link = _link(first)
    token = link.removeprefix(URL + "s/").rstrip("/")
    assert Client().get(f"/s/{token}/").status_code == 200
    assert "Tak for dine svar" in _submit_template(token)
    # A second `make demo`: Mads has answered, so a paper code, which belongs to no one.
    second = _banner()
    code = _link(second).removeprefix(URL + "s/").rstrip("/")
    assert code != token and "papirkode" in second
    assert not any(name in second for name in NO_EMAIL_NAMES)
    page = Client().get(f"/s/{code}/")
    assert page.status_code == 200, page.content.decode()[:500]
    assert "sådan beskytter vi dine svar" in page.content.decode()
    # And a third run a third, different one.
    assert _link(_banner()) not in {link, _link(second)}
    assert PaperCode.objects.count() == 2


@pytest.mark.django_db
def test_the_banner_points_at_the_site_url_by_default(settings: Any) -> None:
    settings.TRYGHED_SITE_URL = "http://127.0.0.1:8101"
    load_demo()
    out = io.StringIO()
    call_command("demo_banner", stdout=out)
    assert "Tryghed kører på http://127.0.0.1:8101/" in out.getvalue()


def _make(*args: str) -> str:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    # -n prints the commands without running them; -B as if nothing were installed yet.
    done = subprocess.run(  # noqa: S603 (a fixed command line)
        [make, "-n", "-B", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_make_demo_serves_the_product_on_its_port_with_debug_off() -> None:
    script = _make("demo", "PORT=8101")
    commands = [line for line in script.splitlines() if "tryghed.manage" in line]
    assert len(commands) >= 4
    for line in commands:
        assert "DEBUG=0" in line and "TRYGHED_SITE_URL=http://127.0.0.1:8101" in line, line
    assert any("runserver 127.0.0.1:8101" in line and "--insecure" in line for line in commands)
    installs = [line for line in script.splitlines() if "pip install" in line and " -e " in line]
    assert installs and all("[dev]" not in line for line in installs), installs


def test_make_test_installs_the_development_tools() -> None:
    script = _make("test-sqlite")
    assert "-e '.[dev]'" in script
