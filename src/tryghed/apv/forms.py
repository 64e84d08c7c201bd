from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from tryghed.apv.models import (
    Contribution,
    FullySound,
    GoldenRule,
    PreventiveMeasure,
    WorkChangeKind,
)
from tryghed.orgs.forms import unit_option_label
from tryghed.orgs.models import Unit

TEXTAREA = {"rows": 3}


class DateInput(forms.DateInput):
    input_type = "date"


def _free_text(label: StrOrPromise, help_text: StrOrPromise = "", rows: int = 3) -> forms.CharField:
    """An optional answer in the group's own words."""
    return forms.CharField(
        label=label,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        required=False,
    )


class FactorForm(forms.Form):
    extent = _free_text(
        _("Omfang"), _("Hvor mange er udsat, og hvor ofte? Brug screeningen og jeres egen viden.")
    )
    duration = _free_text(
        _("Varighed"), _("Den tidsmæssige udstrækning: i perioder, hele året, i mange år?")
    )
    character = _free_text(
        _("Karakter"), _("Hvordan viser påvirkningen sig, og hvor alvorlig er den?")
    )
    measures = forms.MultipleChoiceField(
        label=_("Forebyggende tiltag, der allerede er på plads (bilag 1)"),
        choices=PreventiveMeasure.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    measures_other = _free_text(_("Andre forebyggende tiltag"))
    combination = _free_text(
        _("Kombination med andre påvirkninger"),
        _("Øger andre påvirkninger i arbejdsmiljøet risikoen sammen med denne?"),
    )
    fully_sound = forms.ChoiceField(
        label=_("Er arbejdet fuldt forsvarligt på kort og lang sigt?"),
        choices=[("", _("Ikke vurderet endnu")), *FullySound.choices],
        widget=forms.RadioSelect,
        required=False,
    )
    actions = _free_text(_("Handlinger, som vurderingen fører til"))
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
    sickness_summary = _free_text(
        _("Samlet vurdering af sygefraværet"),
        _("Bidrager arbejdsmiljøet til sygefraværet, og hvad gør I ved det?"),
        rows=4,
    )
    action_plan_text = _free_text(_("Handleplan ud over enhedernes handleplaner"), rows=4)
    follow_up_guidelines = _free_text(
        _("Retningslinjer for opfølgning"),
        _("Hvem følger op på handleplanen, hvornår og hvordan?"),
        rows=4,
    )


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    # Units whose label warns that their figures will not be shown (set by the form).
    small: frozenset[int] = frozenset()

    def label_from_instance(self, obj: Unit) -> str:
        label = unit_option_label(self, obj)
        if obj.pk in self.small:
            label += " " + str(_("(under 10 medarbejdere: tallet vises ikke)"))
        return label


class _UnitForm(forms.Form):
    """A form with a unit field limited to the units the user may choose."""

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class SicknessAbsenceForm(_UnitForm):
    unit = UnitChoiceField(
        label=_("Enhed"),
        queryset=Unit.objects.none(),
        help_text=_(
            "Tallet gælder enheden med alle dens underenheder. Det vises kun for enheder med "
            "mindst 10 medarbejdere; mindre enheder kan registreres til APV'en, men tallet vises ikke."
        ),
    )

    def __init__(self, *args: Any, units: Any, small: Iterable[int] = (), **kwargs: Any) -> None:
        super().__init__(*args, units=units, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, UnitChoiceField)
        field.small = frozenset(small)

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
    assessment = _free_text(_("Vurdering"))


class WorkChangeForm(_UnitForm):
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


class TeamMemberForm(forms.Form):
    name = forms.CharField(label=_("Navn"), max_length=200)
    function = forms.CharField(label=_("Funktion"), max_length=200, required=False)
    is_manager = forms.BooleanField(label=_("Personen er leder"), required=False)


class IndicatorForm(forms.Form):
    rule = forms.TypedChoiceField(label=_("Gylden regel"), choices=GoldenRule.choices, coerce=int)
    indicator = forms.CharField(label=_("Proaktivt mål"), max_length=300)
    value = forms.CharField(label=_("Værdi"), max_length=100)
    period = forms.CharField(label=_("Periode"), max_length=60, required=False)
