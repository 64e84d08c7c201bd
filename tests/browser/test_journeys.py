"""End-to-end journeys in a real browser, each asserting what the person sees."""

from __future__ import annotations

from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import Login, PageFactory
from tests.browser.scenarios import closed_measurement, invitation_link, open_measurement
from tests.conftest import World
from tests.factories import PASSWORD, make_person, totp_code
from tryghed.core import figures
from tryghed.orgs.models import Person, Unit
from tryghed.results.aggregates import publication
from tryghed.results.charts import format_number
from tryghed.results.readings import scale_reading
from tryghed.surveys import services
from tryghed.surveys.models import Response

UNITS = (
    "unit_id;name;parent_id;kind\n"
    "PLEJE;Plejecenter Solgården;AREA;afdeling\n"
    "PLEJE-D;Dagholdet;PLEJE;team\n"
)
PEOPLE = (
    "employee_id;name;unit_id;email\n"
    "201;Karen Kjær;PLEJE-D;karen@example.test\n"
    "202;Lars Lund;PLEJE-D;\n"
)
BAD_PEOPLE = "employee_id;name;unit_id\n301;Anna Andersen;TA\n302;Bo Berg;FINDES-IKKE\n"

# Focus is visible: the element matches :focus-visible and draws an outline.
FOCUS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    name: el.getAttribute('name') || '',
    text: (el.innerText || el.value || '').trim(),
    focusVisible: el.matches(':focus-visible'),
    outline: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    top: el.getBoundingClientRect().top,
  };
}"""
SCROLL_WIDTH = "() => document.scrollingElement.scrollWidth"


def upload(page: Page, tmp_path: Path, name: str, content: str) -> None:
    """Choose a CSV file in the import form and ask for the preview."""
    file = tmp_path / name
    file.write_text(content, encoding="utf-8")
    page.get_by_label("CSV-fil").set_input_files(file)
    page.get_by_role("button", name="Vis forhåndsvisning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forhåndsvisning af import")


def focused(page: Page) -> dict[str, object]:
    info: dict[str, object] = page.evaluate(FOCUS)
    assert info["focusVisible"], f"focus on {info} does not match :focus-visible"
    assert info["outline"] != "none" and float(str(info["outlineWidth"])) >= 2, (
        f"focus on {info} has no visible outline"
    )
    return info


def tab_to(page: Page, selector: str, *, limit: int = 40) -> dict[str, object]:
    """Press Tab until the element matching the selector has focus; every stop shows focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page)
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return info
    raise AssertionError(f"{limit} presses of Tab never reached {selector}")


def test_an_admin_imports_units_then_people_and_sees_them_in_the_tree(
    page: Page, login: Login, world: World, tmp_path: Path
) -> None:
    login(page, world.owner)
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importér enheder og medarbejdere")
    assert_accessible(page, who="admin, import")

    upload(page, tmp_path, "enheder.csv", UNITS)
    expect(page.get_by_role("main")).to_contain_text("enheder.csv · enheder · 2 rækker")
    expect(page.locator(".card", has_text="oprettes").locator(".stat")).to_have_text("2")
    assert_accessible(page, who="admin, units preview")
    page.get_by_role("button", name="Importér").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Enheder")
    expect(page.get_by_role("status")).to_contain_text("Importen er gennemført: 2 oprettet")
    tree = page.get_by_role("navigation", name="Organisationens opbygning")
    expect(tree.get_by_role("link", name="Plejecenter Solgården")).to_be_visible()
    expect(tree.get_by_role("link", name="Dagholdet")).to_be_visible()
    assert_accessible(page, who="admin, unit tree after import")

    page.goto(reverse("orgs:import", args=[world.org.slug]))
    upload(page, tmp_path, "medarbejdere.csv", PEOPLE)
    expect(page.locator(".card", has_text="oprettes").locator(".stat")).to_have_text("2")
    page.get_by_text("Oprettes", exact=True).click()  # open the list of new people
    expect(page.get_by_role("main")).to_contain_text("Karen Kjær")
    assert_accessible(page, who="admin, people preview")
    page.get_by_role("button", name="Importér").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Medarbejdere")
    expect(page.locator(".page-header")).to_contain_text("4 medarbejdere")
    expect(page.get_by_role("rowheader", name="Karen Kjær", exact=True)).to_be_visible()
    assert_accessible(page, who="admin, people after import")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Enheder").click()
    expect(page.get_by_role("listitem").filter(has_text="Dagholdet").last).to_contain_text(
        "2 medarbejdere"
    )


def test_a_file_with_an_error_shows_the_line_and_imports_nothing(
    page: Page, login: Login, world: World, tmp_path: Path
) -> None:
    login(page, world.owner)
    page.goto(reverse("orgs:import", args=[world.org.slug]))
    upload(page, tmp_path, "medarbejdere.csv", BAD_PEOPLE)

    expect(page.get_by_role("alert")).to_contain_text("Filen har 1 fejl. Intet er importeret.")
    errors = page.get_by_role("table", name="Fejl i filen")
    expect(errors.get_by_role("row").nth(1).get_by_role("cell").first).to_have_text("3")
    expect(errors).to_contain_text("unit_id")
    expect(page.get_by_role("button", name="Importér")).to_have_count(0)
    assert_accessible(page, who="admin, import with an error")

    page.get_by_role("link", name="Upload en rettet fil").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importér enheder og medarbejdere")
    page.goto(reverse("orgs:people", args=[world.org.slug]))
    expect(page.locator(".page-header")).to_contain_text("2 medarbejdere")
    expect(page.get_by_role("main")).not_to_contain_text("Anna Andersen")
    assert Person.objects.filter(organisation=world.org).count() == 2


def test_a_leader_sees_their_own_team_but_not_the_sibling_team(
    page: Page, login: Login, world: World
) -> None:
    login(page, world.leader)
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Enheder").click()
    tree = page.get_by_role("navigation", name="Organisationens opbygning")
    expect(tree.get_by_role("link", name="Team A")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text("Team B")
    assert_accessible(page, who="leader, unit tree")

    tree.get_by_role("link", name="Team A").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team A")
    expect(page.get_by_role("main")).to_contain_text("Alma A")
    assert_accessible(page, who="leader, own team")

    response = page.goto(reverse("orgs:unit_detail", args=[world.org.slug, world.team_b.pk]))
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Siden findes ikke")
    expect(page.locator("body")).not_to_contain_text("Team B")
    expect(page.locator("body")).not_to_contain_text("Bent B")
    assert_accessible(page, who="leader, sibling team (404)")


def test_an_outsider_gets_a_404_and_sees_none_of_the_organisations_names(
    page: Page, login: Login, world: World
) -> None:
    login(page, world.outsider)
    expect(page.get_by_role("heading", level=1)).to_have_text("Andenkommune")

    for url in (
        reverse("orgs:dashboard", args=[world.org.slug]),
        reverse("orgs:unit_detail", args=[world.org.slug, world.team_a.pk]),
    ):
        response = page.goto(url)
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Siden findes ikke")
        body = page.locator("body")
        for name in ("Testkommune", "Område", "Team A", "Alma A"):
            expect(body).not_to_contain_text(name)
    assert_accessible(page, who="outsider, 404")


def test_signing_in_on_a_phone_works_with_the_keyboard_alone(
    phone_page: Page, world: World
) -> None:
    page = phone_page
    page.goto(reverse("accounts:login"))
    assert page.evaluate(SCROLL_WIDTH) <= 360

    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["text"] == "Spring til indhold", "the skip link is not the first stop"
    assert float(str(skip["top"])) >= 0, "the skip link is focused but off screen"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "indhold"

    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_login"
    page.keyboard.type(world.owner.email)
    page.keyboard.press("Tab")
    assert focused(page)["id"] == "id_password"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # An administrator gives the code from the authenticator app next, by keyboard too.
    expect(page.get_by_role("heading", level=1)).to_have_text("Totrinsbekræftelse")
    assert page.evaluate(SCROLL_WIDTH) <= 360
    tab_to(page, "#id_code")
    page.keyboard.type(totp_code(world.owner))
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Testkommune")
    assert page.evaluate(SCROLL_WIDTH) <= 360
    # Every stop on the dashboard shows where focus is, down to the footer.
    tab_to(page, "footer a")


def test_the_login_page_is_tabbed_through_in_reading_order(page: Page, world: World) -> None:
    page.goto(reverse("accounts:login"))
    order = []
    for _ in range(12):
        page.keyboard.press("Tab")
        info = focused(page)
        field = info["tag"] in {"input", "select", "textarea"}
        order.append(f"{info['tag']}:{info['id'] if field else info['text']}")
    assert order == [
        "a:Spring til indhold",
        "a:Tryghed",
        "select:language-select",
        "button:Skift sprog",
        "input:id_login",
        "input:id_password",
        "button:Log ind",
        "a:Glemt adgangskode?",
        # The passkey's own sign-in follows the password's form (issue 10).
        "button:Log ind med adgangsnøgle",
        "a:Log ind med et link på e-mail",
        "a:Log ind med din organisations konto",
        "a:Tilgængelighedserklæring",
    ]


def test_a_respondent_answers_on_a_phone_with_the_keyboard_alone(
    phone_page: Page, world: World
) -> None:
    page = phone_page
    measurement = open_measurement(world, instruments=("ps7", "hesteskoen"))
    page.goto(invitation_link(world.person_a.email))  # the link in the invitation e-mail

    expect(page.get_by_role("heading", level=1)).to_have_text("Efterår")
    expect(page.get_by_role("main")).to_contain_text("sådan beskytter vi dine svar")
    # A short survey is one page, the notice above its questions: the link, then Send svar.
    expect(page.get_by_role("heading", level=2, name="Tryghed i jeres team")).to_be_visible()
    expect(
        page.get_by_role("heading", level=2, name="Sådan har du det på arbejdet lige nu")
    ).to_be_visible()
    expect(page.get_by_text("Del 1 af")).to_have_count(0)
    expect(page.get_by_role("button", name="Næste")).to_have_count(0)
    assert_accessible(page, who="respondent, notice and the one page of questions")
    assert page.evaluate(SCROLL_WIDTH) <= 360
    # Tab into each question's radio group; Space picks the first answer, an arrow the next.
    tab_to(page, "input[name='q-ps7.1']")
    page.keyboard.press("Space")
    tab_to(page, "input[name='q-ps7.2']")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Enig", exact=True).nth(1)).to_be_checked()
    tab_to(page, "input[name='q-hesteskoen.1']")
    page.keyboard.press("Space")
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    tab_to(page, "textarea")
    page.keyboard.type("Gode kolleger.")
    tab_to(page, "button[value=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Tak for dine svar")
    assert_accessible(page, who="respondent, thanks")
    assert page.evaluate(SCROLL_WIDTH) <= 360
    page.goto(invitation_link(world.person_a.email))  # the same link a second time
    expect(page.get_by_role("heading", level=1)).to_have_text("Du har allerede svaret")
    assert_accessible(page, who="respondent, link already used")
    # Sealed until a batch of at least the minimum is released: at closing, here.
    assert not Response.objects.filter(measurement=measurement).exists()
    services.measurement_close(measurement=measurement, actor=None)
    response = Response.objects.get(measurement=measurement)
    assert response.answers == {"ps7.1": 1, "ps7.2": 2, "hesteskoen.1": 7}
    assert response.texts == {"hesteskoen.2": "Gode kolleger."}
    assert Unit.objects.get(pk=response.unit_id) == world.team_a


def test_the_amo_launches_a_measurement_and_sees_the_response_rate_rise_in_batches(
    page: Page, login: Login, world: World, live_server: object
) -> None:
    # Team A with Alma and ten colleagues: enough invited for its counts to be shown.
    colleagues = [
        make_person(world.team_a, name=f"Kollega {n}", email=f"kollega{n}@test.dk")
        for n in range(10)
    ]
    login(page, world.amo)
    page.get_by_role("link", name="Målinger").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Målinger")
    page.get_by_role("link", name="Ny måling").click()
    assert_accessible(page, who="amo, new measurement")
    page.get_by_label("Navn").fill("Tryghed i Team A")
    page.get_by_role("checkbox", name="Psykologisk tryghed (7 udsagn, Edmondson)").check()
    page.get_by_role("checkbox", name="Team A").check()
    page.get_by_role("button", name="Opret kladde").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tryghed i Team A")
    expect(page.get_by_text("Kladde", exact=True)).to_be_visible()
    page.get_by_role("link", name="Åbn målingen og send invitationer").click()
    expect(page.get_by_role("main")).to_contain_text("11 medarbejdere i de valgte enheder")
    assert_accessible(page, who="amo, confirm opening")
    page.get_by_role("button", name="Ja, åbn målingen og send invitationerne").click()
    expect(page.get_by_role("status")).to_contain_text("11 medarbejdere er inviteret")
    # Fewer answers than the minimum (none yet): no count at all.
    expect(page.get_by_role("main")).to_contain_text("for få svar")
    expect(page.get_by_role("main")).not_to_contain_text("inviterede har svaret")
    assert_accessible(page, who="amo, open measurement")

    # Alma answers from her invitation e-mail in another browser tab.
    respondent = page.context.browser.new_page()  # type: ignore[union-attr]
    respondent.goto(invitation_link(world.person_a.email))
    respondent.get_by_role("radio", name="Meget enig").first.check()
    respondent.get_by_role("button", name="Send svar").click()
    expect(respondent.get_by_role("heading", level=1)).to_have_text("Tak for dine svar")
    respondent.close()

    # Her answer is sealed and waits for a batch: nothing on the page moves, which would
    # show when she answered.
    page.reload()
    expect(page.get_by_role("main")).to_contain_text("for få svar")
    expect(page.get_by_role("main")).not_to_contain_text("inviterede har svaret")

    # Nine colleagues answer: ten are waiting, and five of them are released together.
    for person in colleagues[:9]:
        token = invitation_link(person.email).rstrip("/").rsplit("/", 1)[1]
        services.response_submit(token=token, answers={"ps7.1": 3}, texts={})
    page.reload()
    expect(page.get_by_role("main")).to_contain_text("5 af 11 inviterede har svaret")
    expect(page.get_by_role("main")).not_to_contain_text(world.person_a.name)


def test_a_leader_reads_her_teams_report_on_a_phone_and_an_outsider_gets_a_404(
    new_page: PageFactory, login: Login, world: World
) -> None:
    measurement = closed_measurement(world)
    data = publication(measurement, units=[world.team_a.pk])
    group = data.shown_group(world.team_a.pk)
    meta = data.scale_meta("ps7", "total")
    total = figures.shown(group.scale("ps7", "total")) if group is not None else None
    assert meta is not None and total is not None and total.mean is not None
    shown = scale_reading(meta, total)
    assert shown is not None
    key_figure = shown.text("da")  # the 0-100 reading, higher is better
    native = format_number(total.mean, "da")  # the questionnaire's own 0-70
    page = new_page(phone=True)
    login(page, world.leader)
    page.get_by_role("link", name="Se rapporterne for dine enheder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapporter")
    expect(page.get_by_role("main")).not_to_contain_text("Team B")
    page.get_by_role("region", name="Forår").get_by_role("link", name="Team A").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Team A")
    safety = page.locator("#instrument-ps7")
    expect(safety.locator(".report-key__value").first).to_have_text(key_figure)
    expect(safety).to_contain_text(f"På spørgeskemaets skala: {native}")
    expect(safety).to_contain_text(f"n = {total.n} svar")
    expect(page.get_by_role("heading", name="Det vigtigste")).to_be_visible()
    assert page.evaluate(SCROLL_WIDTH) <= 360
    assert_accessible(page, who="leader, team report on a phone")

    report_url = page.url
    outsider = new_page(phone=True)
    login(outsider, world.outsider)
    response = outsider.goto(report_url)
    assert response is not None and response.status == 404
    expect(outsider.get_by_role("heading", level=1)).to_have_text("Siden findes ikke")
    expect(outsider.locator("body")).not_to_contain_text("Team A")


def test_the_amo_prints_paper_codes_and_a_colleague_without_e_mail_answers_with_one(
    new_page: PageFactory, login: Login, world: World, live_server: object
) -> None:
    # Two colleagues in Team A have no e-mail: they get a paper code each, at random.
    for n in range(2):
        make_person(world.team_a, name=f"Uden e-mail {n}")
    measurement = open_measurement(world)
    page = new_page()
    login(page, world.amo)
    page.goto(
        reverse(
            "surveys_admin:detail",
            kwargs={"org": world.org.slug, "measurement_id": measurement.pk},
        )
    )
    page.get_by_role("combobox", name="Enhed").select_option(str(world.team_a.pk))
    page.get_by_label("Antal koder").fill("2")
    page.get_by_role("button", name="Lav koder og vis dem til udskrift").click()
    expect(page.get_by_role("main")).to_contain_text("2 papirkoder til Team A")
    assert_accessible(page, who="amo, paper codes to print")
    codes = page.locator(".paper-slip__code code").all_inner_texts()
    assert len(codes) == 2 and len(set(codes)) == 2

    respondent = new_page(phone=True)
    respondent.goto(reverse("surveys:code"))
    assert_accessible(respondent, who="respondent, type the code")
    respondent.get_by_label("Din kode").fill(codes[0].lower().replace("-", " "))
    respondent.get_by_role("button", name="Fortsæt").click()
    expect(respondent.get_by_role("main")).to_contain_text("Du svarer med en papirkode")
    respondent.get_by_role("radio", name="Meget enig").first.check()
    while respondent.get_by_role("button", name="Send svar").count() == 0:
        respondent.get_by_role("button", name="Næste").click()
    respondent.get_by_role("button", name="Send svar").click()
    expect(respondent.get_by_role("heading", level=1)).to_have_text("Tak for dine svar")
    expect(respondent.get_by_role("main")).to_contain_text("Din kode er nu brugt")

    respondent.goto(reverse("surveys:code"))
    respondent.get_by_label("Din kode").fill(codes[0])
    respondent.get_by_role("button", name="Fortsæt").click()
    expect(respondent.get_by_role("heading", level=1)).to_have_text("Koden er allerede brugt")
