"""Red team, an insider who can answer (adversary 3 of privacy.md section 0), perhaps with
a colleague who administers the person register.

Found: the person register's edit form (``orgs.services.person_update``) took an e-mail
address that another person of the organisation already had, although the import
refuses exactly that ("E-mailadressen tilhører en anden medarbejder"). A shared mailbox
set on several people of a team (the warehouse's "lager@", well meant for those without
an address of their own) receives each of their personal links: whoever reads it holds
one link per person and can answer for all of them with known answers, so the team
reaches the minimum with one real answer, whose score then follows from the team's mean
(padding, privacy.md section 5: "not one reusable link per unit"). The reminders sent
there greet each non-responder by name, so the mailbox also says who has not answered.
The edit form now refuses such an address, as the import does.

Left open (a strict xfail, a product decision): an address changed after opening receives
that person's reminder, and with it whether they have answered and their link.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from tests.privacy import attack
from tests.privacy.attack import ps7
from tryghed.orgs.models import Person
from tryghed.surveys import services
from tryghed.surveys.services import SubmissionRefused

pytestmark = pytest.mark.django_db

SHARED = "lager@example.test"


def _edit_email(place: attack.Workplace, person: Person, email: str) -> int:
    """The administrator sets a person's address through the edit form; the status."""
    client = attack.client_for(place.owner)
    response = client.post(
        reverse("orgs:person_edit", kwargs={"org": place.org.slug, "person_id": person.pk}),
        {
            "name": person.name,
            "email": email,
            "unit": person.unit_id,
            "job_group": person.job_group,
            "seniority_band": person.seniority_band,
        },
    )
    return response.status_code


def _links_to(address: str, since: int) -> list[str]:
    found = []
    for message in mail.outbox[since:]:
        match = attack.LINK.search(str(message.body))
        if match and message.to == [address]:
            found.append(match.group(1))
    return found


def test_a_shared_mailbox_does_not_hold_several_peoples_links() -> None:
    """Lageret has five people. The administrator gives four of them the shared mailbox
    (the insider reads it); the fifth is the victim. If the four links arrive there, the
    insider answers all four with score 40 and the victim's score follows from Lageret's
    mean: 5 x mean - 4 x 40."""
    place = attack.build_workplace({"Lageret": (None, 5), "Kontoret": (None, 6)})
    victim, *sharing = place.people["Lageret"]
    for person in sharing:
        _edit_email(place, person, SHARED)
    holders = Person.objects.filter(organisation=place.org, email__iexact=SHARED).count()
    start = len(mail.outbox)
    launched = attack.launch(place, ("ps7",))
    links = _links_to(SHARED, start)
    used = 0
    for token in links:
        try:
            attack.submit(token, ps7([1]))  # score 40, known to the insider
        except SubmissionRefused:
            continue
        used += 1
    attack.submit(launched.tokens[victim.pk], ps7([5]))  # score 30: the secret
    for person in place.people["Kontoret"]:
        attack.submit(launched.tokens[person.pk], ps7([3]))
    attack.close(place, launched.measurement)

    unit = place.units["Lageret"]
    pages = attack.read_all(place, attack.report_urls(place, launched.measurement))
    derived = [
        " ".join(key)
        for key, page in pages.items()
        if f"/enhed/{unit.pk}/" in key[1] or f"unit_id={unit.pk}" in key[1]
        if any(_is(value, 38.0) for value in attack.figures(page))
    ]
    assert derived == [], "the victim's score (30) follows from Lageret's mean of 38"
    assert used <= 1, f"one mailbox answered {used} times through personal links"
    assert holders <= 1, f"{holders} people of the register share one address"


def test_the_reminders_in_a_shared_mailbox_do_not_name_who_has_not_answered() -> None:
    """Hans, Grete and Ole share the mailbox. Each invitation there greets its person by
    name, so the reader knows whose link is whose; Hans answers with his. A reminder round
    then greets, in the same mailbox, each of the others who has not answered."""
    place = attack.build_workplace({"Lageret": (None, 6)})
    sharing = place.people["Lageret"][:3]
    for person, first in zip(sharing, ("Hans", "Grete", "Ole"), strict=True):
        person.name = f"{first} Jensen"
        person.save(update_fields=["name"])
        _edit_email(place, person, SHARED)
    start = len(mail.outbox)
    launched = attack.launch(place, ("ps7",))
    for message in mail.outbox[start:]:
        match = attack.LINK.search(str(message.body))
        if match and message.to == [SHARED] and _greeting(message) == "Hej Hans":
            attack.submit(match.group(1), ps7([2]))
    start = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.reminders_request(measurement=launched.measurement, actor=place.amo)
    named = sorted(_greeting(m) for m in mail.outbox[start:] if m.to == [SHARED])
    assert len(named) <= 1, f"the shared mailbox got reminders naming {named}"


@pytest.mark.xfail(
    strict=True,
    reason="product decision: a reminder goes to the address the register holds when it is "
    "sent, so whoever may change an address after opening can take a named person's reminder",
)
def test_an_address_changed_after_opening_does_not_receive_that_persons_reminder() -> None:
    """Open (not fixed: a product decision). The administrator changes Grete's address,
    after the invitations went out, to one they read; the weekly reminder then brings
    Grete's link there if, and only if, she has not answered: whether a named person
    answered, and her link to answer with. The change is audit-logged ("person.updated",
    fields only); the typo a new address corrects is the ordinary reason to change one, so
    refusing changes while a measurement is open, or sending reminders only to the
    invitation's address (a column more), is for the owners to weigh."""
    place = attack.build_workplace({"Lageret": (None, 6)})
    grete = place.people["Lageret"][0]
    launched = attack.launch(place, ("ps7",))
    assert _edit_email(place, grete, "indsigt@example.test") == 302
    start = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.reminders_request(measurement=launched.measurement, actor=place.amo)
    taken = _links_to("indsigt@example.test", start)
    assert taken == [], "Grete's reminder, with her link, went to the changed address"


def _greeting(message: mail.EmailMessage) -> str:
    return str(message.body).splitlines()[0]


def _is(text: str, number: float) -> bool:
    try:
        return abs(attack.as_number(text) - number) < 1e-9
    except ValueError:
        return False
