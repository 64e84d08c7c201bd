from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tryghed.orgs.models import Organisation, Unit
from tryghed.voice.models import QUICK_ACKNOWLEDGEMENTS, TEXT_MAX_LENGTH, Kind, Receiver
from tryghed.voice.selectors import reporter_units


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class RaiseForm(forms.Form):
    """What the reporter fills in on the phone: where, to whom, what kind, and the text."""

    unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("Hvilken enhed handler det om?"),
        empty_label=_("Ingen bestemt enhed"),
    )
    receiver = forms.ChoiceField(
        label=_("Hvem skal modtage det?"),
        choices=[
            (Receiver.LEADER, _("Lederen af enheden")),
            (Receiver.AMO, _("AMO/HR. Vælg dette, hvis det handler om din leder.")),
        ],
        widget=forms.RadioSelect,
        initial=Receiver.LEADER,
    )
    kind = forms.ChoiceField(
        label=_("Hvad drejer det sig om?"), choices=Kind.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Skriv kort, hvad der skete, eller hvad du foreslår"),
        help_text=_("Skriv ikke navne eller andet, der kan pege på dig eller andre."),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    # Set once the reporter has seen the warning about identifying details and sends anyway.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, UnitChoiceField)
        unit_field.queryset = reporter_units(organisation)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("receiver") == Receiver.LEADER and not data.get("unit"):
            self.add_error("unit", _("Vælg den enhed, hvis leder skal modtage det."))
        return data


class AcknowledgeForm(forms.Form):
    which = forms.ChoiceField(
        label=_("Hurtig kvittering"),
        choices=list(QUICK_ACKNOWLEDGEMENTS.items()),
        widget=forms.RadioSelect,
    )


class TextForm(forms.Form):
    text = forms.CharField(
        label=_("Tekst"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )
