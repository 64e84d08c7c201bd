"""The receiver turns a case into an action or a focus area; the channel's figures.

Thin: parse, call one service or selector, render. The case page carries the same forms
pre-filled (templatetags/voice_outcome.py), so one click does it, without JavaScript.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tryghed.actions import selectors as action_selectors
from tryghed.orgs.selectors import Capability, OrgAccess
from tryghed.orgs.views import form_errors, org_view, render_org
from tryghed.voice import outcomes, selectors, statistics
from tryghed.voice.outcome_forms import outcome_forms
from tryghed.voice.services import local_today


@org_view(Capability.HANDLE_VOICE)
@require_http_methods(["GET", "POST"])
def case_outcome(request: HttpRequest, access: OrgAccess, case_id: uuid.UUID) -> HttpResponse:
    """ "Det blev til en handling": an action in a plan of the unit, or a focus area."""
    case = selectors.get_case(access, case_id)
    if not action_selectors.can_manage_plans(access):
        raise PermissionDenied
    back = redirect("voice:case_detail", org=access.organisation.slug, case_id=case.pk)
    if outcomes.has_outcome(case):
        return back
    which = request.POST.get("which", "") if request.method == "POST" else ""
    action_form, focus_form, found = outcome_forms(
        access, case, request.POST if request.method == "POST" else None
    )
    try:
        if which == "action" and action_form is not None and action_form.is_valid():
            data = action_form.cleaned_data
            outcomes.case_to_action(
                case=case,
                actor=access.user,
                plan=data["plan"],
                what=data["what"],
                deadline=data["deadline"],
                owner_name=data["owner_name"],
                today=local_today(),
            )
            messages.success(request, _("Sagen er blevet til en handling i handleplanen."))
            return back
        if which == "focus" and focus_form is not None and focus_form.is_valid():
            by_key = {f.key: f for f in found["figures"]}
            outcomes.case_to_focus_area(
                case=case,
                actor=access.user,
                measurement=found["measurement"],
                figure=by_key[focus_form.cleaned_data["figure"]],
                title=focus_form.cleaned_data["title"],
                today=local_today(),
            )
            messages.success(request, _("Sagen er blevet til et fokusområde."))
            return back
    except ValidationError as error:
        sent = action_form if which == "action" else focus_form
        if sent is not None:
            form_errors(sent, error)
    # Only the form that was sent shows its errors; the other is shown fresh.
    if which != "action" and action_form is not None:
        action_form = outcome_forms(access, case)[0]
    if which != "focus" and focus_form is not None:
        focus_form = outcome_forms(access, case)[1]
    response = render_org(
        request,
        access,
        "voice/outcome.html",
        "voice",
        {"case": case, "action_form": action_form, "focus_form": focus_form},
    )
    response.status_code = 400 if request.method == "POST" else 200
    return response


@org_view()
def figures(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    """The channel's figures per unit and for the organisation: the AMO and administrators."""
    if not access.sees_whole_organisation:
        raise PermissionDenied
    return render_org(
        request,
        access,
        "voice/statistics.html",
        "voice",
        {
            "periods": statistics.voice_statistics(access),
            "minimum": access.organisation.min_group_score,
        },
    )
