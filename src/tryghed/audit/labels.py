"""What each audit action reads as on the pages that list audit rows (the front page's
"Seneste ændringer", a unit's history). The row keeps its code; only the page translates
it. An action without a label here shows its code (tests/audit/test_labels.py checks
that every action the code records has one)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise] = {
    # Action plans and focus areas
    "actions.focus_area_created": _("Fokusområde valgt"),
    "actions.focus_area_updated": _("Fokusområde ændret"),
    "actions.plan_created": _("Handleplan oprettet"),
    "actions.plan_updated": _("Handleplan ændret"),
    "actions.plan_signed_off": _("Handleplan godkendt af AMO"),
    "actions.plan_evaluated": _("Handleplan evalueret"),
    "actions.action_added": _("Handling tilføjet"),
    "actions.action_updated": _("Handling ændret"),
    # API tokens
    "api_token.create": _("API-nøgle oprettet"),
    "api_token.denied": _("API-nøgle afvist"),
    "api_token.revoke": _("API-nøgle tilbagekaldt"),
    "api_token.revoke_all": _("Alle API-nøgler tilbagekaldt"),
    # APV
    "apv.document.revised": _("APV revideret"),
    "apv.document.updated": _("APV redigeret"),
    "apv.indicator.deleted": _("Nøgletal slettet"),
    "apv.indicator.entered": _("Nøgletal indtastet"),
    "apv.reminder.queued": _("Påmindelse om APV sendt"),
    "apv.risk_assessment.started": _("Risikovurdering påbegyndt"),
    "apv.risk_factor.assessed": _("Risikofaktor vurderet"),
    "apv.sickness_absence.deleted": _("Sygefravær slettet"),
    "apv.sickness_absence.recorded": _("Sygefravær registreret"),
    "apv.team.member_added": _("Medlem tilføjet trivselsteamet"),
    "apv.team.member_removed": _("Medlem fjernet fra trivselsteamet"),
    "apv.work_change.recorded": _("Ændring i arbejdet registreret"),
    # Signing in
    "auth.link_failed": _("Login-link afvist"),
    "auth.link_reauth_failed": _("Bekræftelse med link afvist"),
    "auth.link_reauth_requested": _("Bekræftelse med link bestilt"),
    "auth.link_reauthenticated": _("Bekræftet med link"),
    "auth.link_requested": _("Login-link bestilt"),
    "auth.link_signin": _("Logget ind med link"),
    "auth.link_throttled": _("For mange login-links"),
    "auth.lockout": _("Konto midlertidigt spærret"),
    "auth.login": _("Logget ind"),
    "auth.login_failed": _("Mislykket login"),
    "auth.mfa_added": _("Totrinsbekræftelse slået til"),
    "auth.mfa_failed": _("Forkert kode til totrinsbekræftelse"),
    "auth.mfa_removed": _("Totrinsbekræftelse fjernet"),
    "auth.mfa_reset": _("Nye gendannelseskoder"),
    "auth.password_reset": _("Adgangskode nulstillet"),
    "auth.session_expired": _("Session udløbet"),
    "auth.sessions_ended": _("Sessioner afsluttet"),
    "auth.sso_accepted": _("Logget ind med single sign-on"),
    "auth.sso_failed": _("Single sign-on mislykkedes"),
    "auth.sso_refused": _("Single sign-on afvist"),
    # Dialogue
    "dialogue.revealed": _("Dialog: svar vist"),
    "dialogue.session_ended": _("Dialog afsluttet"),
    "dialogue.session_started": _("Dialog startet"),
    # Imports
    "import.units": _("Enheder importeret"),
    "import.people": _("Medarbejdere importeret"),
    # Instruments
    "instrument.archived": _("Spørgeskema arkiveret"),
    "instrument.restored": _("Spørgeskema genaktiveret"),
    "instrument.uploaded": _("Spørgeskema uploadet"),
    # Meeting kits
    "kits.readiness_acknowledged": _("Mødekit: klar til mødet"),
    # Learning log
    "learning.entries_purged": _("Læringslog: gamle indlæg slettet"),
    "learning.entry_deleted": _("Læringslog: indlæg slettet"),
    "learning.entry_written": _("Læringslog: indlæg skrevet"),
    "learning.entry_sorted": _("Læringslog: indlæg sorteret"),
    "learning.entry_reviewed": _("Læringslog: indlæg gennemgået"),
    "learning.entry_forwarded": _("Læringslog: indlæg sendt videre"),
    "learning.entry_to_action": _("Læringslog: indlæg blev til en handling"),
    "learning.log_reviewed": _("Læringslog gennemgået"),
    "learning.settings_changed": _("Læringslog: indstillinger ændret"),
    # Measurements
    "measurement.closed": _("Måling lukket"),
    "measurement.created": _("Måling oprettet"),
    "measurement.deleted": _("Måling slettet"),
    "measurement.opened": _("Måling åbnet"),
    "measurement.paper_codes_printed": _("Papirkoder udskrevet"),
    "measurement.reminded": _("Påmindelse sendt"),
    "measurement.responses_purged": _("Svar slettet efter opbevaringsperioden"),
    "measurement.results_mailed": _("Besked om resultaterne sendt"),
    # Organisation, units, people, roles
    "organisation.created": _("Organisation oprettet"),
    "organisation.settings_changed": _("Indstillinger ændret"),
    "orgs.sso_configured": _("Single sign-on sat op"),
    "person.updated": _("Medarbejder ændret"),
    "role.granted": _("Rolle givet"),
    "role.revoked": _("Rolle fjernet"),
    "unit.closed": _("Enhed lukket"),
    "unit.created": _("Enhed oprettet"),
    "unit.moved": _("Enhed flyttet"),
    "unit.renamed": _("Enhed omdøbt"),
    "unit.reopened": _("Enhed genåbnet"),
    "unit.updated": _("Enhed ændret"),
    # Reports
    "report.export": _("Rapport hentet"),
    "results.publication_tightened": _("Resultater skjult yderligere"),
    # Voice ("Sig det")
    "voice.acknowledge": _("Sig det: sag kvitteret"),
    "voice.hide": _("Sig det: sag skjult"),
    "voice.note": _("Sig det: note skrevet"),
    "voice.outcome": _("Sig det: sagen blev til en handling"),
    "voice.reply": _("Sig det: svar sendt"),
    "voice.settings": _("Sig det: indstillinger ændret"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
