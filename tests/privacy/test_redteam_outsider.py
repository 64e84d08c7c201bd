"""Red team: the outsider (adversary 4 of privacy.md section 0) and the shared computer.

A ward PC or a family tablet is used by several people one after another. Whoever sits
down next can press Back, open the history, type a link from it again, and read what the
browser kept. An outsider on the internet sees only what the HTTP layer gives away:
status codes, sizes, headers, cookies, error pages. The attacks drive the product through
``django.test.Client`` as such a person would, and check that nothing of an earlier
respondent can be read or reused, and that nobody can tell whether a named person answered.
"""

from __future__ import annotations

import html
import re
import string
from typing import Any
from urllib.parse import urljoin

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World
from tests.privacy import attack
from tryghed.surveys import codes as paper_codes
from tryghed.surveys import selectors as survey_selectors
from tryghed.surveys import services

pytestmark = pytest.mark.django_db

# Every address a page makes the browser go to (a link, a form, a resource).
_ADDRESSES = re.compile(r'\b(?:href|src|action|formaction)="([^"]*)"')
ANSWER = reverse("surveys:answer")
CODE = reverse("surveys:code")


class _Ward:
    """One team, six people with e-mail and three paper codes, Danish and English."""

    def __init__(self) -> None:
        self.place = attack.build_workplace({"Team": (None, 6)}, without_email={"Team": 3})
        self.launched = attack.launch(self.place)
        self.measurement = self.launched.measurement
        self.measurement.languages = ["da", "en"]
        self.measurement.save(update_fields=["languages"])
        self.links = list(self.launched.tokens.values())
        self.codes = services.paper_codes_print(
            measurement=self.measurement,
            unit=self.place.units["Team"],
            count=3,
            actor=self.place.amo,
        )


def _private(response: Any, what: str) -> None:
    """What every respondent's response must be: kept by no cache, naming its address to
    no one, setting no cookie, and never shown inside another site's frame."""
    assert response["Cache-Control"] == "no-store", what
    assert response["Referrer-Policy"] == "no-referrer", what
    assert response.cookies == {}, (what, response.cookies)
    assert response["X-Frame-Options"] == "DENY", what
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"], what


# ------------------------------------------------------------ whether a named person answered


def test_after_closing_an_answered_and_an_unanswered_link_look_the_same() -> None:
    """The link of a named person (in the shared PC's history, a forwarded e-mail, the
    mailbox a colleague reads) is opened after closing. It cannot be used any more, but
    "Du har allerede svaret" (200) against "Målingen er lukket" (410) told whether that
    person answered, for as long as the marks are kept (until the retention purge)."""
    ward = _Ward()
    answered, unanswered = ward.links[0], ward.links[1]
    code_used, code_unused = ward.codes[0], ward.codes[1]
    attack.submit(answered, attack.ps7([3]))
    attack.submit(paper_codes.paper_code_normalise(code_used) or "", attack.ps7([2]))
    attack.close(ward.place, ward.measurement)

    def seen(response: Any) -> tuple[int, bytes]:
        _private(response, "after closing")
        return response.status_code, response.content

    outsider = Client()
    by_link = {seen(outsider.get(f"/s/{t}/")) for t in (answered, unanswered)}
    by_form = {
        seen(outsider.post(ANSWER, {"token": t, "lang": "da", "step": "0"}))
        for t in (answered, unanswered)
    }
    assert len(by_link) == 1 and len(by_form) == 1, "an answered link tells itself apart"
    assert by_link == by_form and next(iter(by_link))[0] == 410
    typed = {seen(outsider.post(CODE, {"code": c})) for c in (code_used, code_unused)}
    assert len(typed) == 1, "a used paper code tells itself apart after closing"


# ------------------------------------------------------------ the shared computer


def _addresses(page: str, base: str) -> list[str]:
    """Where the page's links, forms and resources go (a link to a place on the same page,
    "#indhold", goes nowhere new)."""
    found = (html.unescape(a) for a in _ADDRESSES.findall(page))
    return [urljoin("http://testserver" + base, a) for a in found if not a.startswith("#")]


def _switch_fields(page: str, to: str) -> dict[str, str]:
    """The hidden fields of the form that holds the language switch's button."""
    for form in re.findall(r"<form [^>]*>.*?</form>", page, flags=re.S):
        if re.search(rf'<button[^>]*name="sprog" value="{to}"', form):
            assert f'action="{ANSWER}"' in form, form
            return {**attack.hidden_fields(form), "sprog": to}
    raise AssertionError(f"no switch to {to!r}")


def test_no_page_puts_a_token_or_code_into_an_address() -> None:
    """The language switch on the first page was ``?sprog=en``, relative to the page: from
    a link it opened /s/<token>/?sprog=en, one more address with the token in the history
    and the address bar; from a typed paper code it opened /s/kode/?sprog=en and dropped
    the code, so the respondent had to type it again. Every address on every page the
    respondent sees (links, forms, buttons, resources) must be free of the token or code,
    and the switch must keep the code."""
    ward = _Ward()
    token, code = ward.links[0], ward.codes[0]
    client = Client()
    first = client.get(f"/s/{token}/")
    by_code = client.post(CODE, {"code": code})
    for response, own, base in ((first, token, f"/s/{token}/"), (by_code, code, CODE)):
        page = response.content.decode()
        assert attack.hidden_fields(page)["token"] == own
        secrets = {own, paper_codes.paper_code_normalise(own) or own}
        for address in _addresses(page, base):
            assert not any(s in address for s in secrets), address
        # The switch posts the token in the body, as the answer form does.
        english = client.post(ANSWER, _switch_fields(page, "en"))
        _private(english, "the language switch")
        english_page = english.content.decode()
        assert english.status_code == 200 and '<html lang="en">' in english_page
        assert "Feeling safe in your team" in english_page
        assert (
            attack.hidden_fields(english_page)["token"] == own
            and attack.hidden_fields(english_page)["lang"] == "en"
        )
        for address in _addresses(english_page, ANSWER):
            assert not any(s in address for s in secrets), address
        danish = client.post(ANSWER, _switch_fields(english_page, "da")).content.decode()
        assert "Tryghed i jeres team" in danish and attack.hidden_fields(danish)["token"] == own


def test_the_answer_form_asks_the_browser_not_to_keep_or_refill_answers() -> None:
    """Firefox keeps the ticks of radio buttons across reloads and restores, and browsers
    offer typed text to the next person who types in a field of the same name, unless the
    form says autocomplete="off"."""
    ward = _Ward()
    client = Client()
    pages = [
        client.get(f"/s/{ward.links[0]}/").content.decode(),
        client.post(CODE, {"code": ward.codes[0]}).content.decode(),
    ]
    for page in pages:
        forms = re.findall(r"<form [^>]*>", page)
        answer_forms = [f for f in forms if f'action="{ANSWER}"' in f]
        assert answer_forms, forms
        assert all('autocomplete="off"' in f for f in answer_forms), answer_forms


def test_after_the_thank_you_page_the_browser_is_asked_to_drop_the_filled_in_pages() -> None:
    """A ward PC: the first nurse sends her answers and leaves the thank-you page open; the
    next presses Back. Without HTTP caching (no-store), the filled-in page can still come
    back whole from the browser's back/forward cache: Chrome may keep no-store pages there
    where no cookie changed, and the survey sets none. The thank-you page asks the browser
    to drop what it keeps of the site (Clear-Site-Data "cache")."""
    ward = _Ward()
    client = Client()
    page = client.get(f"/s/{ward.links[0]}/").content.decode()
    answers = {f"q-{k}": str(v) for k, v in attack.ps7([4]).items()}
    thanks = client.post(ANSWER, {**attack.hidden_fields(page), **answers, "action": "submit"})
    assert "Tak for dine svar" in thanks.content.decode()
    _private(thanks, "thank-you")
    assert '"cache"' in thanks.get("Clear-Site-Data", ""), "the filled-in pages may come back"
    # Back, and the browser sends the last form again: the answers are not shown again.
    again = client.post(ANSWER, {**attack.hidden_fields(page), **answers, "action": "submit"})
    _private(again, "sent twice")
    assert "Du har allerede svaret" in again.content.decode()
    assert 'value="4" checked' not in again.content.decode()


def test_every_response_of_the_respondents_pages_is_private() -> None:
    """Every page a respondent can meet, also the odd ones (a link mangled by a mail
    client, a wrong method, a form with an error): no-store, no referrer, no cookie, no
    frame. A mangled link fell through to the site's 404 page, which set a CSRF cookie for
    a year and could be cached."""
    ward = _Ward()
    token = ward.links[1]
    attack.submit(ward.links[0], attack.ps7([3]))
    client = Client()
    first = client.get(f"/s/{token}/").content.decode()
    fields = attack.hidden_fields(first)
    seen = {
        "unanswered": client.get(f"/s/{token}/"),
        "answered": client.get(f"/s/{ward.links[0]}/"),
        "unknown": client.get("/s/" + "A" * 43 + "/"),
        "mangled": client.get(f"/s/{token}/)/"),
        "mangled deeper": client.get(f"/s/{token}/a/b/"),
        "the bare prefix": client.get("/s/"),
        "post to a link": client.post(f"/s/{token}/"),
        "get the form": client.get(ANSWER),
        "code form": client.get(CODE),
        "code wrong": client.post(CODE, {"code": "0000-0000-0000-0000"}),
        "code right": client.post(CODE, {"code": ward.codes[0]}),
        "an error": client.post(ANSWER, {**fields, "q-hesteskoen.2": "x" * 3000}),
        "blank": client.post(ANSWER, {**fields, "action": "submit"}),
        "no token": client.post(ANSWER, {}),
    }
    for what, response in seen.items():
        _private(response, what)
        assert token not in response.content.decode() or what in {
            "unanswered",
            "an error",
            "blank",
        }, what
    assert seen["mangled"].status_code == 404 and seen["mangled deeper"].status_code == 404
    # A link without its last slash still works: the redirect carries no cookie.
    no_slash = client.get(f"/s/{token}")
    assert no_slash.status_code == 301 and no_slash["Location"] == f"/s/{token}/"
    assert no_slash.cookies == {}


# ------------------------------------------------------------ guessing


def test_a_near_miss_paper_code_is_answered_as_a_random_guess() -> None:
    """Guessing is online only and nothing throttles it, so the space must be large and a
    guess must learn nothing but "no": a code right in 15 of 16 characters, or a code of
    another measurement's shape, is refused exactly as a random one. 80 bits: with 100,000
    unused codes outstanding and 1,000 guesses a second for a year, a hit has odds of about
    3 in 10**9."""
    ward = _Ward()
    assert len(paper_codes.ALPHABET) == 32 and paper_codes.LENGTH == 16  # 80 bits
    drawn = {paper_codes.paper_code_new() for _ in range(2000)}
    assert len(drawn) == 2000 and all(set(c) <= set(paper_codes.ALPHABET) for c in drawn)
    real = paper_codes.paper_code_normalise(ward.codes[0]) or ""
    last = real[-1]
    near = real[:-1] + ("1" if last != "1" else "2")
    random_guess = next(iter(drawn))
    client = Client()
    answers = {
        client.post(CODE, {"code": guess}).content.replace(guess.encode(), b"<typed>")
        for guess in (near, random_guess)
    }
    assert len(answers) == 1
    # The link path treats a guessed code and a guessed token alike, and the guess is spent
    # on nothing: the right code still opens afterwards (no lock-out of a shared ward PC).
    for guess in (near, random_guess, "A" * 43):
        assert client.get(f"/s/{guess}/").status_code == 404
    opened = client.post(CODE, {"code": ward.codes[0]})
    assert opened.status_code == 200 and attack.hidden_fields(opened.content.decode())["token"]
    # A link token is 256 bits.
    assert all(
        len(t) >= 43 and set(t) <= set(string.ascii_letters + string.digits + "-_")
        for t in ward.links
    )
    with pytest.raises(survey_selectors.SubmissionRefused):
        survey_selectors.resolve_token(ward.links[0][:-1])


# ------------------------------------------------------------ addresses and error pages


def test_a_password_reset_does_not_tell_a_known_address_from_an_unknown_one(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """Enumeration through "Glemt adgangskode": a staff member, an employee with a person
    row but no account, and an address nobody has get the same redirect and the same page."""
    seen = []
    for address in ("owner@example.test", "alma@example.test", "nobody@example.test"):
        client = Client()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("accounts:password_reset"), {"email": address}, REMOTE_ADDR="10.0.0.7"
            )
        done = client.get(response["Location"])
        text = re.sub(r'(nonce|value)="[^"]*"', "", done.content.decode())
        seen.append((response.status_code, response["Location"], done.status_code, text))
    assert seen[0] == seen[1] == seen[2]


def test_error_pages_show_no_token_and_no_typed_address(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while a link is open (500) and a CSRF failure on the sign-in-link form
    (403) show neither the token nor what was typed."""
    ward = _Ward()
    token = ward.links[0]

    def broken(token: str) -> Any:
        raise RuntimeError("database gone")

    monkeypatch.setattr(survey_selectors, "resolve_token", broken)
    failed = Client(raise_request_exception=False).get(f"/s/{token}/")
    assert failed.status_code == 500
    assert token not in failed.content.decode() and "database gone" not in failed.content.decode()
    assert failed.cookies == {}
    forged = Client(enforce_csrf_checks=True).post(
        reverse("accounts:link_request"), {"email": "alma@example.test"}
    )
    assert forged.status_code == 403
    assert "alma" not in forged.content.decode()


def test_the_api_answers_an_outsider_alike_for_every_id(world: World) -> None:
    """No token, a malformed one and a guessed one: the same answer for an organisation
    that exists and one that does not."""
    answers = set()
    for org_id in (world.org.pk, world.other_org.pk, 987_654):
        url = reverse("api:measurements", kwargs={"organisation_id": org_id})
        for headers in ({}, {"Authorization": "Bearer " + "x" * 43}):
            response = Client().get(url, headers=headers)
            answers.add((bool(headers), response.status_code, response.content))
    assert {(a[0], a[1]) for a in answers} == {(False, 401), (True, 401)}
    assert len(answers) == 2
