from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tryghed.actions.models import (
    Action,
    ActionStatus,
    Ease,
    HasSolution,
    Level,
    PlanStatus,
    Prevention,
)
from tryghed.orgs.labels import UnitLabels
from tryghed.orgs.models import Person, Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PrioritiesForm(forms.Form):
    """The prioritisation questions of seed 004, asked of every focus area."""

    title = forms.CharField(label=_("Navn på fokusområdet"), max_length=300)
    has_solution = forms.ChoiceField(
        label=_("Findes der en mulig løsning på problemet?"), choices=HasSolution.choices
    )
    ease = forms.ChoiceField(label=_("Hvor let er løsningen at gennemføre?"), choices=Ease.choices)
    cost_of_ignoring = forms.CharField(
        label=_("Hvad koster det, hvis problemet fortsat ignoreres?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FocusChoiceForm(PrioritiesForm):
    figure = forms.ChoiceField(label=_("Resultat"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        figure = self.fields["figure"]
        assert isinstance(figure, forms.ChoiceField)
        figure.choices = choices
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Lader du feltet stå tomt, bruges resultatets navn.")
        self.order_fields(["figure", "title", "has_solution", "ease", "cost_of_ignoring"])


class PlanForm(forms.Form):
    problem = forms.CharField(
        label=_("Problem"),
        help_text=_("Hvad er problemet, som I oplever det i hverdagen?"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    goal = forms.CharField(
        label=_("Mål"),
        help_text=_("Hvad skal være anderledes, når planen er gennemført?"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    level = forms.ChoiceField(label=_("Niveau"), choices=Level.choices)
    prevention = forms.ChoiceField(
        label=_("Forebyggelsesniveau"),
        choices=Prevention.choices,
        help_text=_("Primære indsatser forebygger ved kilden og bør prioriteres først."),
    )
    evaluation_criteria = forms.CharField(
        label=_("Evalueringskriterier"),
        help_text=_("Hvordan kan I se, at planen har virket?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evaluation_date = forms.DateField(label=_("Evalueringsdato"), required=False, widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=PlanStatus.choices)
    participants_count = forms.IntegerField(
        label=_("Antal medarbejdere involveret"), required=False, min_value=0
    )
    participants = forms.CharField(
        label=_("Hvem var med"),
        help_text=_(
            'Fx "hele teamet på personalemødet 3. marts" eller navne. Skriv kun, hvad de '
            "involverede er indforstået med – det har intet med besvarelserne at gøre."
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_evaluation_date(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("evaluation_date")
        # A date already on the plan may have passed; a new or changed one may not.
        if (
            value is not None
            and value < timezone.localdate()
            and "evaluation_date" in self.changed_data
        ):
            raise forms.ValidationError(
                _("Evalueringsdatoen ligger i fortiden. Vælg dagens dato eller en senere dato.")
            )
        return value


class OwnerInput(forms.TextInput):
    """A text field with the people to choose from as suggestions (a datalist): pick one by
    typing part of the name, or write someone who is not on the list. No script needed."""

    template_name = "actions/widgets/owner_input.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"autocomplete": "off", **(attrs or {})})
        self.suggestions: list[str] = []

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        list_id = f"{context['widget']['attrs'].get('id', name)}-forslag"
        context["widget"]["attrs"]["list"] = list_id
        context["widget"]["list_id"] = list_id
        context["widget"]["suggestions"] = self.suggestions
        return context


def owner_labels(people: list[Person]) -> dict[str, Person]:
    """Each person as "Name (Unit)"; namesakes in one unit also get their employee number."""
    if not people:
        return {}
    labels = UnitLabels(people[0].organisation_id)
    first = {person.pk: f"{person.name} ({labels(person.unit)})" for person in people}
    counts = Counter(first.values())
    found: dict[str, Person] = {}
    for person in people:
        label = first[person.pk]
        if counts[label] > 1:
            label = f"{person.name} ({labels(person.unit)}, {_('nr.')} {person.employee_id})"
        found[label] = person
    return found


class ActionForm(forms.Form):
    """One action: what, who is responsible (one field), by when, how far."""

    what = forms.CharField(label=_("Handling"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.CharField(
        label=_("Ansvarlig"),
        max_length=200,
        widget=OwnerInput,
        help_text=_(
            "Skriv navnet, og vælg medarbejderen på listen – den viser enheden, så to med samme "
            "navn kan skelnes. Er den ansvarlige ikke på listen, fx en ekstern konsulent, så "
            "skriv bare navnet."
        ),
        error_messages={"required": _("Skriv, hvem der er ansvarlig for handlingen.")},
    )
    deadline = forms.DateField(label=_("Frist"), widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)

    def __init__(self, *args: Any, unit: Unit, action: Action | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = Person.objects.filter(
            organisation_id=unit.organisation_id, unit__path__startswith=unit.path, is_active=True
        )
        if action is not None and action.owner_person_id is not None:
            # The current owner stays on the list even after moving away from the unit.
            people = people | Person.objects.filter(pk=action.owner_person_id)
        self.people = owner_labels(list(people.select_related("unit").order_by("name", "pk")))
        widget = self.fields["owner"].widget
        assert isinstance(widget, OwnerInput)
        widget.suggestions = list(self.people)
        if action is not None:
            by_pk = {person.pk: label for label, person in self.people.items()}
            self.initial.setdefault(
                "owner", by_pk.get(action.owner_person_id or 0, action.owner_label)
            )

    def clean_owner(self) -> str:
        text: str = " ".join(self.cleaned_data["owner"].split())
        if text in self.people:
            return text
        namesakes = [label for label, p in self.people.items() if p.name.lower() == text.lower()]
        if len(namesakes) > 1:
            raise forms.ValidationError(
                _("Der er flere, der hedder %(name)s. Vælg den rigtige på listen: %(choices)s.")
                % {"name": text, "choices": "; ".join(namesakes)}
            )
        return namesakes[0] if namesakes else text

    def clean(self) -> dict[str, Any]:
        """Hand the services the owner as they keep it: a person, or a name written in."""
        data = super().clean() or {}
        owner = data.pop("owner", None)
        if owner is not None:
            person = self.people.get(owner)
            data["owner_person"] = person
            data["owner_name"] = "" if person is not None else owner
        return data


class EvaluationForm(forms.Form):
    learning_evaluation = forms.CharField(
        label=_("Evaluering af læringen"),
        help_text=_("Hvad har I lært af at gennemføre indsatsen – hvad virkede, og hvad ikke?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    effect_evaluation = forms.CharField(
        label=_("Evaluering af effekten"),
        help_text=_("Har indsatsen løst problemet? Sammenlign med evalueringskriterierne."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evaluated_on = forms.DateField(label=_("Evalueret den"), widget=DATE)
