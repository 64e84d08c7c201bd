"""What a template shows of an exercise: its texts and, once revealed, its charts.

Bars are drawn as SVG rectangles (geometry in attributes, which the CSP allows where an
inline ``style`` would not); a table with the same counts is there for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass

from tryghed.dialogue import exercises
from tryghed.dialogue.models import Exercise

CHART_WIDTH = 640
CHART_HEIGHT = 220
LABEL_SPACE = 34
TOP_SPACE = 30


@dataclass(frozen=True)
class Bar:
    label: str
    description: str
    count: int
    x: float
    y: float
    width: float
    height: float
    label_x: float


@dataclass(frozen=True)
class Chart:
    question: str
    short: str
    bars: tuple[Bar, ...]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT + LABEL_SPACE + TOP_SPACE
    baseline: int = CHART_HEIGHT + TOP_SPACE


@dataclass(frozen=True)
class ExerciseView:
    exercise: Exercise
    content: exercises.Content
    count: int
    charts: tuple[Chart, ...]
    words: tuple[str, ...]
    n: int


def _chart(
    question: exercises.Question, choices: tuple[exercises.Choice, ...], counts: dict[str, int]
) -> Chart:
    slots = len(choices)
    slot = CHART_WIDTH / slots
    width = slot * 0.7
    top = max(counts.values(), default=0) or 1
    bars = []
    for n, choice in enumerate(choices):
        count = int(counts.get(str(choice.value), 0))
        height = CHART_HEIGHT * count / top
        x = n * slot + (slot - width) / 2
        bars.append(
            Bar(
                label=choice.label,
                description=choice.description,
                count=count,
                x=round(x, 1),
                y=round(TOP_SPACE + CHART_HEIGHT - height, 1),
                width=round(width, 1),
                height=round(height, 1),
                label_x=round(n * slot + slot / 2, 1),
            )
        )
    return Chart(question=question.text, short=question.short, bars=tuple(bars))


def exercise_view(exercise: Exercise, lang: str, *, count: int) -> ExerciseView:
    """The exercise as the screen or a phone shows it; charts only from what reveal
    stored (counts per value), never from the placements themselves."""
    content = exercises.content(exercise.kind, lang)
    distribution = exercise.shown
    charts: list[Chart] = []
    values = distribution.get("values") or {}
    for question in content.questions:
        if question.key in values:
            charts.append(_chart(question, content.choices, values[question.key]))
    return ExerciseView(
        exercise=exercise,
        content=content,
        count=count,
        charts=tuple(charts),
        words=tuple(distribution.get("words") or ()),
        n=int(distribution.get("n") or 0),
    )
