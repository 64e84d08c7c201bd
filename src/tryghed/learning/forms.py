"""The learning log's forms. None asks whose fault it was: the questions are about the
situation and what to learn from it (seed 000)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from tryghed.actions.models import ActionPlan, FocusArea
from tryghed.learning.kinds import KINDS
from tryghed.learning.models import (
    MAX_RETENTION_MONTHS,
    MIN_RETENTION_MONTHS,
    TEXT_MAX_LENGTH,
)

NAMED = "named"
ANONYMOUS = "anonymous"


def kind_choices(*, with_unsorted: bool) -> list[tuple[str, Any]]:
    """The three kinds, each with the seed's heading and the fitting response."""
    choices: list[tuple[str, Any]] = [
        (
            k.kind.value,
            format_html(
                "<strong>{}</strong><span class='choice-help'>{}. {}: {}.</span>",
                k.kind.label,
                k.situation,
                _("Det kalder på"),
                k.response,
            ),
        )
        for k in KINDS
    ]
    if with_unsorted:
        choices.append(("", _("Ved ikke endnu – vi sorterer den sammen på mødet")))
    return choices


class EntryForm(forms.Form):
    what_happened = forms.CharField(
        label=_("Hvad gik ikke, som I havde håbet på?"),
        help_text=_("Fortæl om situationen og forløbet. Skriv om det, der skete, ikke om hvem."),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    kind = forms.ChoiceField(
        label=_("Hvilken type situation var det?"),
        required=False,
        widget=forms.RadioSelect,
    )
    lesson = forms.CharField(
        label=_("Hvad kan vi lære af det til næste gang?"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    # The retention period the page quoted when it was opened (learning.views.write): a
    # raise since then is shown to the writer before the entry is written.
    quoted_months = forms.IntegerField(required=False, widget=forms.HiddenInput)
    show_name = forms.ChoiceField(
        label=_("Skal dit navn stå ved?"),
        choices=[
            (ANONYMOUS, _("Nej, anonymt – dit navn gemmes ikke nogen steder")),
            (NAMED, _("Ja, vis mit navn")),
        ],
        initial=ANONYMOUS,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = kind_choices(with_unsorted=True)


class SortForm(forms.Form):
    kind = forms.ChoiceField(label=_("Hvilken type situation var det?"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = kind_choices(with_unsorted=False)


NEW_PLAN = "ny-"
EXISTING_PLAN = "plan-"


class ActionForm(forms.Form):
    """One POST: an action in one of the unit's plans, or in a new plan under a focus area."""

    target = forms.ChoiceField(label=_("Hvor skal handlingen stå?"), widget=forms.RadioSelect)
    what = forms.CharField(
        label=_("Handlingen"),
        help_text=_(
            "Handleplanen kan læses af flere end teamet. Skriv handlingen, så den ikke peger "
            "på en bestemt person."
        ),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    owner_name = forms.CharField(label=_("Ansvarlig"), max_length=200)
    deadline = forms.DateField(
        label=_("Frist"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(
        self, *args: Any, plans: list[ActionPlan], focus_areas: list[FocusArea], **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", "handling")
        super().__init__(*args, **kwargs)
        self.plans = {f"{EXISTING_PLAN}{p.pk}": p for p in plans}
        self.focus_areas = {f"{NEW_PLAN}{f.pk}": f for f in focus_areas}
        choices: list[tuple[str, SafeString | str]] = [
            (key, format_html("{} <span class='choice-help'>{}</span>", _("Handleplanen"), p))
            for key, p in self.plans.items()
        ]
        choices += [
            (
                key,
                format_html(
                    "{} <span class='choice-help'>{}</span>",
                    _("En ny handleplan under fokusområdet"),
                    f.title,
                ),
            )
            for key, f in self.focus_areas.items()
        ]
        field = self.fields["target"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        if choices and not self.is_bound:
            self.initial.setdefault("target", choices[0][0])

    @property
    def has_targets(self) -> bool:
        return bool(self.plans or self.focus_areas)

    def target_plan(self) -> ActionPlan | None:
        return self.plans.get(self.cleaned_data["target"])

    def target_focus(self) -> FocusArea | None:
        return self.focus_areas.get(self.cleaned_data["target"])


class LogSettingsForm(forms.Form):
    """The administrator's settings for the learning log: how long entries are kept."""

    retention_months = forms.IntegerField(
        label=_("Måneder en situation gemmes"),
        min_value=MIN_RETENTION_MONTHS,
        max_value=MAX_RETENTION_MONTHS,
        help_text=_(
            "Derefter slettes situationen automatisk. Sætter I tiden op, gælder den kun for "
            "situationer, der skrives fra i morgen: de øvrige er skrevet med løfte om den "
            "kortere tid. Sætter I den ned, gælder den med det samme for dem alle. Handlinger, "
            "der er lavet ud fra en situation, bliver stående i handleplanen. 36 måneder "
            "svarer til APV'ens cyklus."
        ),
    )
