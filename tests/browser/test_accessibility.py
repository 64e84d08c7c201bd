"""axe-core (WCAG 2.0/2.1 A and AA) on every page: public, every role, phone, errors, English."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import FilePayload, Page, expect
from pytest_django.fixtures import DjangoAssertNumQueries, Settings

from tests.browser import crawl
from tests.browser.axe import assert_accessible, axe_violations, describe_violations
from tests.browser.conftest import Login, PageFactory
from tests.browser.scenarios import invitation_link, open_measurement, path_values
from tests.conftest import World
from tests.factories import grant, make_user
from tryghed.accounts.models import User
from tryghed.orgs.models import Role

BAD_PEOPLE_CSV = "employee_id;name;unit_id\n1;Anna Andersen;TA\n2;Bo Berg;FINDES-IKKE\n"
PHONE_WIDTH = 360
CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=)"[^"]*"')


@dataclass
class Scan:
    """What one person's crawl opened, checked and found."""

    who: str
    checked: list[str] = field(default_factory=list)  # paths, each scanned or identical to one
    opened: set[str] = field(default_factory=set)  # URL names answered with 200
    post_only: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)


def scan_every_page(
    page: Page,
    targets: list[crawl.Target],
    *,
    who: str,
    lang: str = "da",
    scanned_markup: set[str] | None = None,
    axe_narrow: Collection[str] = (),
) -> Scan:
    """Open every target; run axe on each that answers 200 as itself (not via a redirect).

    Each page is also laid out 360 px wide and must not scroll sideways (WCAG 1.4.10
    Reflow); pages named in ``axe_narrow`` get a second axe run at that width. A page whose
    markup equals one already scanned (a public page seen by several roles) is skipped:
    axe would give the same answer.
    """
    scan = Scan(who)
    scanned_markup = set() if scanned_markup is None else scanned_markup
    for target in targets:
        # Ask first: Chromium will not display an empty error answer such as a 405.
        answer = page.request.get(target.path)
        if answer.status == 405:
            scan.post_only.add(target.name)
            continue
        landed = urlsplit(answer.url).path
        if answer.status != 200 or resolve(landed).view_name != target.name:
            continue
        scan.opened.add(target.name)
        if landed in scan.checked:
            continue
        scan.checked.append(landed)
        markup = CSRF_VALUE.sub(r"\1", answer.text())
        if markup in scanned_markup:
            continue
        scanned_markup.add(markup)
        page.goto(landed)
        shown = page_language(page)
        # The respondent's pages ignore the site's language and offer their own switch: a
        # link, or on the first page a button that posts the token (never in an address).
        own_switch = page.locator(f"a[hreflang={lang}], button[name=sprog][value={lang}]")
        if shown != lang and own_switch.count():
            with page.expect_navigation():
                own_switch.first.click()
            shown = page_language(page)
        if shown != lang:
            scan.failures.append(f"{page.url} ({who}): the page is not marked lang={lang!r}")
        scan.failures.extend(axe_failures(page, who))
        with narrow(page):
            width = page.evaluate("() => document.scrollingElement.scrollWidth")
            if width > PHONE_WIDTH:
                scan.failures.append(f"{page.url} ({who}): scrolls sideways at {width} px")
            if target.name in axe_narrow:
                scan.failures.extend(axe_failures(page, f"{who}, {PHONE_WIDTH} px wide"))
    return scan


def axe_failures(page: Page, who: str) -> list[str]:
    violations = axe_violations(page)
    return [describe_violations(page.url, violations, who=who)] if violations else []


@contextmanager
def narrow(page: Page) -> Iterator[None]:
    """Lay the page out at phone width for a moment (a phone context already is)."""
    size = page.viewport_size
    if size is None or size["width"] <= PHONE_WIDTH:
        yield
        return
    page.set_viewport_size({"width": PHONE_WIDTH, "height": size["height"]})
    try:
        yield
    finally:
        page.set_viewport_size(size)


def page_language(page: Page) -> str:
    return str(page.evaluate("() => document.documentElement.lang"))


def crawl_targets(world: World) -> list[crawl.Target]:
    try:
        return crawl.targets(path_values(world))
    except crawl.CrawlConfigurationError as error:
        message = str(error)
    pytest.fail(message, pytrace=False)


def switch_to_english(page: Page) -> None:
    """Use the language switch in the page header, as a person would: on a phone signed
    in, it is under the header's "Menu"."""
    menu = page.locator(".site-menu > summary")
    if menu.count() and menu.is_visible():
        menu.click()
    page.get_by_label("Sprog", exact=True).select_option("en")
    with page.expect_navigation():
        page.get_by_role("button", name="Skift sprog").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_axe_fails_with_the_rule_the_element_and_the_page(page: Page, world: World) -> None:
    # The check itself must be able to fail: break the login page and read the report.
    page.goto(reverse("accounts:login"))
    page.evaluate("() => document.querySelector('label[for=id_password]').remove()")
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page, who="anonymous")
    report = str(failure.value)
    assert f"on {page.url} (anonymous)" in report
    assert "- label [critical] Form elements must have labels" in report
    assert "at #id_password" in report
    assert '<input type="password" name="password"' in report


def test_the_public_pages_pass_axe_for_someone_not_signed_in(page: Page, world: World) -> None:
    uid = urlsafe_base64_encode(force_bytes(world.owner.pk))
    token = default_token_generator.make_token(world.owner)
    pages = {
        reverse("accounts:login"): "Log ind",
        reverse("accounts:password_reset"): "Glemt adgangskode",
        reverse("accounts:password_reset_done"): "Tjek din e-mail",
        reverse("accounts:password_reset_confirm", args=[uid, token]): "Vælg ny adgangskode",
        reverse("accounts:password_reset_confirm", args=[uid, "forkert-token"]): "ugyldigt",
        reverse("web:accessibility"): "Tilgængelighedserklæring",
        reverse("web:accessibility") + f"?org={world.org.slug}": "Tilgængelighedserklæring",
        reverse("surveys:start", args=["et-link-der-ikke-findes"]): "Linket virker ikke",
    }
    for url, text in pages.items():
        page.goto(url)
        expect(page.locator("main")).to_contain_text(text)
        assert_accessible(page, who="anonymous")


def test_the_accessibility_statement_is_linked_in_every_footer(page: Page, world: World) -> None:
    page.goto(reverse("accounts:login"))
    page.get_by_role("contentinfo").get_by_role("link", name="Tilgængelighedserklæring").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tilgængelighedserklæring")
    expect(page.get_by_role("main")).to_contain_text("WCAG 2.1 niveau AA")


# In the Danish crawl, axe runs on these a second time at phone width.
MAIN_PAGES = frozenset(
    {
        "accounts:login",
        "orgs:dashboard",
        "orgs:unit_tree",
        "orgs:unit_detail",
        "orgs:people",
        "orgs:import",
        "surveys_admin:list",
        "surveys_admin:detail",
        "surveys:start",
    }
)


def test_every_page_in_the_url_configuration_passes_axe_for_every_role(
    new_page: PageFactory, login: Login, world: World
) -> None:
    targets = crawl_targets(world)
    in_two_organisations = make_user("two@example.test")
    grant(in_two_organisations, world.org, Role.EMPLOYEE, world.team_a)
    grant(in_two_organisations, world.other_org, Role.EMPLOYEE, world.other_unit)
    director = make_user("direktion@example.test")
    grant(director, world.org, Role.TOP_MANAGEMENT)
    people: dict[str, User | None] = {
        "anonymous": None,
        "admin": world.owner,
        "amo": world.amo,
        "top management": director,
        "leader": world.leader,
        "employee": world.employee,
        "in two organisations": in_two_organisations,
    }
    scans: list[Scan] = []
    scanned_markup: set[str] = set()
    for who, user in people.items():
        page = new_page()
        if user is not None:
            login(page, user)
        scans.append(
            scan_every_page(
                page,
                targets,
                who=who,
                scanned_markup=scanned_markup,
                axe_narrow=MAIN_PAGES if who in {"admin", "anonymous"} else (),
            )
        )

    failures = [failure for scan in scans for failure in scan.failures]
    assert not failures, "\n\n".join(failures)
    for scan in scans:
        assert scan.checked, f"the crawl scanned no page for {scan.who}"
    opened = set().union(*(scan.opened for scan in scans))
    post_only = set().union(*(scan.post_only for scan in scans))
    never_opened = sorted({t.name for t in targets} - opened - post_only)
    assert not never_opened, (
        f"No one in the crawl could open {never_opened}: give a role access in the world "
        "fixture, add the missing state to the crawl, or add the page to crawl.SKIPPED with why."
    )
    counts = ", ".join(f"{scan.who} {len(scan.checked)}" for scan in scans)
    print(f"{len(targets)} URL patterns; opened: {counts}; distinct pages: {len(scanned_markup)}")
    assert opened >= MAIN_PAGES, f"main pages not reached: {sorted(MAIN_PAGES - opened)}"
    by_who = {scan.who: scan.checked for scan in scans}
    # The roles see what their access promises: the admin everything, the employee little.
    assert len(by_who["admin"]) >= 10
    assert reverse("orgs:unit_detail", args=[world.org.slug, world.team_a.pk]) in by_who["leader"]
    assert reverse("orgs:roles", args=[world.org.slug]) not in by_who["leader"]
    assert reverse("orgs:dashboard", args=[world.org.slug]) in by_who["employee"]
    assert reverse("results:list", args=[world.org.slug]) in by_who["top management"]
    assert reverse("orgs:unit_tree", args=[world.org.slug]) not in by_who["top management"]
    assert reverse("web:home") in by_who["in two organisations"]


def test_every_page_passes_axe_in_english_on_a_360_px_phone(
    new_page: PageFactory, login: Login, world: World
) -> None:
    targets = crawl_targets(world)
    admin_page = new_page(phone=True)
    login(admin_page, world.owner)
    switch_to_english(admin_page)
    anonymous_page = new_page(phone=True)
    anonymous_page.goto(reverse("accounts:login"))
    switch_to_english(anonymous_page)
    expect(anonymous_page.get_by_role("heading", level=1)).to_have_text("Sign in")

    scans = [
        scan_every_page(admin_page, targets, who="admin, English, phone", lang="en"),
        scan_every_page(anonymous_page, targets, who="anonymous, English, phone", lang="en"),
    ]

    failures = [failure for scan in scans for failure in scan.failures]
    assert not failures, "\n\n".join(failures)
    assert len(scans[0].checked) >= 10
    assert reverse("accounts:login") in scans[1].checked


def test_forms_in_their_error_state_pass_axe(page: Page, login: Login, world: World) -> None:
    page.goto(reverse("accounts:login"))
    page.get_by_label("E-mail").fill(world.owner.email)
    page.get_by_label("Adgangskode").fill("forkert")
    page.get_by_role("button", name="Log ind", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("korrekt")
    assert_accessible(page, who="anonymous, wrong password")

    login(page, world.owner)
    page.goto(reverse("orgs:unit_create", args=[world.org.slug]))
    page.get_by_role("button", name="Gem").click()
    expect(page.get_by_label("Navn")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".errorlist").first).to_contain_text("Dette felt er påkrævet")
    assert_accessible(page, who="admin, empty unit form")

    page.goto(reverse("orgs:import", args=[world.org.slug]))
    page.get_by_role("button", name="Vis forhåndsvisning").click()
    expect(page.locator(".errorlist")).to_be_visible()
    assert_accessible(page, who="admin, import without a file")

    page.get_by_label("CSV-fil").set_input_files(
        FilePayload(name="folk.csv", mimeType="text/csv", buffer=BAD_PEOPLE_CSV.encode())
    )
    page.get_by_role("button", name="Vis forhåndsvisning").click()
    expect(page.get_by_role("alert")).to_contain_text("Intet er importeret")
    assert_accessible(page, who="admin, import preview with errors")


def test_a_respondents_page_with_an_answer_to_correct_passes_axe(
    phone_page: Page, world: World
) -> None:
    open_measurement(world, instruments=("hesteskoen",))
    phone_page.goto(invitation_link(world.person_a.email))
    comment = phone_page.get_by_label("Hvad gør, at du står netop her")
    # A browser that ignores maxlength can send a comment that is too long.
    comment.evaluate("field => field.removeAttribute('maxlength')")
    comment.fill("x" * 2001)
    phone_page.get_by_role("button", name="Send svar").click()

    expect(phone_page.get_by_role("alert")).to_contain_text("Der er 1 svar, der skal rettes")
    expect(comment).to_have_accessible_description(re.compile("Svaret er for langt"))
    assert_accessible(phone_page, who="respondent, an answer to correct")


def test_the_403_page_is_accessible_and_says_what_happened(
    page: Page, login: Login, world: World
) -> None:
    login(page, world.leader)
    response = page.goto(reverse("orgs:roles", args=[world.org.slug]))
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Du har ikke adgang til siden")
    assert_accessible(page, who="leader, 403")


def test_the_404_page_is_accessible_in_danish_and_english(page: Page, world: World) -> None:
    response = page.goto("/findes-ikke/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Siden findes ikke")
    assert_accessible(page, who="anonymous, 404")
    switch_to_english(page)
    page.goto("/findes-ikke/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page, who="anonymous, 404 in English")


def test_the_500_page_is_accessible_and_needs_no_database(
    page: Page,
    world: World,
    settings: Settings,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    # Django renders 500.html without the request, so no context processor runs; and no query.
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert '<main id="indhold"' in html and "Der skete en fejl" in html

    settings.ROOT_URLCONF = "tests.browser.error_urls"
    response = page.goto("/fejl/")
    assert response is not None and response.status == 500
    expect(page.get_by_role("heading", level=1)).to_have_text("Der skete en fejl")
    expect(page.get_by_role("link", name="Tilgængelighedserklæring")).to_be_visible()
    assert_accessible(page, who="anonymous, 500")
