"""Seed 000's words for the three kinds of failure, their responses and its questions.

Quoted from BFA Velfærd og Offentlig administration, "Psykologisk tryghed – en
introduktion" (2024), section "At kunne tale om det, der ikke går, som vi havde håbet
på". Where a text is ours rather than the seed's, it says so in a comment.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tryghed.learning.models import Kind


@dataclass(frozen=True)
class KindText:
    kind: Kind
    situation: Promise  # the seed's heading for the type of situation
    description: Promise  # the seed's explanation, shortened
    response: Promise  # the fitting response in a few words (ours, from the seed's text)
    response_quote: Promise  # the seed's own words on the response


KINDS: tuple[KindText, ...] = (
    KindText(
        Kind.BASIC,
        _("Situationer, hvor rutiner eller arbejdsprocesser ikke bliver fulgt"),
        _(
            "Forløb eller opgaver, som er relativt enkle og forudsigelige, og som "
            "arbejdspladsen ofte har en fælles defineret tilgang til. Viden, kunnen eller "
            "fremgangsmåder, der burde være kendt af alle på arbejdspladsen, er ikke blevet fulgt."
        ),
        _("Oplæring, instruktion og tid"),
        _(
            "Det kalder på at sikre, at den nødvendige oplæring og instruktion, som skal til "
            "for at lykkes med opgaven, bliver givet. Sker der fortsat fejl, vil det være "
            "vigtigt at sikre, at den nødvendige tid til at forberede og udføre opgaven er "
            "til stede."
        ),
    ),
    KindText(
        Kind.COMPLEX,
        _("Situationer, der opstår, fordi forholdene er nye, komplekse og uforudsigelige"),
        _(
            "De kan forekomme, fordi kravene er skiftende eller modstridende – eller "
            "situationen er ny. Så sker fejlene på grund af et samspil mellem flere faktorer, "
            "eller fordi vi overser, at tingene ikke er, som de plejer."
        ),
        _("Åbenhed og dialog så tidligt som muligt"),
        _(
            "Her er tale om et samspil mellem flere faktorer, som kalder på åbenhed og dialog "
            "så tidligt som muligt med henblik på, at de stoppes, inden deres konsekvenser "
            "vokser sig store."
        ),
    ),
    KindText(
        Kind.INTELLIGENT,
        _("Situationer, der opstår, fordi vi bevidst har udforsket et ukendt område"),
        _(
            "Nødvendige fiaskoer og eksperimenter, der gør, at vi kan udvikle os og lære "
            "noget nyt. De finder sted, når vi står ’i nyt land’ og ikke kender den gode "
            "løsning på forhånd."
        ),
        _("Lær af det, og fejr forsøget"),
        _(
            "Vi må give hinanden håndslag på, at vi kaster os ud i det med øjnene åbne og med "
            "stor risiko for ikke at lykkes i første forsøg."
        ),
    ),
)
BY_KIND: dict[str, KindText] = {k.kind.value: k for k in KINDS}

# The seed's reflection questions for this section, asked on the form and at the meeting.
REFLECTION_QUESTIONS: tuple[Promise, ...] = (
    _("Hvad kunne være eksempler på de tre typer af situationer hos os?"),
    _("Hvornår og hvordan drøfter vi de situationer, som ikke lykkes?"),
    _(
        "Hvornår er vi i det nye og ukendte, og hvordan fejrer vi det, selvom vi ikke "
        "lykkedes i første forsøg?"
    ),
)

# The seed's opening of the section, shown above the form.
INTRO = _(
    "Hvis noget ikke er gået, som I havde håbet på, er det en god lejlighed til at træne "
    "arbejdspladsens evne til at undersøge på en lærende måde."
)

# The seed's words on bringing things on to the AMO ("Giv konstruktiv respons").
FORWARD_QUOTE = _(
    "Vær i den forbindelse opmærksom på, at forhold, der måtte dukke op i jeres dialoger om "
    "læring, kerneopgave og tryghed, også skal bringes videre til arbejdsmiljøgruppen eller "
    "-organisationen, hvis de peger på arbejdsmiljøproblemer."
)
