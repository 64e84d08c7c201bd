from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tryghed.apv.models import (
    Contribution,
    FullySound,
    GoldenRule,
    PreventiveMeasure,
    WorkChangeKind,
)
from tryghed.orgs.models import Unit

TEXTAREA = {"rows": 3}


class DateInput(forms.DateInput):
    input_type = "date"


class FactorForm(forms.Form):
    extent = forms.CharField(
        label=_("Omfang"),
        help_text=_("Hvor mange er udsat, og hvor ofte? Brug screeningen og jeres egen viden."),
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
    )
    duration = forms.CharField(
        label=_("Varighed"),
        help_text=_("Den tidsmæssige udstrækning: i perioder, hele året, i mange år?"),
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
    )
    character = forms.CharField(
        label=_("Karakter"),
        help_text=_("Hvordan viser påvirkningen sig, og hvor alvorlig er den?"),
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
    )
    measures = forms.MultipleChoiceField(
        label=_("Forebyggende tiltag, der allerede er på plads (bilag 1)"),
        choices=PreventiveMeasure.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    measures_other = forms.CharField(
        label=_("Andre forebyggende tiltag"),
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
    )
    combination = forms.CharField(
        label=_("Kombination med andre påvirkninger"),
        help_text=_("Øger andre påvirkninger i arbejdsmiljøet risikoen sammen med denne?"),
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
    )
    fully_sound = forms.ChoiceField(
        label=_("Er arbejdet fuldt forsvarligt på kort og lang sigt?"),
        choices=[("", _("Ikke vurderet endnu")), *FullySound.choices],
        widget=forms.RadioSelect,
        required=False,
    )
    actions = forms.CharField(
        label=_("Handlinger, som vurderingen fører til"),
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
    )
    action_plan = forms.TypedChoiceField(
        label=_("Handleplan"),
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, *args: Any, plans: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action_plan"].choices = [("", _("Ingen handleplan valgt")), *plans]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        without_actions = not (data.get("actions") or "").strip() and not data.get("action_plan")
        if data.get("fully_sound") == FullySound.NO and without_actions:
            self.add_error(
                "actions",
                _("Når arbejdet ikke er fuldt forsvarligt, skal I skrive, hvad der skal ske."),
            )
        return data


class DocumentForm(forms.Form):
    adopted_on = forms.DateField(
        label=_("APV'en er vedtaget den"),
        help_text=_("Næste revision er senest tre år efter."),
        widget=DateInput,
        required=False,
    )
    sickness_summary = forms.CharField(
        label=_("Samlet vurdering af sygefraværet"),
        help_text=_("Bidrager arbejdsmiljøet til sygefraværet, og hvad gør I ved det?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    action_plan_text = forms.CharField(
        label=_("Handleplan ud over enhedernes handleplaner"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    follow_up_guidelines = forms.CharField(
        label=_("Retningslinjer for opfølgning"),
        help_text=_("Hvem følger op på handleplanen, hvornår og hvordan?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return ("– " * obj.depth) + obj.name


class SicknessAbsenceForm(forms.Form):
    unit = UnitChoiceField(label=_("Enhed"), queryset=Unit.objects.none())
    period_start = forms.DateField(label=_("Periode fra"), widget=DateInput)
    period_end = forms.DateField(label=_("Periode til"), widget=DateInput)
    absence_percent = forms.DecimalField(
        label=_("Sygefravær i procent"), min_value=0, max_value=100, decimal_places=2
    )
    absence_days = forms.DecimalField(
        label=_("Sygefraværsdage pr. medarbejder"), min_value=0, decimal_places=1, required=False
    )
    contributes = forms.ChoiceField(
        label=_("Bidrager arbejdsmiljøet til sygefraværet?"), choices=Contribution.choices
    )
    assessment = forms.CharField(
        label=_("Vurdering"), widget=forms.Textarea(attrs=TEXTAREA), required=False
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class WorkChangeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Slags ændring"), choices=WorkChangeKind.choices)
    unit = UnitChoiceField(
        label=_("Enhed"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Hele organisationen"),
    )
    changed_on = forms.DateField(label=_("Dato for ændringen"), widget=DateInput)
    description = forms.CharField(
        label=_("Beskrivelse"), widget=forms.Textarea(attrs=TEXTAREA), max_length=2000
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class TeamMemberForm(forms.Form):
    name = forms.CharField(label=_("Navn"), max_length=200)
    function = forms.CharField(label=_("Funktion"), max_length=200, required=False)
    is_manager = forms.BooleanField(label=_("Personen er leder"), required=False)


class IndicatorForm(forms.Form):
    rule = forms.TypedChoiceField(label=_("Gylden regel"), choices=GoldenRule.choices, coerce=int)
    indicator = forms.CharField(label=_("Proaktivt mål"), max_length=300)
    value = forms.CharField(label=_("Værdi"), max_length=100)
    period = forms.CharField(label=_("Periode"), max_length=60, required=False)
