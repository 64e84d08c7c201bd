"""The privacy notice above the first question states the legal basis and whom to ask
(privacy.md section 7): the product's default wording unless the organisation wrote its
own, and the organisation's contact only when it has given one."""

from __future__ import annotations

from django.test import Client

from tests.surveys.conftest import Survey
from tryghed.orgs.models import Organisation

DEFAULT_START = (
    "Behandlingsgrundlaget er arbejdsgiverens pligt til at lave en arbejdspladsvurdering"
)
ASK = "Har du spørgsmål om behandlingen af dine svar, så skriv til"


def _notice(survey: Survey, which: int = 0) -> str:
    """The notice's list on the page the respondent's link opens."""
    token = list(survey.tokens.values())[which]
    page = Client().get(f"/s/{token}/").content.decode()
    start = page.index('<section class="card" aria-labelledby="privacy-heading">')
    return page[start : page.index("</section>", start)]


def _organisation(survey: Survey) -> Organisation:
    return survey.measurement.organisation


def test_the_notice_states_the_default_legal_basis_and_no_contact_without_one(
    open_survey: Survey,
) -> None:
    notice = _notice(open_survey)
    assert DEFAULT_START in notice
    assert "artikel 6, stk. 1, litra c, jf. arbejdsmiljølovens § 15 a" in notice
    assert "(artikel 6, stk. 1, litra f)." in notice
    # after the data controller and purpose, before the retention
    assert notice.index("er dataansvarlig") < notice.index(DEFAULT_START)
    assert notice.index(DEFAULT_START) < notice.index("De enkelte besvarelser slettes")
    assert ASK not in notice and "mailto:" not in notice


def test_the_organisations_own_legal_basis_replaces_the_default(open_survey: Survey) -> None:
    organisation = _organisation(open_survey)
    organisation.privacy_legal_basis = "Svarene behandles efter aftale <MED> med AMO & HR."
    organisation.save(update_fields=["privacy_legal_basis"])
    notice = _notice(open_survey)
    assert "<li>Svarene behandles efter aftale &lt;MED&gt; med AMO &amp; HR.</li>" in notice
    assert DEFAULT_START not in notice
    organisation.privacy_legal_basis = "   "
    organisation.save(update_fields=["privacy_legal_basis"])
    assert DEFAULT_START in _notice(open_survey, 1)  # blank is the default


def test_the_contact_line_shows_the_organisations_address_as_an_escaped_mail_link(
    open_survey: Survey,
) -> None:
    organisation = _organisation(open_survey)
    organisation.contact_email = "o'brien@testkommune.dk"
    organisation.save(update_fields=["contact_email"])
    notice = _notice(open_survey)
    address = "o&#x27;brien@testkommune.dk"
    assert f'{ASK} <a href="mailto:{address}">{address}</a>.</li>' in notice, notice
    assert notice.index(DEFAULT_START) < notice.index(ASK)


def test_the_essentials_are_in_view_and_the_legal_details_one_tap_away(
    open_survey: Survey,
) -> None:
    notice = _notice(open_survey)
    summary = "<summary>Mere om behandlingen af dine oplysninger</summary>"
    assert notice.count("<details") == 1 and summary in notice
    shown, folded = notice.split("<details", 1)
    for essential in (
        "Dine svar er anonyme.",
        "ser kun samlede resultater for grupper, hvor mindst 5 har svaret",
        "Ingen kan se, om netop du har svaret.",
        "Resultaterne vises først, når målingen er lukket.",
        "er dataansvarlig. Formålet er at kortlægge og forbedre arbejdsmiljøet",
        # privacy.md section 7: the legal basis and the retention before the first question
        DEFAULT_START,
        "De enkelte besvarelser slettes",
    ):
        assert essential in shown, essential
    assert "dit svar forseglet" in folded and "dit svar forseglet" not in shown
