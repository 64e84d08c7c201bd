"""What each exercise asks and shows, from the seeds, in the reader's language.

Hesteskoen and the four kinds of support take their wording from the instrument files
that declare them (``display: exercise:``; seed 002 verbatim, in Danish and English);
the four zones, "Bordet rundt" and the three levers are seed 000 and 002 wording, in
Danish msgids here. One registry, ``content(kind, lang)``: no view or template asks which
exercise it is beyond reading what this returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from tryghed.core.instruments import ExerciseKind as ExerciseSource
from tryghed.core.instruments import Instrument, load_builtin
from tryghed.dialogue.models import ExerciseKind

SCALE_MIN, SCALE_MAX = 1, 10


class Collects:
    SCALE = "scale"  # 1-10 per question
    ZONE = "zone"  # one of the four zones
    TEXT = "text"  # one word or one sentence
    NOTHING = "nothing"  # prompts only, no answers collected


@dataclass(frozen=True)
class Choice:
    value: int
    label: str
    description: str = ""


@dataclass(frozen=True)
class Question:
    key: str  # "" where the exercise asks one thing
    text: str
    short: str = ""  # the label on the big screen's chart


@dataclass(frozen=True)
class PromptGroup:
    title: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Content:
    kind: str
    title: str
    instruction: str
    collects: str
    questions: tuple[Question, ...] = ()
    choices: tuple[Choice, ...] = ()
    # What the room talks about once the distribution is shown (seed 002's pair interview).
    after_reveal_intro: str = ""
    after_reveal: tuple[str, ...] = ()
    prompts: tuple[PromptGroup, ...] = field(default=())

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(q.key for q in self.questions)

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(c.value for c in self.choices)


ORDER = (
    ExerciseKind.HORSESHOE,
    ExerciseKind.SUPPORT,
    ExerciseKind.ZONES,
    ExerciseKind.ROUND,
    ExerciseKind.LEVERS,
)

# The four zones of seed 000 (Edmondson 2020), numbered for storage.
ZONE_KEYS = {1: "comfort", 2: "learning", 3: "apathy", 4: "anxiety"}


def _instrument(exercise: ExerciseSource) -> Instrument:
    """The built-in instrument whose file declares it holds this exercise's question and
    scale (``display: exercise:``)."""
    return next(
        instrument
        for instrument in load_builtin().values()
        if instrument.display is not None and instrument.display.exercise == exercise
    )


def _scale_choices(instrument: Instrument, lang: str, item_number: int) -> tuple[Choice, ...]:
    item = next(i for i in instrument.items if i.number == item_number)
    return tuple(
        Choice(value=o.code, label=str(o.code), description=o.label.get(lang) if o.label else "")
        for o in item.options
    )


def _horseshoe(lang: str) -> Content:
    instrument = _instrument("horseshoe")
    items = {i.number: i for i in instrument.items}
    return Content(
        kind=ExerciseKind.HORSESHOE,
        title=_("Hesteskoen"),
        instruction=_(
            "Tænk dig om et øjeblik, og placér dig så på skalaen der, hvor dit svar er. "
            "Ingen kan se, hvor du har placeret dig."
        ),
        collects=Collects.SCALE,
        questions=(Question(key="", text=items[1].text.get(lang)),),
        choices=_scale_choices(instrument, lang, 1),
        after_reveal_intro=_(
            "Find en dialogpartner, og interview hinanden ud fra følgende spørgsmål:"
        ),
        after_reveal=(items[2].text.get(lang), items[3].text.get(lang)),
    )


def _support(lang: str) -> Content:
    instrument = _instrument("support")
    questions = []
    for scale in instrument.scales:
        item = next(i for i in instrument.items if i.number == scale.items[0])
        questions.append(
            Question(key=scale.id, text=item.text.get(lang), short=scale.name.get(lang))
        )
    return Content(
        kind=ExerciseKind.SUPPORT,
        title=_("Fire former for social støtte"),
        instruction=_(
            "Sæt et tal for hver form for støtte: 1 er «Skru lidt ned», midt på skalaen er "
            "«Det er fint», og 10 er «Jeg har brug for mere»."
        ),
        collects=Collects.SCALE,
        questions=tuple(questions),
        choices=_scale_choices(instrument, lang, 1),
        after_reveal_intro=_("Tal sammen to og to, og bagefter i hele gruppen:"),
        after_reveal=(
            _("Hvor er behovet for mere støtte størst hos os?"),
            _("Hvad kan vi hver især gøre for at give hinanden den støtte?"),
        ),
    )


def _zones() -> Content:
    return Content(
        kind=ExerciseKind.ZONES,
        title=_("De fire zoner i psykologisk tryghed"),
        instruction=_("Hvor befinder vi os som team lige nu? Vælg den zone, der passer bedst."),
        collects=Collects.ZONE,
        questions=(Question(key="", text=_("Hvor er vi lige nu?")),),
        choices=(
            Choice(1, _("Komfort"), _("Hyggeligt og venligt, men ikke megen udvikling")),
            Choice(
                2,
                _("Læring"),
                _(
                    "Ansatte samarbejder, hjælper og udfordrer hinanden til at håndtere "
                    "vanskelige opgaver"
                ),
            ),
            Choice(3, _("Apati"), _("Der arbejdes uengageret og uproduktivt")),
            Choice(
                4,
                _("Angst"),
                _("Ansatte er bange for at dele viden, ideer, tage risiko og bede om hjælp"),
            ),
        ),
        after_reveal_intro=_("Tal sammen to og to, og bagefter i hele gruppen:"),
        after_reveal=(
            _("Hvad gør, at vi er her?"),
            _("Hvad skal der til, for at vi kommer tættere på læringszonen?"),
        ),
    )


def _round() -> Content:
    return Content(
        kind=ExerciseKind.ROUND,
        title=_("Bordet rundt"),
        instruction=_(
            "Alles stemme er vigtig. Skriv ét ord eller én sætning om, hvordan du har det med "
            "samarbejdet i teamet lige nu. Ordene vises samlet og i tilfældig rækkefølge."
        ),
        collects=Collects.TEXT,
        questions=(Question(key="", text=_("Ét ord eller én sætning")),),
        after_reveal_intro=_("Tal sammen i hele gruppen:"),
        after_reveal=(_("Hvad lægger I mærke til, når I ser ordene samlet?"),),
    )


def _levers() -> Content:
    return Content(
        kind=ExerciseKind.LEVERS,
        title=_("Tre greb til at styrke den psykologiske tryghed"),
        instruction=_("Brug spørgsmålene som oplæg til en fælles snak. Der indsamles ingen svar."),
        collects=Collects.NOTHING,
        prompts=(
            PromptGroup(
                _("1. Sæt de rigtige rammer"),
                (
                    _(
                        "Har vi alle en klar opfattelse af, hvad vi sammen skal lykkes med i arbejdet?"
                    ),
                    _("Taler vi om rammerne for, hvordan vi kan lykkes?"),
                    _("Taler vi om prioritering og kvalitet i arbejdet?"),
                ),
            ),
            PromptGroup(
                _("2. Inviter til deltagelse"),
                (
                    _("Har vi møderum, hvor alle kommer til orde?"),
                    _("Sørger vi for, at alle kan komme frem med bekymringer, sorger og glæder?"),
                    _(
                        "Får vi drøftet væsentlige spørgsmål om, hvordan vi lykkes, på en tryg og "
                        "sikker måde?"
                    ),
                ),
            ),
            PromptGroup(
                _("3. Giv konstruktiv respons"),
                (
                    _("Hvad kunne være eksempler på de tre typer af situationer hos os?"),
                    _("Hvornår og hvordan drøfter vi de situationer, som ikke lykkes?"),
                    _(
                        "Hvornår er vi i det nye og ukendte, og hvordan fejrer vi det, selvom vi "
                        "ikke lykkedes i første forsøg?"
                    ),
                ),
            ),
        ),
    )


def content(kind: str, lang: str) -> Content:
    """The exercise's texts in ``lang`` (the instrument files' own language for their texts,
    the active translation for the rest)."""
    builders = {
        ExerciseKind.HORSESHOE: lambda: _horseshoe(lang),
        ExerciseKind.SUPPORT: lambda: _support(lang),
        ExerciseKind.ZONES: _zones,
        ExerciseKind.ROUND: _round,
        ExerciseKind.LEVERS: _levers,
    }
    return builders[ExerciseKind(kind)]()
