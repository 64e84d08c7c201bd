"""The words of the kits, from the seeds: the three levers with their reflection questions
and the four zones (seed 000, BFA 2024), the four kinds of social support with the need
scale, the meeting rules and "Mit bidrag til arbejdsfællesskabet" (seed 002).

Which topic fits an area of the report is declared by how its instrument is shown
(``display: kind``, ``display: risk_factors``) and by the four-zone declaration
(``zones``) in the instrument files, looked up in ``TOPICS_BY_ROLE``; no instrument id is
named here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tryghed.core.instruments import Instrument


@dataclass(frozen=True)
class Topic:
    """Something to talk about: a lever, the zones, the kinds of support."""

    key: str
    title: Promise
    lead: Promise
    questions: tuple[Promise, ...]


@dataclass(frozen=True)
class Term:
    """A named thing with its explanation (a zone, a kind of support, a meeting rule)."""

    name: Promise
    text: Promise


FRAME = Topic(
    "frame",
    _("Sæt de rigtige rammer"),
    _(
        "Gør det tydeligt, hvad I sammen skal lykkes med, og at der er plads til at bidrage og "
        "prøve sig frem – også hvis tingene ikke går helt, som I havde håbet på."
    ),
    (
        _("Har vi alle en klar opfattelse af, hvad vi sammen skal lykkes med i arbejdet?"),
        _("Taler vi om rammerne for, hvordan vi kan lykkes?"),
        _("Taler vi om prioritering og kvalitet i arbejdet?"),
    ),
)
INVITE = Topic(
    "invite",
    _("Inviter til deltagelse"),
    _(
        "Det skal være så trygt at bidrage, at behovet for at beskytte sig selv dæmpes. Lyt, "
        "vær nysgerrige, og stil gerne opfølgende spørgsmål."
    ),
    (
        _("Har vi møderum, hvor alle kommer til orde?"),
        _("Sørger vi for, at alle kan komme frem med bekymringer, sorger og glæder?"),
        _("Får vi drøftet væsentlige spørgsmål om, hvordan vi lykkes, på en tryg og sikker måde?"),
    ),
)
RESPOND = Topic(
    "respond",
    _("Giv konstruktiv respons"),
    _(
        "Den vigtigste respons er at lytte og anerkende bidragene. Hold fokus på den gode "
        "intention bag alle bidrag – også når noget ikke er gået, som I havde håbet på."
    ),
    (
        _("Hvad kunne være eksempler på de tre typer af situationer hos os?"),
        _("Hvornår og hvordan drøfter vi de situationer, som ikke lykkes?"),
        _(
            "Hvornår er vi i det nye og ukendte, og hvordan fejrer vi det, selvom vi ikke "
            "lykkedes i første forsøg?"
        ),
    ),
)
ZONES = Topic(
    "zones",
    _("De fire zoner"),
    _(
        "Psykologisk tryghed og fokus på opgaven hører sammen. Målet er læringszonen: høj "
        "tryghed med opgaven i centrum."
    ),
    (
        _("Hvor er vi som team lige nu – og kan vi give et eksempel, der viser det?"),
        _("Hvad skal der til, for at vi bevæger os et skridt mod læringszonen?"),
        _("Hvad gør vi allerede, som vi skal holde fast i?"),
    ),
)
SUPPORT = Topic(
    "support",
    _("Social støtte"),
    _(
        "Fire former for støtte fra kolleger og leder. Hver enkelt kan sætte et kryds på "
        "skalaen fra »Skru lidt ned« over »Det er fint« til »Jeg har brug for mere« – og "
        "fortælle om det, hvis man vil."
    ),
    (
        _("Hvilken form for støtte har vi mest brug for mere af lige nu?"),
        _("Hvornår fik du sidst en hjælpende hånd – og hvad betød det?"),
        _("Hvordan kan vi gøre det lettere at bede hinanden om hjælp?"),
    ),
)
WORK_ENVIRONMENT = Topic(
    "work_environment",
    _("Arbejdsmiljøet først"),
    _(
        "Et område fra den lovpligtige screening af det psykiske arbejdsmiljø. Det hører "
        "hjemme i arbejdsmiljøarbejdet og APV’en: tal om det som et vilkår i arbejdet, ikke "
        "som den enkeltes problem, og tag det med til arbejdsmiljørepræsentanten."
    ),
    (
        _("Hvornår oplever vi det mest – og hvad sker der lige der?"),
        _("Hvad forebygger det allerede i dag, og hvad mangler vi?"),
        _("Hvad skal arbejdsmiljøorganisationen eller ledelsen vide fra os?"),
    ),
)
TOPICS: Mapping[str, Topic] = {
    t.key: t for t in (FRAME, INVITE, RESPOND, ZONES, SUPPORT, WORK_ENVIRONMENT)
}

# What fits an area, by how its instrument is declared: "zones_safety" and "zones_focus"
# are the instrument's place in the four-zone declaration, "risk_factors" an instrument
# that declares the APV's risk factors, the rest the declared display kind. First the best.
TOPICS_BY_ROLE: Mapping[str, tuple[str, ...]] = {
    "zones_safety": ("invite", "respond", "zones"),
    "zones_focus": ("frame", "zones"),
    "risk_factors": ("work_environment", "support"),
    "support_chart": ("support",),
    "key_figure_reading": ("invite", "support"),
    "nuggets": ("frame", "support"),
    "staircase": ("frame",),
    "default": ("frame", "invite", "respond"),
}


def instrument_role(instrument: Instrument, instruments: list[Instrument]) -> str:
    """How the instrument is declared, as a key of ``TOPICS_BY_ROLE``."""
    zones = next((i.zones for i in instruments if i.zones is not None), None)
    if zones is not None and instrument.id in zones.safety:
        return "zones_safety"
    if zones is not None and instrument.id == zones.focus:
        return "zones_focus"
    if instrument.shown_as.risk_factors:
        return "risk_factors"
    return instrument.shown_as.kind


# As the zone chart draws them: top row Komfort, Læring; bottom row Apati, Angst.
ZONE_TERMS = (
    Term(_("Komfort"), _("Hyggeligt og venligt, men ikke megen udvikling.")),
    Term(
        _("Læring"),
        _("Ansatte samarbejder, hjælper og udfordrer hinanden til at håndtere vanskelige opgaver."),
    ),
    Term(_("Apati"), _("Der arbejdes uengageret og uproduktivt.")),
    Term(_("Angst"), _("Ansatte er bange for at dele viden, ideer, tage risiko og bede om hjælp.")),
)

SUPPORT_TERMS = (
    Term(_("Praktisk hjælp"), _("En hjælpende hånd, ekstra ressourcer, låne redskaber, osv.")),
    Term(
        _("Følelsesmæssig støtte"),
        _("Kolleger og leder er villige til at lytte og snakke, lægge skulder til."),
    ),
    Term(
        _("Bedømmelsesstøtte"),
        _("Kolleger og leder hjælper med at give feedback på dit arbejde."),
    ),
    Term(
        _("Informationsstøtte"),
        _("At få vigtige informationer fx om planer, økonomi, gode tips, nye ideer/forslag."),
    ),
)
SUPPORT_SCALE = (_("Skru lidt ned"), _("Det er fint"), _("Jeg har brug for mere"))

# The meeting rules (seed 002, "Etablere psykologisk tryghed").
MEETING_RULES = (
    Term(
        _("»Sætte scenen«"),
        _(
            "Sig, hvorfor I holder mødet, og hvad I skal bruge det til: at lære af jeres egne "
            "svar – ikke at finde ud af, hvem der har svaret hvad."
        ),
    ),
    Term(
        _("Fokus på hvordan – ikke hvad"),
        _("Tal om, hvordan I arbejder sammen, frem for hvem der gjorde hvad."),
    ),
    Term(_("Vær ærlig om udfordringer"), _("Det, der ikke går, skal kunne siges højt.")),
    Term(
        _("Vær nysgerrig"),
        _("Invitér til input – også dem, som »kradser«. Spørg, før I svarer."),
    ),
    Term(
        _("»Bordet rundt« – alles stemme er vigtig"),
        _("Alle siger noget, én ad gangen, uden at blive afbrudt. Man må gerne sige »pas«."),
    ),
)

# Short everyday phrases that make it all right not to know (seed 000, "Individet").
PHRASES = (
    _("Det ved jeg ikke"),
    _("Jeg har brug for hjælp"),
    _("Jeg har lavet en fejl"),
    _("Det er jeg ked af"),
    _("Hvad kan jeg gøre for at hjælpe?"),
    _("Hvad er du oppe imod?"),
    _("Hvad er du i tvivl om?"),
)
