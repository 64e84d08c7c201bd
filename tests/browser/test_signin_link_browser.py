"""The employee's way in, in a real browser: ask for a sign-in link, read the e-mail, open
the link, land on the unit's feedback page; and "Log ud overalt" confirmed by a fresh link.
axe finds nothing on any page of the way."""

from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from tests.accounts.test_link_reauth import CONFIRM_LINK, link_session
from tests.accounts.test_staff_signin import signed_in_as
from tests.browser.axe import assert_accessible
from tests.browser.conftest import PageFactory
from tests.browser.scenarios import closed_measurement
from tests.conftest import World

LINK = re.compile(r"https?://[^\s]+/konto/link/[A-Za-z0-9_\-]+/[^\s]*")


def test_an_employee_signs_in_by_link_and_reads_her_teams_feedback(
    world: World, new_page: PageFactory
) -> None:
    measurement = closed_measurement(world)
    page = new_page()
    feedback = reverse("results:feedback_latest", kwargs={"org": world.org.slug})
    page.goto(reverse("accounts:link_request") + "?next=" + feedback)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log ind som medarbejder")
    assert_accessible(page, who="visitor")

    # A wrong address first: the form says what is wrong, next to the field.
    page.get_by_label("Din e-mailadresse").fill("ikke-en-adresse")
    page.get_by_role("button", name="Send mig et login-link").click()
    expect(page.get_by_text("Indtast en gyldig e-mail-adresse.")).to_be_visible()
    assert_accessible(page, who="visitor, invalid address")

    mail.outbox.clear()
    page.get_by_label("Din e-mailadresse").fill(world.person_a.email)
    page.get_by_role("button", name="Send mig et login-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tjek din e-mail")
    assert_accessible(page, who="visitor, link sent")

    (message,) = mail.outbox
    assert message.to == [world.person_a.email]
    match = LINK.search(str(message.body))
    assert match, message.body
    link = match.group(0)

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Log ind i Tryghed")
    assert_accessible(page, who="employee with a link")
    page.get_by_role("button", name="Log ind", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tilbagemelding til Team A")
    assert page.url.endswith(feedback)
    expect(page.get_by_text(measurement.name).first).to_be_visible()
    expect(page.get_by_role("button", name="Log ud")).to_be_visible()
    assert_accessible(page, who="employee")

    # The link worked once; in another browser it no longer signs anyone in.
    other = new_page()
    other.goto(link)
    other.get_by_role("button", name="Log ind", exact=True).click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Linket virker ikke")
    assert_accessible(other, who="visitor with a used link")


def test_an_employee_signed_in_by_link_signs_out_everywhere_after_a_fresh_link(
    world: World, new_page: PageFactory
) -> None:
    """No password to give again: "Log ud overalt" sends a new link to her e-mail, and
    following it in the same browser finishes the sign-out. axe on every page of the way."""
    lost_tablet = link_session(world)
    page = new_page()
    page.goto(reverse("accounts:link_request"))
    page.get_by_label("Din e-mailadresse").fill(world.person_a.email)
    mail.outbox.clear()
    page.get_by_role("button", name="Send mig et login-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tjek din e-mail")
    (message,) = mail.outbox
    match = LINK.search(str(message.body))
    assert match, message.body
    page.goto(match.group(0))
    page.get_by_role("button", name="Log ind", exact=True).click()

    page.goto(reverse("accounts:sessions"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hvor du er logget ind")
    assert_accessible(page, who="employee by link, sessions")
    page.get_by_role("button", name="Log ud overalt").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bekræft, at det er dig")
    assert_accessible(page, who="employee by link, asked to confirm")
    mail.outbox.clear()
    page.get_by_role("button", name="Send mig et nyt login-link").click()
    expect(page.get_by_text("Vi har sendt et login-link til din e-mail.")).to_be_visible()
    assert_accessible(page, who="employee by link, confirmation link sent")
    (message,) = mail.outbox
    confirm = CONFIRM_LINK.search(str(message.body))
    assert confirm, message.body

    # In another browser the link neither signs in nor confirms anything.
    other = new_page()
    other.goto(confirm.group(0))
    expect(other.get_by_role("heading", level=1)).to_have_text("Linket virker ikke her")
    assert_accessible(other, who="visitor with someone's confirmation link")

    page.goto(confirm.group(0))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekræft, at det er dig")
    assert_accessible(page, who="employee by link, confirming")
    page.get_by_role("button", name="Bekræft", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hvor du er logget ind")
    expect(page.get_by_text("Du er nu logget ud alle andre steder.")).to_be_visible()
    assert_accessible(page, who="employee by link, signed out elsewhere")
    assert signed_in_as(lost_tablet) is None
