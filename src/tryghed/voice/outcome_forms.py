"""The receiver's forms for "Det blev til en handling": pre-filled, so one click will do."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tryghed.actions.models import ActionPlan
from tryghed.orgs.selectors import OrgAccess
from tryghed.voice import outcomes
from tryghed.voice.models import Case, add_months
from tryghed.voice.services import local_today


class PlanChoiceField(forms.ModelChoiceField[ActionPlan]):
    def label_from_instance(self, obj: ActionPlan) -> str:
        return obj.focus_area.title


class ActionOutcomeForm(forms.Form):
    plan = PlanChoiceField(
        queryset=ActionPlan.objects.none(), label=_("Handleplan"), empty_label=None
    )
    what = forms.CharField(
        label=_("Handlingen, som enheden kan læse den"),
        help_text=_(
            "Handleplanen kan læses af enheden. Skriv handlingen, så den ikke peger på den, der skrev."
        ),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    owner_name = forms.CharField(label=_("Ansvarlig"), max_length=200)
    deadline = forms.DateField(
        label=_("Frist"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    prefix = "handling"

    def __init__(self, *args: Any, plans: list[ActionPlan], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["plan"]
        assert isinstance(field, PlanChoiceField)
        field.queryset = ActionPlan.objects.filter(pk__in=[p.pk for p in plans]).select_related(
            "focus_area"
        )


class FocusOutcomeForm(forms.Form):
    figure = forms.ChoiceField(label=_("Det tal i enhedens resultater, det hænger sammen med"))
    title = forms.CharField(
        label=_("Fokusområdet, som enheden kan læse det"),
        help_text=_(
            "Fokusområdet kan læses af enheden. Skriv det, så det ikke peger på den, der skrev."
        ),
        max_length=300,
    )

    prefix = "fokus"

    def __init__(self, *args: Any, figures: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["figure"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = figures


def outcome_forms(
    access: OrgAccess, case: Case, data: Any = None
) -> tuple[ActionOutcomeForm | None, FocusOutcomeForm | None, dict[str, Any]]:
    """The two forms, pre-filled, or None where the unit has no plan or no figures."""
    today = local_today()
    plans = outcomes.unit_plans(access, case)
    measurement, figures = outcomes.unit_figures(access, case, get_language() or "da")
    title = outcomes.suggested_title(case)
    action_form = (
        ActionOutcomeForm(
            data,
            plans=plans,
            initial={
                "plan": plans[0].pk,
                "what": title,
                "owner_name": access.user.get_full_name(),
                "deadline": max(case.answer_by, add_months(today, 1)),
            },
        )
        if plans
        else None
    )
    focus_form = (
        FocusOutcomeForm(
            data,
            figures=[(f.key, f"{f.instrument_name}: {f.label}") for f in figures],
            initial={"title": title, "figure": figures[0].key},
        )
        if figures
        else None
    )
    return action_form, focus_form, {"measurement": measurement, "figures": figures}
