"""Organisation pages: overview, unit tree, people, roles, import. Thin: parse, call, render."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tryghed.audit.models import AuditEvent
from tryghed.orgs import importing, selectors, services
from tryghed.orgs.forms import (
    ImportUploadForm,
    MembershipForm,
    OrganisationSettingsForm,
    PeopleSearchForm,
    PersonForm,
    UnitCreateForm,
    UnitForm,
    UnitMoveForm,
)
from tryghed.orgs.models import ImportBatch, Unit
from tryghed.orgs.selectors import Capability, OrgAccess
from tryghed.surveys import selectors as survey_selectors
from tryghed.web.next_steps import next_steps

P = ParamSpec("P")
OrgView = Callable[Concatenate[HttpRequest, OrgAccess, P], HttpResponse]


def org_view(
    capability: Capability | str | None = None,
) -> Callable[[OrgView[P]], Callable[Concatenate[HttpRequest, str, P], HttpResponse]]:
    """Resolve the organisation in the URL for the signed-in user.

    An outsider gets a 404 (the organisation's existence is not confirmed); a member
    without the capability gets a 403. An unknown capability raises ValueError here, when
    the view is defined, so a typo can never leave a page open.
    """
    wanted = Capability(capability) if capability is not None else None

    def decorator(view: OrgView[P]) -> Callable[Concatenate[HttpRequest, str, P], HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(
            request: HttpRequest, org: str, *args: P.args, **kwargs: P.kwargs
        ) -> HttpResponse:
            access = selectors.access_for(user=request.user, slug=org)
            if wanted is not None and not access.can(wanted):
                raise PermissionDenied
            return view(request, access, *args, **kwargs)

        wrapper.capability = wanted  # type: ignore[attr-defined]  # read by the matrix test
        return wrapper  # type: ignore[return-value]

    return decorator


def render_org(
    request: HttpRequest, access: OrgAccess, template: str, section: str, context: dict[str, Any]
) -> HttpResponse:
    return render(request, template, {"access": access, "nav_section": section, **context})


def form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def save_form[T](
    request: HttpRequest, form: Any, save: Callable[[dict[str, Any]], T], message: str
) -> T | None:
    """On a POST with a valid form, call the service with the cleaned data and confirm with
    `message`; return what the service returned. None on a GET, on an invalid form, or when
    the service refuses with a ValidationError (its messages are then on the form)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = save(dict(form.cleaned_data))
    except ValidationError as error:
        form_errors(form, error)
        return None
    messages.success(request, message)
    return result


# A receiver's step on a Sig det case says that a case exists and when it was handled.
# Administrators learn of cases only by count and settled half-year, and one who led the
# case's unit when it was raised is never to learn of it (docs/voice.md, "Frozen when
# raised"): the steps stay in the audit log, off the dashboard (red team).
NOT_ON_THE_DASHBOARD = (
    "voice.acknowledge",
    "voice.reply",
    "voice.note",
    "voice.hide",
    "voice.outcome",
)


@org_view()
def dashboard(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    counts = selectors.organisation_counts(access) if access.can_view_structure else {}
    recent = (
        AuditEvent.objects.filter(organisation=access.organisation).exclude(
            action__in=NOT_ON_THE_DASHBOARD
        )[:8]
        if access.can_manage_structure
        else []
    )
    return render_org(
        request,
        access,
        "orgs/dashboard.html",
        "dashboard",
        {
            "counts": counts,
            "recent": recent,
            "my_roles": [m for m in access.memberships],
            "next_steps": next_steps(access, get_language() or "da", timezone.localdate()),
            "open_surveys": survey_selectors.open_for_own_units(access),
        },
    )


@dataclass
class TreeNode:
    unit: Unit
    people: int
    children: list[TreeNode] = field(default_factory=list)


def _build_tree(rows: list[tuple[Unit, int]]) -> list[TreeNode]:
    nodes = {unit.pk: TreeNode(unit, people) for unit, people in rows}
    roots: list[TreeNode] = []
    for node in nodes.values():
        parent = nodes.get(node.unit.parent_id) if node.unit.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


@org_view("view_structure")
def unit_tree(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    show_closed = request.GET.get("lukkede") == "1"
    rows = selectors.unit_tree(access, include_inactive=show_closed)
    return render_org(
        request,
        access,
        "orgs/unit_tree.html",
        "units",
        {
            "roots": _build_tree(rows),
            "unit_count": len(rows),
            "people_count": sum(p for _u, p in rows),
            "show_closed": show_closed,
        },
    )


@org_view("view_structure")
def unit_detail(request: HttpRequest, access: OrgAccess, unit_id: int) -> HttpResponse:
    unit = selectors.get_unit(access, unit_id)
    history = (
        AuditEvent.objects.filter(
            organisation=access.organisation, object_type="Unit", object_id=str(unit.pk)
        )[:20]
        if access.can_manage_structure
        else []
    )
    people = selectors.search_people(access, unit=unit)
    return render_org(
        request,
        access,
        "orgs/unit_detail.html",
        "units",
        {
            "unit": unit,
            "ancestors": [
                a
                for a in selectors.unit_ancestors(unit)
                if selectors.visible_units(access).filter(pk=a.pk).exists()
            ],
            "children": selectors.visible_units(access).filter(parent=unit).order_by("name"),
            "direct_people": people.filter(unit=unit)[:100],
            "direct_people_count": people.filter(unit=unit).count(),
            "subtree_people_count": people.count(),
            "history": history,
        },
    )


@org_view("manage_structure")
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    initial = {}
    parent_id = request.GET.get("parent")
    if parent_id and parent_id.isdigit():
        initial["parent"] = selectors.get_unit(access, int(parent_id))
    form = UnitCreateForm(request.POST or None, access=access, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(
                organisation=access.organisation,
                actor=access.user,
                parent=form.cleaned_data["parent"],
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                external_id=form.cleaned_data["external_id"] or f"u-{secrets.token_hex(4)}",
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Enheden %(name)s er oprettet.") % {"name": unit.name})
            return redirect("orgs:unit_detail", org=access.organisation.slug, unit_id=unit.pk)
    return render_org(
        request,
        access,
        "orgs/unit_form.html",
        "units",
        {
            "form": form,
            "title": _("Ny enhed"),
        },
    )


@org_view("manage_structure")
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, access: OrgAccess, unit_id: int) -> HttpResponse:
    unit = selectors.get_unit(access, unit_id)
    form = UnitForm(
        request.POST or None,
        initial={
            "name": unit.name,
            "kind": unit.kind,
            "external_id": unit.external_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(
                unit=unit,
                actor=access.user,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                external_id=form.cleaned_data["external_id"] or unit.external_id,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Ændringerne er gemt."))
            return redirect("orgs:unit_detail", org=access.organisation.slug, unit_id=unit.pk)
    return render_org(
        request,
        access,
        "orgs/unit_form.html",
        "units",
        {
            "form": form,
            "unit": unit,
            "title": _("Redigér %(name)s") % {"name": unit.name},
        },
    )


@org_view("manage_structure")
@require_http_methods(["GET", "POST"])
def unit_move(request: HttpRequest, access: OrgAccess, unit_id: int) -> HttpResponse:
    unit = selectors.get_unit(access, unit_id)
    if unit.parent_id is None:
        messages.error(request, _("Organisationens øverste enhed kan ikke flyttes."))
        return redirect("orgs:unit_detail", org=access.organisation.slug, unit_id=unit.pk)
    form = UnitMoveForm(
        request.POST or None, access=access, unit=unit, initial={"new_parent": unit.parent_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_move(
                unit=unit,
                actor=access.user,
                new_parent=form.cleaned_data["new_parent"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("%(name)s er flyttet.") % {"name": unit.name})
            return redirect("orgs:unit_detail", org=access.organisation.slug, unit_id=unit.pk)
    return render_org(
        request,
        access,
        "orgs/unit_form.html",
        "units",
        {
            "form": form,
            "unit": unit,
            "title": _("Flyt %(name)s") % {"name": unit.name},
        },
    )


@org_view("manage_structure")
@require_POST
def unit_set_active(request: HttpRequest, access: OrgAccess, unit_id: int) -> HttpResponse:
    unit = selectors.get_unit(access, unit_id)
    active = request.POST.get("active") == "1"
    try:
        services.unit_set_active(
            unit=unit,
            actor=access.user,
            active=active,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Enheden er genåbnet.") if active else _("Enheden er lukket."))
    return redirect("orgs:unit_detail", org=access.organisation.slug, unit_id=unit.pk)


@org_view("view_structure")
def people(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    form = PeopleSearchForm(request.GET or None, access=access)
    query, unit = "", None
    if form.is_valid():
        query = form.cleaned_data["q"] or ""
        unit = form.cleaned_data["unit"]
    page = Paginator(selectors.search_people(access, query=query, unit=unit), 50).get_page(
        request.GET.get("side")
    )
    params = request.GET.copy()
    params.pop("side", None)
    return render_org(
        request,
        access,
        "orgs/people.html",
        "people",
        {
            "form": form,
            "page": page,
            "query_string": params.urlencode(),
        },
    )


@org_view("manage_structure")
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, access: OrgAccess, person_id: int) -> HttpResponse:
    person = selectors.get_person(access, person_id)
    form = PersonForm(
        request.POST or None,
        access=access,
        initial={
            "name": person.name,
            "email": person.email,
            "unit": person.unit,
            "job_group": person.job_group,
            "seniority_band": person.seniority_band,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                person=person,
                actor=access.user,
                **form.cleaned_data,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Ændringerne er gemt."))
            return redirect("orgs:people", org=access.organisation.slug)
    return render_org(
        request,
        access,
        "orgs/person_form.html",
        "people",
        {
            "form": form,
            "person": person,
        },
    )


@org_view("manage_structure")
@require_http_methods(["GET", "POST"])
def roles(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    form = MembershipForm(request.POST or None, access=access)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.membership_grant(
                organisation=access.organisation,
                actor=access.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                unit=form.cleaned_data["unit"],
                full_name=form.cleaned_data["full_name"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(
                request,
                _("%(user)s har fået rollen %(role)s.")
                % {"user": membership.user.email, "role": membership.get_role_display()},
            )
            return redirect("orgs:roles", org=access.organisation.slug)
    return render_org(
        request,
        access,
        "orgs/roles.html",
        "roles",
        {
            "form": form,
            "memberships": selectors.organisation_memberships(access),
        },
    )


@org_view("manage_structure")
@require_POST
def role_revoke(request: HttpRequest, access: OrgAccess, membership_id: int) -> HttpResponse:
    membership = selectors.get_membership(access, membership_id)
    try:
        services.membership_revoke(membership=membership, actor=access.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Rollen er fjernet."))
    return redirect("orgs:roles", org=access.organisation.slug)


@org_view("manage_structure")
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        # The form has read the file: text, and units or people (else an error on the form).
        batch = ImportBatch.objects.create(
            organisation=access.organisation,
            kind=importing.detect_kind(form.content) or "",
            filename=form.cleaned_data["file"].name[:255],
            content=form.content,
            created_by=access.user,
            summary={"deactivate_missing": form.cleaned_data["deactivate_missing"]},
        )
        return redirect("orgs:import_preview", org=access.organisation.slug, batch_id=batch.pk)
    recent = ImportBatch.objects.filter(organisation=access.organisation).exclude(applied_at=None)[
        :5
    ]
    return render_org(
        request,
        access,
        "orgs/import_upload.html",
        "import",
        {
            "form": form,
            "recent": recent,
            # The example on the page names this organisation's top unit as the parent.
            "root_id": selectors.visible_units(access)
            .filter(parent__isnull=True)
            .values_list("external_id", flat=True)
            .first()
            or "root",
        },
    )


@org_view("manage_structure")
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, access: OrgAccess, batch_id: int) -> HttpResponse:
    batch = selectors.get_import_batch(access, batch_id)
    deactivate = bool(batch.summary.get("deactivate_missing"))
    if batch.applied_at is not None:
        messages.info(request, _("Denne fil er allerede importeret."))
        return redirect("orgs:import", org=access.organisation.slug)
    if request.method == "POST":
        try:
            plan = importing.apply_import(
                organisation=access.organisation,
                content=batch.content,
                actor=access.user,
                deactivate_missing=deactivate,
            )
        except importing.ImportRefused as refused:
            plan = refused.plan
            messages.error(request, _("Filen har fejl. Intet er importeret."))
        else:
            from django.utils import timezone

            batch.applied_at = timezone.now()
            batch.summary = {**batch.summary, **plan.summary()}
            batch.save(update_fields=["applied_at", "summary"])
            messages.success(
                request,
                _(
                    "Importen er gennemført: %(created)s oprettet, %(updated)s ændret, "
                    "%(moved)s flyttet, %(unchanged)s uændret."
                )
                % plan.summary(),
            )
            target = "orgs:unit_tree" if plan.kind == "units" else "orgs:people"
            return redirect(target, org=access.organisation.slug)
    else:
        plan = importing.plan_import(
            access.organisation, batch.content, deactivate_missing=deactivate
        )
    return render_org(
        request,
        access,
        "orgs/import_preview.html",
        "import",
        {
            "batch": batch,
            "plan": plan,
            "limit": 200,
        },
    )


@org_view("manage_structure")
@require_http_methods(["GET", "POST"])
def organisation_settings(request: HttpRequest, access: OrgAccess) -> HttpResponse:
    organisation = access.organisation
    form = OrganisationSettingsForm(
        request.POST or None,
        initial={name: getattr(organisation, name) for name in services.SETTINGS_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update_settings(
                organisation=organisation, actor=access.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Indstillingerne er gemt."))
            return redirect("orgs:settings", org=organisation.slug)
    return render_org(request, access, "orgs/settings.html", "settings", {"form": form})
