"""The facilitator's forms: start a session, end it with what the team agreed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tryghed.dialogue.models import FOCUS_POINTS_MAX, MINIMUM_FLOOR, NOTE_MAX_LENGTH
from tryghed.orgs.models import Organisation, Unit


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return "\u2003" * max(obj.depth - 1, 0) + obj.name


class StartForm(forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("Hvilket team holder mødet?"))
    minimum = forms.IntegerField(
        label=_("Mindste antal svar, før en fordeling kan vises"),
        min_value=MINIMUM_FLOOR,
        max_value=50,
    )

    def __init__(
        self, *args: Any, units: QuerySet[Unit], organisation: Organisation, **kwargs: Any
    ) -> None:
        floor = max(MINIMUM_FLOOR, organisation.min_group_score)
        kwargs.setdefault("initial", {"minimum": floor})
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = units
        minimum = self.fields["minimum"]
        assert isinstance(minimum, forms.IntegerField)
        minimum.min_value = floor
        minimum.validators = [v for v in minimum.validators if not isinstance(v, MinValueValidator)]
        minimum.validators.append(MinValueValidator(floor))
        minimum.widget.attrs["min"] = str(floor)
        minimum.help_text = _(
            "Ingen kan se fordelingen, før mindst så mange har svaret. Aldrig under "
            "%(floor)s, organisationens mindste antal."
        ) % {"floor": floor}


class EndForm(forms.Form):
    notes = forms.CharField(
        label=_("Noter fra mødet"),
        help_text=_("Én note pr. linje. Skriv ikke, hvem der sagde hvad."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=NOTE_MAX_LENGTH * 6,
    )
    keep_distribution = forms.BooleanField(
        label=_("Gem fordelingen"),
        help_text=_(
            "Fordelingerne, der blev vist på skærmen, gemmes med noterne. Ellers slettes de. "
            "De enkelte svar slettes altid, og ordene fra «Bordet rundt» gemmes aldrig."
        ),
        required=False,
    )

    def __init__(self, *args: Any, figures: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, FOCUS_POINTS_MAX + 1):
            self.fields[f"focus_{n}"] = forms.CharField(
                label=_("Fokuspunkt %(n)s") % {"n": n},
                required=False,
                max_length=NOTE_MAX_LENGTH,
            )
            if figures:
                self.fields[f"figure_{n}"] = forms.ChoiceField(
                    label=_("Gør fokuspunkt %(n)s til et fokusområde ud fra") % {"n": n},
                    choices=[("", _("Nej, kun en note")), *figures],
                    required=False,
                )

    def focus_rows(self) -> list[tuple[forms.BoundField, forms.BoundField | None]]:
        return [
            (self[f"focus_{n}"], self[f"figure_{n}"] if f"figure_{n}" in self.fields else None)
            for n in range(1, FOCUS_POINTS_MAX + 1)
        ]
