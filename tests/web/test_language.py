"""The staff interface is Danish unless the user chose English with the language switch."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import World, client_for

ENGLISH_BROWSER = "en-US,en;q=0.9"


def test_an_english_browser_gets_the_danish_interface(world: World) -> None:
    client = client_for(world.owner)
    html = client.get(
        reverse("orgs:unit_tree", kwargs={"org": "testkommune"}),
        HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER,
    ).content.decode()
    assert '<html lang="da">' in html
    assert "Spring til indhold" in html and "Skip to content" not in html


def test_the_sign_in_page_is_danish_for_an_english_browser() -> None:
    html = (
        Client()
        .get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER)
        .content.decode()
    )
    assert '<html lang="da">' in html


def test_english_when_chosen_with_the_switch_whatever_the_browser_says(world: World) -> None:
    client = client_for(world.owner)
    client.post(
        reverse("set_language"),
        {"language": "en", "next": "/"},
        HTTP_ACCEPT_LANGUAGE="da-DK,da;q=0.9",
    )
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(
        reverse("orgs:unit_tree", kwargs={"org": "testkommune"}),
        HTTP_ACCEPT_LANGUAGE="da-DK,da;q=0.9",
    ).content.decode()
    assert '<html lang="en">' in html and "Skip to content" in html
    # And back to Danish with the switch.
    client.post(reverse("set_language"), {"language": "da", "next": "/"})
    html = client.get(
        reverse("orgs:unit_tree", kwargs={"org": "testkommune"}),
        HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER,
    ).content.decode()
    assert '<html lang="da">' in html


def test_an_unknown_language_in_the_cookie_falls_back_to_danish(world: World) -> None:
    client = client_for(world.owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    html = client.get(
        reverse("orgs:unit_tree", kwargs={"org": "testkommune"}),
        HTTP_ACCEPT_LANGUAGE=ENGLISH_BROWSER,
    ).content.decode()
    assert '<html lang="da">' in html
