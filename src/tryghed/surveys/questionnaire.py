"""Turn an instrument into the questions a respondent sees, and read their answers back.

Pure functions over ``core.instruments``: no database, so the respondent's way through
is easy to test and nothing is stored until the final submission.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core import signing
from django.utils.translation import gettext as _

from tryghed.core.instruments import Instrument, Item

STATE_SALT = "tryghed.surveys.state"
MAX_TEXT = 2000

# An answer is an option code, or a list of codes for a multiple-choice item.
Answer = int | list[int]


@dataclass(frozen=True)
class Choice:
    code: int
    label: str
    dont_know: bool = False


@dataclass
class Question:
    item: Item
    name: str
    kind: str  # "radio", "rating", "multi" or "text"
    text: str
    choices: list[Choice]
    hint: str = ""
    condition: str = ""
    anchors: str = ""
    selected: list[int] = field(default_factory=list)
    value: str = ""
    error: str = ""

    @property
    def rating_half(self) -> int:
        """Half the points of a rating scale, rounded up: a phone shows the scale in two even
        rows of this many boxes (1-10 as 5 + 5), a wider screen in one row."""
        points = sum(1 for choice in self.choices if not choice.dont_know)
        return (points + 1) // 2


def field_name(item: Item) -> str:
    return "q-" + item.id


def _condition_text(instrument: Instrument, item: Item, lang: str) -> str:
    condition = item.show_if
    if condition is None:
        return ""
    other = next(i for i in instrument.items if i.number == condition.item)
    labels = [
        (o.label.get(lang) if o.label else str(o.code))
        for o in other.options
        if o.code in condition.codes
    ]
    # Danish quotes with «», English with curly double quotes.
    opening, closing = ("“", "”") if lang == "en" else ("«", "»")
    quoted = ", ".join(f"{opening}{label}{closing}" for label in labels)
    return _("Besvar kun, hvis du svarede %(answers)s på spørgsmål %(number)s.") % {
        "answers": quoted,
        "number": condition.item,
    }


def questions(
    instrument: Instrument,
    lang: str,
    answers: Mapping[str, Answer] | None = None,
    texts: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> list[Question]:
    answers, texts, errors = answers or {}, texts or {}, errors or {}
    result = []
    for item in instrument.items:
        kind = {"text": "text", "multi": "multi"}.get(
            item.type, "rating" if item.rating else "radio"
        )
        anchors = ""
        if item.rating:
            anchors = " · ".join(
                f"{o.code} = {o.label.get(lang)}" for o in item.options if o.label is not None
            )
        choices = [
            Choice(
                code=o.code,
                label=o.label.get(lang) if o.label is not None and not item.rating else str(o.code),
                dont_know=o.dont_know,
            )
            for o in item.options
        ]
        if item.rating:
            # A rating scale keeps its "don't know" option's own label.
            choices = [
                Choice(c.code, item.option(c.code).label.get(lang), True)  # type: ignore[union-attr]
                if c.dont_know
                else c
                for c in choices
            ]
        value = answers.get(item.id)
        selected = value if isinstance(value, list) else ([value] if value is not None else [])
        result.append(
            Question(
                item=item,
                name=field_name(item),
                kind=kind,
                text=item.text.get(lang),
                choices=choices,
                hint=item.hint.get(lang) if item.hint else "",
                condition=_condition_text(instrument, item, lang),
                anchors=anchors,
                selected=selected,
                value=texts.get(item.id, ""),
                error=errors.get(item.id, ""),
            )
        )
    return result


def read_answers(
    instrument: Instrument, data: Mapping[str, object]
) -> tuple[dict[str, Answer], dict[str, str], dict[str, str]]:
    """Parse one instrument's answers from a POST. Unanswered items are simply absent.

    Returns (answers, texts, errors). Answers to a follow-up whose condition is not met
    are dropped, so a respondent who changes the first answer leaves no stale follow-up.
    """
    answers: dict[str, Answer] = {}
    texts: dict[str, str] = {}
    errors: dict[str, str] = {}
    getlist = getattr(data, "getlist", None)
    for item in instrument.items:
        name = field_name(item)
        if item.type == "text":
            # No NUL: PostgreSQL's jsonb cannot hold one, so a comment with one failed
            # every release of the measurement and its closing, and the failure was
            # logged quoting the comment (tests/privacy/test_redteam_logs_errors.py).
            raw_text = str(data.get(name, "") or "").replace("\x00", "").strip()
            if len(raw_text) > MAX_TEXT:
                errors[item.id] = _("Svaret er for langt (højst %(n)s tegn).") % {"n": MAX_TEXT}
            elif raw_text:
                texts[item.id] = raw_text
            continue
        raw_values = getlist(name) if getlist else ([data[name]] if name in data else [])
        codes: list[int] = []
        for raw in raw_values:
            try:
                code = int(str(raw))
            except ValueError:
                code = -1
            if code not in item.codes:
                errors[item.id] = _("Vælg et af svarene.")
                break
            codes.append(code)
        if not codes or item.id in errors:
            continue
        if item.type == "multi":
            answers[item.id] = sorted(set(codes))
        elif len(codes) > 1:
            errors[item.id] = _("Vælg kun ét svar.")
        else:
            answers[item.id] = codes[0]
    for item in instrument.items:
        if item.show_if and not _condition_met(instrument, item, answers):
            answers.pop(item.id, None)
            texts.pop(item.id, None)
    return answers, texts, errors


def _condition_met(instrument: Instrument, item: Item, answers: Mapping[str, Answer]) -> bool:
    condition = item.show_if
    if condition is None:
        return True
    value = answers.get(f"{instrument.id}.{condition.item}")
    return isinstance(value, int) and value in condition.codes


@dataclass
class State:
    """What the respondent has answered so far, carried between pages in a signed field."""

    answers: dict[str, Answer] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def dump(self) -> str:
        return signing.dumps({"a": self.answers, "t": self.texts}, salt=STATE_SALT, compress=True)

    @classmethod
    def load(cls, raw: str) -> State:
        if not raw:
            return cls()
        try:
            data = signing.loads(raw, salt=STATE_SALT)
        except signing.BadSignature:
            return cls()
        return cls(answers=dict(data.get("a", {})), texts=dict(data.get("t", {})))

    def replace(
        self, instrument: Instrument, answers: dict[str, Answer], texts: dict[str, str]
    ) -> None:
        prefix = instrument.id + "."
        self.answers = {k: v for k, v in self.answers.items() if not k.startswith(prefix)}
        self.texts = {k: v for k, v in self.texts.items() if not k.startswith(prefix)}
        self.answers.update(answers)
        self.texts.update(texts)


def only_known(instruments: Sequence[Instrument], state: State) -> State:
    """Keep only answers to items of these instruments with valid codes (a final check)."""
    items = {item.id: item for instrument in instruments for item in instrument.items}
    answers: dict[str, Answer] = {}
    for key, value in state.answers.items():
        item = items.get(key)
        if item is None or item.type == "text":
            continue
        values = value if isinstance(value, list) else [value]
        if all(isinstance(v, int) and v in item.codes for v in values):
            answers[key] = value
    texts = {
        k: v[:MAX_TEXT]
        for k, v in state.texts.items()
        if k in items and items[k].type == "text" and isinstance(v, str)
    }
    return State(answers=answers, texts=texts)
