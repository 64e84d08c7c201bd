"""Reading an instrument file an organisation uploads ("eget spørgeskema").

The file is checked by the same loader as the built-in files and ``tryghed
validate-instrument`` (``core.instruments.parse_instrument``), and then against what only
an upload must respect: it may not take a built-in instrument's id or claim to be one
(``authored_by: organisation``), nor drive the product's own features (the dialogue
exercises, the APV's risk factors), and it may name only instruments the organisation has.
Every refusal says the line and the reason in Danish; a reason the loader words that this
module does not know is shown as the loader wrote it, in English.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

import yaml
from django.core.exceptions import ValidationError
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tryghed.core import textfiles
from tryghed.core.instruments import Instrument, InstrumentError, load_builtin, parse_instrument
from tryghed.core.suppression import minimum_group_size

__all__ = [
    "MAX_BYTES",
    "MAX_ITEMS",
    "MAX_KEY_FIGURES",
    "MAX_MEASUREMENT_ITEMS",
    "MAX_MEASUREMENT_SCALES",
    "MAX_SCALES",
    "Problem",
    "RefusedFile",
    "explain",
    "read_upload",
    "too_large_together",
]

# The largest built-in file (vz-maturity) is 28 KB; a long licensed questionnaire fits 256.
MAX_BYTES = 256 * 1024
# Every item, scale and key figure is a figure per group of the publication, computed when
# the measurement closes, and every pair of scales a correlation: 256 KB holds 6,000 items
# or 2,000 scales (a closing of hours). All built-in instruments together have 70 items
# and 30 scales; a long licensed questionnaire (COPSOQ III) about 150 items and 40 scales.
MAX_ITEMS = 300
MAX_SCALES = 100
MAX_KEY_FIGURES = 100
# The own instruments of one measurement together: two files at the limits (the built-in
# ones add at most 70 items and 30 scales).
MAX_MEASUREMENT_ITEMS = 2 * MAX_ITEMS
MAX_MEASUREMENT_SCALES = 2 * MAX_SCALES
# Words of the questions privacy.md section 2 shows only from the sensitive minimum (10):
# offensive behaviour and violence. A question with one of them not marked sensitive is
# refused; marking it costs nothing but a higher minimum. It catches the honest slip, not
# an author who rewords on purpose: the file and its uploader are kept and audited.
_SENSITIVE_WORDS = re.compile(
    r"\b(mobb\w*|mobning\w*|chikan\w*|krænk\w*|nedværdig\w*|vold(?!som)\w*|trussel\w*"
    r"|trusler\w*|truet|seksuel\w*|overgreb\w*|diskrimin\w*|harass\w*|bull(?:y|ied|ying)\b"
    r"|degrad\w*|violen\w*|threat\w*|sexual\w*|assault\w*|abus\w*)",
    re.IGNORECASE,
)
# Control characters other than tab and line breaks: a picture, a PDF, a Word or Excel file.
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Problem:
    """Why a file is refused: the line (None for the file as a whole) and the reason, in
    ``lang`` (Danish, or the loader's English where no translation is known)."""

    line: int | None
    reason: str
    lang: str = "da"

    def __str__(self) -> str:
        if self.line is None:
            return self.reason
        return _("Linje {line}: {reason}").format(line=self.line, reason=self.reason)

    def as_html(self) -> SafeString:
        """As ``str``, with a reason in English marked as English for screen readers."""
        reason = (
            format_html('<span lang="{}">{}</span>', self.lang, self.reason)
            if self.lang != "da"
            else conditional_escape(self.reason)
        )
        if self.line is None:
            return reason
        return format_html(_("Linje {line}: {reason}"), line=self.line, reason=reason)


class RefusedFile(ValidationError):
    """The upload is refused; ``problems`` says where and why (also as the messages)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__([str(p) for p in problems])
        self.problems = problems


def read_upload(
    raw: bytes, *, filename: str, own_ids: Collection[str] = ()
) -> tuple[Instrument, str]:
    """The instrument and its text, or RefusedFile. ``own_ids`` are the instruments the
    organisation has uploaded before (a file may be a variant of one, or place it in zones)."""
    text = _text(raw)
    try:
        instrument = parse_instrument(text, file=filename or "upload")
    except InstrumentError as error:
        raise RefusedFile([explain(error.line, error.reason)]) from error
    problems = _policy(instrument, text, own_ids)
    if problems:
        raise RefusedFile(problems)
    return instrument, text


def too_large_together(instruments: Collection[Instrument]) -> str | None:
    """Why one measurement may not hold these own instruments together, or None: each
    item and scale is figures per group at closing, each pair of scales a correlation."""
    items = sum(len(i.items) for i in instruments)
    scales = sum(len(i.scales) for i in instruments)
    if items <= MAX_MEASUREMENT_ITEMS and scales <= MAX_MEASUREMENT_SCALES:
        return None
    return _(
        "Jeres egne spørgeskemaer i en måling må tilsammen have højst %(items)s spørgsmål "
        "og %(scales)s skalaer. Vælg færre af dem, eller del målingen op."
    ) % {"items": MAX_MEASUREMENT_ITEMS, "scales": MAX_MEASUREMENT_SCALES}


def _text(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise RefusedFile([Problem(None, _("Filen er for stor: højst 256 KB."))])
    if not raw.strip():
        raise RefusedFile([Problem(None, _("Filen er tom."))])
    try:
        text = textfiles.decode(raw)  # UTF-8 with or without BOM, else Windows-1252
    except UnicodeDecodeError:
        text = ""
    if not text or _NOT_TEXT.search(text):
        raise RefusedFile(
            [
                Problem(
                    None,
                    _(
                        "Filen kan ikke læses som tekst. Et spørgeskema skal være en YAML-fil "
                        "(tekst, helst gemt som UTF-8), ikke fx et Word-dokument, en PDF eller "
                        "et regneark."
                    ),
                )
            ]
        )
    return text


# --------------------------------------------------------------------------- policy


def _policy(instrument: Instrument, text: str, own_ids: Collection[str]) -> list[Problem]:
    lines = _KeyLines(text)
    problems: list[Problem] = []
    if instrument.id in load_builtin():
        problems.append(
            Problem(
                lines.of("id"),
                _(
                    "id: «%(id)s» er id'et på et af Trygheds indbyggede spørgeskemaer. Giv "
                    "jeres spørgeskema et andet id, fx «%(id)s-egen»."
                )
                % {"id": instrument.id},
            )
        )
    if instrument.authored_by != "organisation":
        problems.append(
            Problem(
                lines.of("authored_by"),
                _(
                    "authored_by: skal være «organisation» i et spørgeskema, som organisationen "
                    "selv indlæser. «seed» og «project» står kun på Trygheds egne spørgeskemaer."
                ),
            )
        )
    for key, count, most in (
        ("items", len(instrument.items), MAX_ITEMS),
        ("scales", len(instrument.scales), MAX_SCALES),
        ("key_figures", len(instrument.key_figures), MAX_KEY_FIGURES),
    ):
        if count > most:
            problems.append(
                Problem(
                    lines.of(key),
                    _(
                        "%(key)s: højst %(most)s i et spørgeskema, I selv indlæser, ikke "
                        "%(count)s. Del det op i flere spørgeskemaer."
                    )
                    % {"key": key, "most": most, "count": count},
                )
            )
    for item in instrument.items:
        word = _SENSITIVE_WORDS.search(item.text.da) or _SENSITIVE_WORDS.search(item.text.en)
        if word is not None and not item.sensitive:
            problems.append(
                Problem(
                    lines.item(item.number),
                    _(
                        "Spørgsmål %(n)s handler om «%(word)s». Markér det «sensitive: true», "
                        "så det som krænkende handlinger og vold kun vises for grupper med "
                        "mindst %(minimum)s svar."
                    )
                    % {
                        "n": item.number,
                        "word": word.group(),
                        "minimum": minimum_group_size("sensitive"),
                    },
                )
            )
    display = instrument.display
    if display is not None and display.exercise is not None:
        problems.append(
            Problem(
                lines.of("display", "exercise"),
                _(
                    "display: exercise: dialogøvelserne bruger kun Trygheds indbyggede "
                    "spørgeskemaer. Fjern linjen."
                ),
            )
        )
    if display is not None and display.risk_factors:
        problems.append(
            Problem(
                lines.of("display", "risk_factors"),
                _(
                    "display: risk_factors: APV'ens risikofaktorer læses kun fra Trygheds "
                    "indbyggede screening. Fjern afsnittet."
                ),
            )
        )
    known = set(load_builtin()) | set(own_ids) | {instrument.id}
    named: list[tuple[str, tuple[str, ...]]] = []
    if instrument.variant_of is not None:
        named.append((instrument.variant_of, ("variant_of",)))
    if instrument.zones is not None:
        named.extend((i, ("zones", "safety")) for i in instrument.zones.safety)
        named.append((instrument.zones.focus, ("zones", "focus")))
    for other, path in named:
        if other not in known:
            problems.append(
                Problem(
                    lines.of(*path),
                    _(
                        "%(key)s: spørgeskemaet «%(other)s» findes ikke, hverken blandt "
                        "Trygheds eller jeres egne."
                    )
                    % {"key": ": ".join(path), "other": other},
                )
            )
    return problems


class _KeyLines:
    """The line of a key in the file (the file has been parsed, so it composes)."""

    def __init__(self, text: str) -> None:
        self.root: Node | None = yaml.compose(text, Loader=yaml.SafeLoader)

    def of(self, *path: str) -> int | None:
        node = self.root
        line: int | None = None
        for key in path:
            if not isinstance(node, MappingNode):
                return line
            pair = next(
                (
                    (k, v)
                    for k, v in node.value
                    if isinstance(k, ScalarNode) and str(k.value) == key
                ),
                None,
            )
            if pair is None:
                return line
            line = pair[0].start_mark.line + 1
            node = pair[1]
        return line

    def item(self, number: int) -> int | None:
        """The line where item ``number`` (1..N, in order) begins."""
        items = self.root.value if isinstance(self.root, MappingNode) else []
        node = next((v for k, v in items if isinstance(k, ScalarNode) and k.value == "items"), None)
        if not isinstance(node, SequenceNode) or not 0 < number <= len(node.value):
            return self.of("items")
        return int(node.value[number - 1].start_mark.line) + 1


# --------------------------------------------------------------------------- reasons in Danish

# Where the loader names a part of the file ("item 5: options: "), in the reader's words.
_WHERE = (
    (re.compile(r"\bitem (\d+)"), "spørgsmål \\1"),
    (re.compile(r"\boption (-?\d+)"), "svarmulighed \\1"),
    (re.compile(r"\bscale ([a-z0-9_-]+):"), "skala \\1:"),
    (re.compile(r"\bkey figure ([a-z0-9_-]+):"), "nøgletal \\1:"),
)


def _reasons() -> tuple[tuple[re.Pattern[str], Callable[[Mapping[str, str]], str]], ...]:
    """The loader's reasons as patterns, each with its Danish wording. Built per call so
    gettext reads the active language. Every reason the loader can give an upload has one
    (tests/surveys/test_instrument_reasons_in_danish.py fails on a reason without)."""

    def says(message: str) -> Callable[[Mapping[str, str]], str]:
        return lambda groups: message % dict(groups)

    return tuple(
        (re.compile(f"^(?P<where>.*?){pattern}$", re.DOTALL), says(message))
        for pattern, message in (
            (r"the file is larger than [\d,]+ characters", _("filen er for stor.")),
            (r"the file is empty", _("filen er tom.")),
            (
                r"the lists or mappings are nested too deeply",
                _("lister eller afsnit ligger for dybt inden i hinanden."),
            ),
            (
                r"the file repeats too much through aliases \(\*name\)",
                _("filen gentager for meget gennem aliasser (*navn)."),
            ),
            (
                r"an alias \(\*name\) refers to the list or mapping it stands in",
                _("et alias (*navn) henviser til den liste eller det afsnit, det selv står i."),
            ),
            (
                # An error without a mark (a control character) also says where in the text.
                r"not valid YAML: (?P<problem>.*?)(?:\s+in \"[^\"]*\", position \d+)?",
                _(
                    "filen er ikke gyldig YAML (%(problem)s). Tjek indrykningen, kolonerne og "
                    "anførselstegnene på linjen og linjen før."
                ),
            ),
            (
                r"must be a mapping \(key: value\)",
                _("skal være et afsnit med nøgler (nøgle: værdi)."),
            ),
            (r"a key must be a plain name", _("en nøgle skal være et almindeligt navn.")),
            (r"key '(?P<key>[^']*)' appears twice", _("nøglen «%(key)s» står to gange.")),
            (
                r"unknown key '(?P<key>[^']*)' \(allowed: (?P<allowed>.*)\)",
                _("ukendt nøgle «%(key)s». Tilladt her: %(allowed)s."),
            ),
            (r"'(?P<key>[^']*)' is required", _("«%(key)s» mangler.")),
            (r"must be a list", _("skal være en liste.")),
            (r"must not be empty", _("må ikke være tom.")),
            (
                r"must be a single value, not a list or mapping",
                _("skal være én værdi, ikke en liste eller et afsnit."),
            ),
            (
                r"must be an integer, not '(?P<value>.*)'",
                _("skal være et helt tal, ikke «%(value)s»."),
            ),
            (r"must be a number, not '(?P<value>.*)'", _("skal være et tal, ikke «%(value)s».")),
            (r"must be a finite number", _("skal være et endeligt tal.")),
            (
                r"must be true or false, not '(?P<value>.*)'",
                _("skal være true eller false, ikke «%(value)s»."),
            ),
            (
                r"has an unsupported tag (?P<tag>.*)",
                _("har en type (%(tag)s), som ikke kan bruges her."),
            ),
            (
                r"must be one of (?P<allowed>.*), not '(?P<value>.*)'",
                _("skal være en af %(allowed)s, ikke «%(value)s»."),
            ),
            (
                r"'(?P<value>.*)' is not a valid id \(lowercase letters, digits, -\)",
                _("«%(value)s» er ikke et gyldigt id (små bogstaver, tal og bindestreg)."),
            ),
            (
                r"unsupported format(?: -?\d+)? \(this version reads (?P<n>\d+)\)",
                _("formatet kendes ikke (Tryghed læser format %(n)s)."),
            ),
            (r"must be 1 or more", _("skal være 1 eller mere.")),
            (
                r"item numbers must be 1\.\.N in order: expected (?P<n>\d+), found (?P<m>-?\d+)",
                _(
                    "spørgsmålene skal nummereres 1, 2, 3 … i rækkefølge: her skulle stå "
                    "%(n)s, men der står %(m)s."
                ),
            ),
            (r"item (?P<n>\d+) does not exist", _("spørgsmål %(n)s findes ikke.")),
            (r"item (?P<n>\d+) appears twice", _("spørgsmål %(n)s står to gange.")),
            (
                r"item (?P<n>\d+) is not a scored choice item",
                _("spørgsmål %(n)s er ikke et spørgsmål med svarmuligheder, der giver point."),
            ),
            (
                r"item (?P<n>\d+) is not a choice item",
                _("spørgsmål %(n)s er ikke et spørgsmål med svarmuligheder."),
            ),
            (
                r"(?:option )?code (?P<code>-?\d+) appears twice",
                _("svarkoden %(code)s står to gange."),
            ),
            (
                r"needs options \(the instrument has no default options\)",
                _("mangler svarmuligheder (spørgeskemaet har ingen fælles «options»)."),
            ),
            (
                r"a scored item needs points on its options \(or scored: false\)",
                _(
                    "et spørgsmål, der tæller med i en score, skal have point på sine "
                    "svarmuligheder (eller «scored: false»)."
                ),
            ),
            (r"max must be greater than min", _("max skal være større end min.")),
            (
                r"item (?P<target>\d+) is sensitive, so item (?P<n>\d+) must be "
                r"sensitive: true too",
                _(
                    "spørgsmål %(target)s er følsomt, så spørgsmål %(n)s skal også have "
                    "«sensitive: true»: hvem der bliver spurgt, afslører, hvad de svarede på "
                    "spørgsmål %(target)s."
                ),
            ),
            (
                r"code (?P<code>-?\d+) must be between (?P<low>-?\d+) and (?P<high>-?\d+)",
                _("svarkoden %(code)s skal ligge fra %(low)s til %(high)s."),
            ),
            (
                r"every answer gives the same points \((?P<points>[^)]*)\); a scale needs "
                r"different points",
                _(
                    "alle svar giver samme point (%(points)s); en skala skal kunne give "
                    "forskellige point."
                ),
            ),
            (
                r"staircase needs the main scale '(?P<scale>[^']*)' scored "
                r"1\.\.(?P<k>\d+) with its levels at 1, 2, \.\.\., (?P=k) \(one step per level\)",
                _(
                    "staircase kræver, at hovedskalaen «%(scale)s» går fra 1 til "
                    "%(k)s (score: {min: 1, max: %(k)s}), med niveauerne 1, 2, … %(k)s: "
                    "trappen har ét trin pr. niveau."
                ),
            ),
            (
                r"must be between (?P<low>-?\d+) and (?P<high>-?\d+)",
                _("skal ligge fra %(low)s til %(high)s."),
            ),
            (
                r"at most (?P<most>\d+) options, not (?P<n>\d+)",
                _("højst %(most)s svarmuligheder, ikke %(n)s."),
            ),
            (
                r"items: shares item (?P<n>\d+) with scale (?P<other>[a-z0-9_-]+), but neither "
                r"scale holds every item of the other",
                _(
                    "items: deler spørgsmål %(n)s med skala %(other)s, men ingen af de to "
                    "skalaer rummer alle den andens spørgsmål, så de bygger på forskellige "
                    "personer."
                ),
            ),
            (
                r"items: shares item (?P<n>\d+) with scale (?P<other>[a-z0-9_-]+); a scale may "
                r"lie inside another only as a pooled scale of one item inside a pooled scale",
                _(
                    "items: deler spørgsmål %(n)s med skala %(other)s. En skala må kun ligge "
                    "inden i en anden, når begge har «aggregate: pooled» og den inderste har "
                    "ét spørgsmål (som emnerne i Vision Zero-modenheden); ellers bygger de to "
                    "skalaer på forskellige personer."
                ),
            ),
            (
                r"items: must all be in one scale, or none in any scale",
                _(
                    "items: spørgsmålene skal alle ligge i én og samme skala, eller ingen af "
                    "dem i en skala."
                ),
            ),
            (
                r"needs seed and section \(or reference\)",
                _("skriv hvor spørgsmålene stammer fra: «reference: …»."),
            ),
            (
                r"an instrument cannot be a variant of itself",
                _(
                    "et spørgeskema kan ikke være en variant af sig selv. Skriv id'et på det "
                    "spørgeskema, det bygger på, eller fjern linjen."
                ),
            ),
            (
                r"give either seed and section, or reference, not both",
                _("skriv kun «reference: …», ikke også «seed» og «section»."),
            ),
            (
                r"give points for every option or for none \(options without points are for "
                r"unscored items\)",
                _(
                    "giv point på alle svarmuligheder eller på ingen (svarmuligheder uden point "
                    "er til spørgsmål, der ikke tæller med i en score)."
                ),
            ),
            (
                r"only one option may have points: null \(don't know\)",
                _("kun én svarmulighed må have «points: null» (ved ikke)."),
            ),
            (
                r"a don't-know option has no points_reversed",
                _(
                    "en «ved ikke»-svarmulighed (points: null) kan ikke have "
                    "«points_reversed». Fjern det."
                ),
            ),
            (
                r"codes must be consecutive in the order listed: (?P<code>-?\d+) follows "
                r"(?P<previous>-?\d+)",
                _(
                    "svarkoderne skal komme i rækkefølge uden huller (1, 2, 3 …): her kommer "
                    "%(code)s efter %(previous)s."
                ),
            ),
            (
                r"codes of scored options must be consecutive in the order listed: "
                r"(?P<code>-?\d+) follows (?P<previous>-?\d+)",
                _(
                    "svarmulighederne med point skal have koder i rækkefølge uden huller (1, 2, "
                    "3 …): her kommer %(code)s efter %(previous)s."
                ),
            ),
            (
                r"needs at least one option with points",
                _("mindst én svarmulighed skal give point."),
            ),
            (
                r"points_reversed is given for some options; give it for every scored option",
                _(
                    "«points_reversed» står kun på nogle af svarmulighederne. Skriv det på alle "
                    "svarmuligheder med point."
                ),
            ),
            (
                r"must be a mapping point: text",
                _("skal være et afsnit med et punkt og dets tekst på hver linje (punkt: tekst)."),
            ),
            (r"point (?P<point>-?\d+) appears twice", _("punktet %(point)s står to gange.")),
            (
                r"point (?P<point>-?\d+) is outside (?P<low>-?\d+)\.\.(?P<high>-?\d+)",
                _("punktet %(point)s ligger uden for skalaen fra %(low)s til %(high)s."),
            ),
            (
                r"item (?P<n>\d+) must be a mapping",
                _("spørgsmål %(n)s skal være et afsnit med nøgler (number, text …)."),
            ),
            (
                r"a text item has no options",
                _("et tekstspørgsmål (type: text) har ingen svarmuligheder. Fjern «options»."),
            ),
            (
                r"only a choice item can be scored",
                _(
                    "kun et spørgsmål med svarmuligheder (type: choice) kan tælle med i en "
                    "score. Fjern «scored: true»."
                ),
            ),
            (
                r"reverse applies only to a scored choice item",
                _("«reverse» kan kun bruges på et spørgsmål med svarmuligheder, der giver point."),
            ),
            (
                r"'measures' is required when authored_by is project \(the definition from the "
                r"seed the item measures\)",
                _(
                    "«measures» mangler; det kræves, når authored_by er «project». I jeres egne "
                    "spørgeskemaer skal der stå «authored_by: organisation»."
                ),
            ),
            (
                r"reference is only for choice items",
                _("«reference» kan kun stå på et spørgsmål med svarmuligheder."),
            ),
            (
                r"must be a mapping code: share",
                _(
                    "skal være et afsnit med en svarkode og dens andel på hver linje "
                    "(fx «5: 0.12»)."
                ),
            ),
            (
                r"(?P<code>-?\d+) is not an option code of the item",
                _("%(code)s er ikke en svarkode i spørgsmålet."),
            ),
            (
                r"a share between 0 and 1",
                _("andelen skal være et tal fra 0 til 1 (fx 0.25 for 25 %%)."),
            ),
            (
                r"a share between 0 and 1, not (?P<value>.*)",
                _("skal være en andel fra 0 til 1 (fx 0.25 for 25 %%), ikke «%(value)s»."),
            ),
            (r"sum to more than 1", _("andelene giver tilsammen mere end 1.")),
            (
                r"an item cannot depend on itself",
                _("et spørgsmål kan ikke afhænge af sig selv."),
            ),
            (
                r"item (?P<target>\d+) must come before item (?P<n>\d+)",
                _("spørgsmål %(target)s skal stå før spørgsmål %(n)s."),
            ),
            (
                r"item (?P<n>\d+) has no option with code (?P<code>-?\d+)",
                _("spørgsmål %(n)s har ingen svarmulighed med koden %(code)s."),
            ),
            (
                r"(?:scale )?id '(?P<id>[^']*)' appears twice",
                _("id'et «%(id)s» står to gange."),
            ),
            (
                r"values must increase, (?P<value>.*) does not",
                _(
                    "værdierne skal stige ned gennem listen, men %(value)s er ikke større end "
                    "værdien før."
                ),
            ),
            (
                r"code (?P<code>-?\d+) is not a scored option of every item of the scale",
                _(
                    "svarkoden %(code)s er ikke en svarmulighed med point i alle skalaens "
                    "spørgsmål."
                ),
            ),
            (
                r"code (?P<code>-?\d+) is in more than one band",
                _("svarkoden %(code)s står i mere end ét bånd."),
            ),
            (
                r"must be a mapping key: text",
                _(
                    "skal være et afsnit med et bånd-id eller en niveauværdi og en tekst på "
                    "hver linje."
                ),
            ),
            (
                r"'(?P<key>[^']*)' names no band id and no level value of the scale",
                _("«%(key)s» er hverken id'et på et bånd eller værdien af et niveau i skalaen."),
            ),
            (
                r"must be \[low, high\] with 0 <= low < high <= 1",
                _("skal være [lav, høj] med 0 ≤ lav < høj ≤ 1, fx [0.2, 0.4]."),
            ),
            (
                r"give reference value or reference_range, not both",
                _("skriv enten «reference: value» eller «reference_range», ikke begge dele."),
            ),
            (
                r"needs a value \(or give reference_range\)",
                _("mangler «value» (eller skriv «reference_range»)."),
            ),
            (
                r"'(?P<value>[^']*)' cannot also be a safety instrument",
                _("«%(value)s» kan ikke både være «focus» og stå under «safety»."),
            ),
            (
                r"this instrument \((?P<id>[^)]*)\) must be one of the axes",
                _(
                    "dette spørgeskema («%(id)s») skal selv være en af akserne: skriv det under "
                    "«safety» eller som «focus»."
                ),
            ),
            (
                r"the instrument has no scale to place on an axis",
                _("spørgeskemaet har ingen skala, der kan placeres på en akse."),
            ),
            (
                r"must be between 0 and 1 \(a share of the range\)",
                _("skal ligge mellem 0 og 1 (en andel af skalaens spænd)."),
            ),
            (
                r"is shown under key figures; there are none",
                _(
                    "vises under nøgletallene, men spørgeskemaet har ingen nøgletal. Fjern "
                    "linjen, eller tilføj «key_figures»."
                ),
            ),
            (
                r"the instrument has no scale",
                _("spørgeskemaet har ingen skala. Fjern linjen, eller tilføj en skala."),
            ),
            (
                r"must map each risk factor to a key figure id",
                _("skal knytte hver risikofaktor til et nøgletals id."),
            ),
            (
                r"no key figure '(?P<id>[^']*)'",
                _("der er intet nøgletal med id'et «%(id)s»."),
            ),
            (
                r"the instrument has no scale item",
                _("spørgeskemaet har intet spørgsmål med svarmuligheder."),
            ),
            (
                r"key_figure_reading needs key_figures",
                _("key_figure_reading kræver nøgletal («key_figures»)."),
            ),
            (
                r"(?P<kind>[a-z_]+) needs at least one scale",
                _("%(kind)s kræver mindst én skala."),
            ),
            (
                r"staircase needs at least two levels on the main scale '(?P<scale>[^']*)' "
                r"\(one step per level\)",
                _(
                    "staircase kræver mindst to niveauer («levels») på hovedskalaen "
                    "«%(scale)s»: trappen har ét trin pr. niveau."
                ),
            ),
            (
                r"support_chart needs one to three bands on every scale; '(?P<scale>[^']*)' "
                r"has (?P<n>\d+)",
                _(
                    "support_chart kræver et til tre bånd («bands») på hver skala; "
                    "«%(scale)s» har %(n)s."
                ),
            ),
            (r"'(?P<value>[^']*)' appears twice", _("«%(value)s» står to gange.")),
        )
    )


def explain(line: int, reason: str) -> Problem:
    """The loader's reason in Danish when the page is Danish and the reason is known."""
    if (get_language() or "da").lower().startswith("en"):
        return Problem(line, reason, "en")
    for pattern, danish in _reasons():
        match = pattern.match(reason)
        if match is None:
            continue
        groups = {k: v for k, v in match.groupdict().items() if k != "where" and v is not None}
        where = match.group("where")
        for where_pattern, words in _WHERE:
            where = where_pattern.sub(words, where)
        said = danish(groups)
        return Problem(line, f"{where}{said}" if where else said[:1].upper() + said[1:])
    return Problem(line, reason, "en")
