from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tryghed.core import waves
from tryghed.core.instruments import Instrument, load_builtin, load_templates
from tryghed.core.suppression import FLOOR_MINIMUM
from tryghed.orgs.forms import UnitChoiceField, UnitTreeField
from tryghed.orgs.models import Organisation
from tryghed.orgs.selectors import OrgAccess, visible_units
from tryghed.surveys.models import Measurement
from tryghed.surveys.selectors import (
    measurement_instruments,
    offered_own_instruments,
    own_instrument_parsed,
)


class DateInput(forms.DateInput):
    """A native date picker; its value must be ISO 8601 whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def instrument_label(instrument: Instrument, lang: str) -> str:
    """The instrument's name, marked as a screening when the project wrote it, once: most
    such names already say "(screening)" themselves."""
    name = instrument.name.get(lang)
    screening = str(_("screening"))
    if instrument.authored_by != "project" or screening.lower() in name.lower():
        return name
    return f"{name} ({screening})"


def offered_instruments(organisation: Organisation) -> dict[str, Instrument]:
    """What a new measurement of the organisation may use: the built-in instruments and
    the organisation's own that are not archived. Another organisation's are never here."""
    own = {
        instrument_id: own_instrument_parsed(row)
        for instrument_id, row in offered_own_instruments(organisation).items()
    }
    return {**load_builtin(), **own}


class MeasurementForm(forms.Form):
    name = forms.CharField(
        label=_("Navn"), max_length=200, help_text=_("Fx «Trivselsmåling efterår 2026».")
    )
    template = forms.ChoiceField(label=_("Skabelon"), required=False, widget=forms.RadioSelect)
    instruments = forms.MultipleChoiceField(
        label=_("Spørgeskemaer"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Bruges, når du ikke vælger en skabelon."),
    )
    opens_on = forms.DateField(label=_("Åbner"), widget=DateInput)
    closes_on = forms.DateField(label=_("Lukker"), widget=DateInput)
    languages = forms.MultipleChoiceField(
        label=_("Sprog"),
        choices=[("da", _("Dansk")), ("en", _("Engelsk"))],
        widget=forms.CheckboxSelectMultiple,
        initial=["da", "en"],
    )
    min_group_score = forms.IntegerField(label=_("Mindste antal svar for at vise et resultat"))
    min_group_comment = forms.IntegerField(label=_("Mindste antal svar for at vise kommentarer"))
    min_group_sensitive = forms.IntegerField(
        label=_("Mindste antal svar for følsomme spørgsmål (krænkelser, vold)")
    )

    def __init__(self, *args: Any, access: OrgAccess, **kwargs: Any) -> None:
        org = access.organisation
        today = timezone.localdate()
        kwargs.setdefault("initial", {}).update(
            {
                "opens_on": today,
                "closes_on": today + dt.timedelta(days=14),
                "min_group_score": org.min_group_score,
                "min_group_comment": org.min_group_comment,
                "min_group_sensitive": org.min_group_sensitive,
                "languages": ["da", "en"],
            }
        )
        super().__init__(*args, **kwargs)
        lang = get_language() or "da"
        builtin = load_builtin()
        cast(forms.ChoiceField, self.fields["template"]).choices = [
            ("", _("Intet – jeg vælger selv spørgeskemaer"))
        ] + [
            (
                t.id,
                f"{t.name.get(lang)}: "
                + ", ".join(builtin[i].name.get(lang) for i in t.instruments),
            )
            for t in load_templates()
        ]
        own = offered_own_instruments(org)
        cast(forms.ChoiceField, self.fields["instruments"]).choices = [
            (i.id, instrument_label(i, lang)) for i in builtin.values()
        ] + [
            (
                instrument_id,
                _("%(name)s (jeres eget, version %(version)s)")
                % {"name": own_instrument_parsed(row).name.get(lang), "version": row.version},
            )
            for instrument_id, row in own.items()
        ]
        self.fields["units"] = UnitTreeField(
            label=_("Enheder"),
            queryset=visible_units(access).filter(is_active=True).order_by("path"),
            help_text=_("En valgt enhed kommer med alle sine underenheder."),
        )
        self.fields["previous"] = forms.ModelChoiceField(
            label=_("Sammenlign med tidligere måling"),
            required=False,
            queryset=Measurement.objects.filter(organisation=org).exclude(status="draft"),
            help_text=_(
                "Ændringer vises kun for de samme spørgeskemaer i samme version: ikke mellem to "
                "varianter af et spørgeskema (fx de to udgaver af psykologisk tryghed)."
            ),
        )
        # Shown (as a checkbox) only when the comparison cannot show a change.
        self.fields["accept_no_change"] = forms.BooleanField(
            label=_("Opret målingen alligevel: jeg ved, at den ikke kan vise en ændring her"),
            required=False,
            widget=forms.HiddenInput,
        )
        for kind in ("score", "comment", "sensitive"):
            # An organisation may raise the minimums, never go below its own or the floor.
            floor = max(FLOOR_MINIMUM[kind], getattr(org, f"min_group_{kind}"))
            label = self.fields[f"min_group_{kind}"].label
            self.fields[f"min_group_{kind}"] = forms.IntegerField(
                label=label, min_value=floor, max_value=50
            )
        self.order_fields(
            [
                "name",
                "template",
                "instruments",
                "units",
                "opens_on",
                "closes_on",
                "languages",
                "previous",
                "accept_no_change",
            ]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("template") and not data.get("instruments"):
            self.add_error("instruments", _("Vælg en skabelon eller mindst ét spørgeskema."))
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("Målingen skal lukke efter, den åbner."))
        if closes and closes < timezone.localdate():
            self.add_error("closes_on", _("Lukkedatoen ligger i fortiden."))
        previous = data.get("previous")
        if previous is not None and (data.get("template") or data.get("instruments")):
            self._warn_about_the_comparison(previous)
        return data

    def _warn_about_the_comparison(self, previous: Measurement) -> None:
        """A follow-up that cannot show a change (ps7-hem against a baseline with ps7) is
        made only when the user says so, after being told why."""
        warnings = comparison_warnings(previous, self.instrument_ids(), get_language() or "da")
        field = self.fields["accept_no_change"]
        if not warnings:
            return
        field.widget = forms.CheckboxInput()
        if not self.cleaned_data.get("accept_no_change"):
            for warning in warnings:
                self.add_error("accept_no_change", warning)

    def instrument_ids(self) -> list[str]:
        template = self.cleaned_data.get("template")
        if template:
            return list(next(t for t in load_templates() if t.id == template).instruments)
        return list(self.cleaned_data["instruments"])


def follow_up_initial(access: OrgAccess, params: Mapping[str, str]) -> dict[str, Any]:
    """The form filled in for a re-measurement asked for from an action plan
    (``?tidligere=<measurement>&enhed=<unit>``): compared with the plan's measurement, of
    the plan's unit, with that measurement's instruments, so that it can show the change.
    Anything the user may not see is left out."""
    try:
        previous_id = int(params.get("tidligere", ""))
    except ValueError:
        return {}
    previous = (
        Measurement.objects.filter(organisation=access.organisation, pk=previous_id)
        .exclude(status="draft")
        .first()
    )
    if previous is None:
        return {}
    offered = offered_instruments(access.organisation)
    initial: dict[str, Any] = {
        "previous": previous.pk,
        "instruments": [
            i.instrument_id for i in previous.instruments.all() if i.instrument_id in offered
        ],
        "name": _("Genmåling efter «%(name)s»") % {"name": previous.name},
    }
    try:
        unit_id = int(params.get("enhed", ""))
    except ValueError:
        return initial
    if visible_units(access).filter(pk=unit_id, is_active=True).exists():
        initial["units"] = [unit_id]
    return initial


def comparison_warnings(
    previous: Measurement, instrument_ids: Sequence[str], lang: str
) -> list[str]:
    """Why a measurement of these instruments, compared with ``previous``, will show no
    change on some (or any) of them; empty when nothing is lost."""
    offered = offered_instruments(previous.organisation)
    later = [offered[i] for i in instrument_ids if i in offered]
    earlier = measurement_instruments(previous)
    texts: list[str] = []
    for trap in waves.traps(earlier, later):
        names = {
            "later": trap.later.name.get(lang),
            "earlier": trap.earlier.name.get(lang),
            "previous": previous.name,
        }
        if trap.kind == "variant":
            texts.append(
                _(
                    "«%(later)s» kan ikke sammenlignes med «%(earlier)s», som «%(previous)s» "
                    "brugte: det er en anden variant af spørgeskemaet, med andre formuleringer "
                    "eller point. Målingen kan derfor aldrig vise en ændring her. Vælg det "
                    "samme spørgeskema som sidst for at kunne følge udviklingen."
                )
                % names
            )
        else:
            texts.append(
                _(
                    "«%(later)s» er en anden version end den, «%(previous)s» brugte, og kan "
                    "ikke sammenlignes med den. Målingen kan derfor ikke vise en ændring her."
                )
                % names
            )
    if not texts and later and not waves.shared(earlier, later):
        texts.append(
            _(
                "Ingen af de valgte spørgeskemaer var med i «%(previous)s», så målingen kan ikke "
                "vise nogen ændring."
            )
            % {"previous": previous.name}
        )
    return texts


class PaperCodeForm(forms.Form):
    """Which unit, and how many codes (the service enforces the cap)."""

    count = forms.IntegerField(label=_("Antal koder"), min_value=1, max_value=1000)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitChoiceField(label=_("Enhed"), queryset=units)
        self.order_fields(["unit", "count"])
