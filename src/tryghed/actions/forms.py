from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tryghed.actions.models import (
    ActionStatus,
    Ease,
    HasSolution,
    Level,
    PlanStatus,
    Prevention,
)
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


class ActionForm(forms.Form):
    what = forms.CharField(label=_("Handling"), widget=forms.Textarea(attrs={"rows": 2}))
    owner_person = forms.ModelChoiceField(
        label=_("Ansvarlig medarbejder"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("(ingen valgt)"),
    )
    owner_name = forms.CharField(
        label=_("eller ansvarlig (navn)"),
        required=False,
        max_length=200,
        help_text=_("Fx en leder, en arbejdsmiljørepræsentant eller en ekstern konsulent."),
    )
    deadline = forms.DateField(label=_("Frist"), widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner_person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Person.objects.filter(
            organisation_id=unit.organisation_id,
            unit__path__startswith=unit.path,
            is_active=True,
        ).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("owner_person") and not (data.get("owner_name") or "").strip():
            raise forms.ValidationError(
                _("Angiv, hvem der er ansvarlig: vælg en medarbejder eller skriv et navn.")
            )
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
