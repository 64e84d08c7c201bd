"""The page where a signed-in user makes and revokes personal API tokens ("API-nøgler")."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tryghed.accounts import api_tokens
from tryghed.accounts.forms import ApiTokenForm
from tryghed.accounts.models import User


@require_http_methods(["GET", "POST"])
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's tokens and a form for a new one; the new token is shown once, in the
    answer to the form, and never stored in a readable form.

    A session whose sign-in is too weak is refused outright (403); a strong one that signed
    in more than a few minutes ago confirms the password (or a code) first, as for ending
    other sessions (ASVS 7.5.2): a token is a new credential."""
    user = request.user
    assert isinstance(user, User)
    strong = api_tokens.strong_enough(request, user)
    if request.method == "POST" and strong:
        return _confirmed_token_page(request, user, strong=True)
    return _token_page(request, user, strong=strong)


def _token_page(request: HttpRequest, user: User, *, strong: bool) -> HttpResponse:
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    created: str | None = None
    status = 200
    if request.method == "POST":
        if not strong:
            status = 403
        elif form.is_valid():
            _row, created = api_tokens.token_create(
                user=user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
            form = ApiTokenForm()
    response = render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "strong": strong,
            "created": created,
            "tokens": api_tokens.user_tokens(user),
        },
        status=status,
    )
    # The page that shows a new token is kept by no cache, and the back button re-asks.
    add_never_cache_headers(response)
    return response


def _confirmed_token_page(request: HttpRequest, user: User, *, strong: bool) -> HttpResponse:
    """allauth's reauthentication: a sign-in older than ACCOUNT_REAUTHENTICATION_TIMEOUT
    is sent to confirm, and the form is carried out once it is."""
    guarded = cast(Callable[..., HttpResponse], reauthentication_required(_token_page))
    return guarded(request, user, strong=strong)


@require_POST
@login_required
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    row = api_tokens.token_revoke(user=user, token_id=token_id)
    if row is None:
        raise Http404
    messages.success(request, _("API-nøglen „%(name)s“ virker ikke længere.") % {"name": row.name})
    return redirect("accounts:api_tokens")
