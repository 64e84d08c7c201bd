"""Personal API tokens: made on the account page at the sign-in strength the user's roles
ask, shown once, stored as a hash only, expiring, revocable, and audit-logged."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.accounts.test_staff_signin import reauthenticated as staff_reauthenticated
from tests.accounts.test_staff_signin import signed_in as staff_signed_in
from tests.api.helpers import get_json
from tests.conftest import World, client_for
from tests.factories import PASSWORD, give_totp
from tryghed.accounts import api_tokens
from tryghed.accounts.link_session import BY_LINK
from tryghed.accounts.link_session import SESSION_KEY as SIGNED_IN_BY
from tryghed.accounts.models import ApiToken, User
from tryghed.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PAGE = reverse("accounts:api_tokens")
ORGANISATIONS = reverse("api:organisations")
TOKEN = re.compile(r'value="(tryghed_[A-Za-z0-9_-]{43})"')


def signed_in(user: User, *, second_factor: bool, confirmed_minutes_ago: float = 0) -> Client:
    """A client signed in as the user with a password, with or without a second factor,
    who confirmed the password ``confirmed_minutes_ago`` (allauth's reauthentication, which
    a new token asks for), as allauth records these steps in the session."""
    client = client_for(user)
    now = time.time()
    records: list[dict[str, object]] = [{"method": "password", "at": now - 3600}]
    if second_factor:
        records.append({"method": "mfa", "at": now - 3600, "type": "totp"})
    records.append(
        {"method": "password", "at": now - confirmed_minutes_ago * 60, "reauthenticated": True}
    )
    session = client.session
    session["account_authentication_methods"] = records
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


def create(client: Client, name: str = "Lønsystem", days: int = 90) -> str:
    response = client.post(PAGE, {"name": name, "days": days})
    assert response.status_code == 200, response.status_code
    assert "no-store" in response["Cache-Control"]
    found = TOKEN.search(response.content.decode())
    assert found is not None, "the new token is shown"
    return found.group(1)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_is_shown_once_stored_as_its_hash_and_works(world: World) -> None:
    client = signed_in(world.owner, second_factor=True)
    token = create(client)
    row = ApiToken.objects.get(user=world.owner)
    assert row.name == "Lønsystem"
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(ApiToken.objects.values()))
    assert row.expires_at - row.created_at == dt.timedelta(days=90)
    assert row.last_used_on is None
    # The page never shows it again.
    again = client.get(PAGE).content.decode()
    assert token not in again and "Lønsystem" in again
    # Without a session, the token alone is the caller.
    body = get_json(Client(), ORGANISATIONS, headers=bearer(token))
    assert [o["slug"] for o in body] == ["testkommune"]
    row.refresh_from_db()
    assert row.last_used_on == timezone.localdate()
    assert AuditEvent.objects.filter(actor=world.owner, action="api_token.create").count() == 1


def test_the_expiry_is_chosen_up_to_a_year(world: World) -> None:
    client = signed_in(world.owner, second_factor=True)
    create(client, days=365)
    row = ApiToken.objects.get(user=world.owner)
    assert row.expires_at - row.created_at == dt.timedelta(days=365)
    response = client.post(PAGE, {"name": "For længe", "days": 366})
    assert response.status_code == 200
    assert ApiToken.objects.filter(user=world.owner).count() == 1
    assert TOKEN.search(response.content.decode()) is None
    with pytest.raises(ValueError):
        api_tokens.token_create(user=world.owner, name="x", days=366)


def test_a_revoked_token_is_a_401_and_the_revocation_is_logged(world: World) -> None:
    client = signed_in(world.owner, second_factor=True)
    token = create(client)
    row = ApiToken.objects.get(user=world.owner)
    revoke = reverse("accounts:api_token_revoke", kwargs={"token_id": row.pk})
    assert client.post(revoke).status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    response = Client().get(ORGANISATIONS, headers=bearer(token))
    assert response.status_code == 401
    assert response.json() == {"detail": "invalid token"}
    assert AuditEvent.objects.filter(actor=world.owner, action="api_token.revoke").exists()
    denied = AuditEvent.objects.get(actor=world.owner, action="api_token.denied")
    assert denied.summary == "revoked"
    # A revoked token does not fall back to the session that comes with it.
    assert client.get(ORGANISATIONS, headers=bearer(token)).status_code == 401
    assert client.get(ORGANISATIONS).status_code == 200


def test_no_one_revokes_another_users_token(world: World) -> None:
    token = create(signed_in(world.owner, second_factor=True))
    row = ApiToken.objects.get(user=world.owner)
    revoke = reverse("accounts:api_token_revoke", kwargs={"token_id": row.pk})
    assert client_for(world.leader).post(revoke).status_code == 404
    assert get_json(Client(), ORGANISATIONS, headers=bearer(token))


def test_an_expired_token_is_a_401(world: World) -> None:
    token = create(signed_in(world.owner, second_factor=True))
    ApiToken.objects.filter(user=world.owner).update(expires_at=timezone.now())
    response = Client().get(ORGANISATIONS, headers=bearer(token))
    assert response.status_code == 401 and response.json() == {"detail": "invalid token"}
    assert AuditEvent.objects.get(action="api_token.denied").summary == "expired"


def test_an_unknown_or_malformed_token_is_a_401(world: World) -> None:
    create(signed_in(world.owner, second_factor=True))
    for header in ("Bearer tryghed_" + "A" * 43, "Bearer ", "Token abc", "Basic b3duZXI6eA=="):
        response = Client().get(ORGANISATIONS, HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert response.json() == {"detail": "invalid token"}
        assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_a_token_sees_what_its_user_sees_now(world: World) -> None:
    token = create(signed_in(world.leader, second_factor=False))
    body = get_json(Client(), ORGANISATIONS, headers=bearer(token))
    assert [r["role"] for r in body[0]["roles"]] == ["leader"]
    measurements = reverse("api:measurements", kwargs={"organisation_id": world.other_org.pk})
    assert Client().get(measurements, headers=bearer(token)).status_code == 404


def test_an_administrator_makes_a_token_only_after_two_step_verification(world: World) -> None:
    client = signed_in(world.owner, second_factor=False)
    page = client.get(PAGE).content.decode()
    assert 'name="days"' not in page and "totrinsbekræftelse" in page
    response = client.post(PAGE, {"name": "Uden kode", "days": 30})
    assert response.status_code == 403
    assert not ApiToken.objects.filter(user=world.owner).exists()


def test_a_leader_needs_two_step_verification_where_her_organisation_asks_it(
    world: World,
) -> None:
    world.org.require_mfa = True
    world.org.save(update_fields=["require_mfa"])
    give_totp(world.leader)
    response = signed_in(world.leader, second_factor=False).post(PAGE, {"name": "x", "days": 9})
    assert response.status_code == 403
    assert not ApiToken.objects.filter(user=world.leader).exists()
    create(signed_in(world.leader, second_factor=True))
    assert ApiToken.objects.filter(user=world.leader).count() == 1


def test_a_session_opened_by_a_sign_in_link_makes_no_token(world: World) -> None:
    client = client_for(world.employee)
    session = client.session
    session[SIGNED_IN_BY] = BY_LINK
    session.save()
    assert client.post(PAGE, {"name": "Link", "days": 30}).status_code == 403
    assert not ApiToken.objects.filter(user=world.employee).exists()


def test_the_page_asks_for_sign_in(world: World) -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302 and "/konto/log-ind/" in response["Location"]


def test_the_session_answers_only_to_this_sites_own_pages(world: World) -> None:
    client = client_for(world.owner)
    assert client.get(ORGANISATIONS, HTTP_SEC_FETCH_SITE="same-origin").status_code == 200
    assert client.get(ORGANISATIONS, HTTP_SEC_FETCH_SITE="cross-site").status_code == 401
    assert client.get(ORGANISATIONS, HTTP_SEC_FETCH_SITE="same-site").status_code == 401


def test_a_token_stops_when_its_user_must_use_two_step_verification_and_has_none(
    world: World,
) -> None:
    token = create(signed_in(world.leader, second_factor=False))
    assert get_json(Client(), ORGANISATIONS, headers=bearer(token))
    world.org.require_mfa = True
    world.org.save(update_fields=["require_mfa"])
    assert Client().get(ORGANISATIONS, headers=bearer(token)).status_code == 401
    give_totp(world.leader)
    assert get_json(Client(), ORGANISATIONS, headers=bearer(token))


def test_the_password_is_confirmed_again_after_a_few_minutes(world: World) -> None:
    client = signed_in(world.owner, second_factor=True, confirmed_minutes_ago=10)
    assert 'name="days"' in client.get(PAGE).content.decode()
    response = client.post(PAGE, {"name": "Senere", "days": 30})
    assert response.status_code == 302
    assert resolve(response["Location"].split("?")[0]).url_name in {
        "account_reauthenticate",
        "mfa_reauthenticate",
    }
    assert not ApiToken.objects.filter(user=world.owner).exists()


def test_through_the_real_sign_in_and_confirmation_the_token_is_made_and_shown(
    world: World,
) -> None:
    client = staff_signed_in(world.owner)  # password and authenticator code
    asked = client.post(PAGE, {"name": "Rigtig", "days": 30})
    assert asked.status_code == 302
    assert not ApiToken.objects.filter(user=world.owner).exists()
    confirmed = client.post(asked["Location"], {"password": PASSWORD}, follow=True)
    html = confirmed.content.decode()
    found = TOKEN.search(html)
    assert found is not None, html[:500]
    row = ApiToken.objects.get(user=world.owner)
    assert row.name == "Rigtig"
    assert row.token_hash == hashlib.sha256(found.group(1).encode()).hexdigest()


def test_a_revoked_token_used_again_and_again_is_logged_once_a_day(world: World) -> None:
    # Whoever holds a revoked key cannot fill the audit log with it.
    token = create(signed_in(world.owner, second_factor=True))
    row = ApiToken.objects.get(user=world.owner)
    api_tokens.token_revoke(user=world.owner, token_id=row.pk)
    for _ in range(5):
        assert Client().get(ORGANISATIONS, headers=bearer(token)).status_code == 401
    assert AuditEvent.objects.filter(action="api_token.denied").count() == 1
    # Another reason is news to its owner: it is logged as well.
    ApiToken.objects.filter(pk=row.pk).update(revoked_at=None, expires_at=timezone.now())
    assert Client().get(ORGANISATIONS, headers=bearer(token)).status_code == 401
    assert AuditEvent.objects.filter(action="api_token.denied").count() == 2


# -- a token goes with the sessions ----------------------------------------------------------


def usable(token: str) -> bool:
    return Client().get(ORGANISATIONS, headers=bearer(token)).status_code == 200


def test_sign_out_everywhere_revokes_the_users_tokens_and_no_one_elses(world: World) -> None:
    _, mine = api_tokens.token_create(user=world.owner, name="Lønsystem")
    _, theirs = api_tokens.token_create(user=world.leader, name="Hers")
    old, _ = api_tokens.token_create(user=world.owner, name="Udløbet", days=1)
    expired_at = timezone.now() - dt.timedelta(days=1)
    ApiToken.objects.filter(pk=old.pk).update(expires_at=expired_at)
    here = staff_reauthenticated(staff_signed_in(world.owner))
    assert usable(mine) and usable(theirs)
    page = here.get(reverse("accounts:sessions")).content.decode()
    assert "dine API-nøgler bliver tilbagekaldt" in page

    response = here.post(reverse("accounts:sessions"))

    assert not usable(mine)
    assert usable(theirs)
    assert "Din API-nøgle er tilbagekaldt" in here.get(response["Location"]).content.decode()
    revoked = AuditEvent.objects.get(actor=world.owner, action="api_token.revoke_all")
    assert revoked.data == {"count": 1, "why": "user"}
    # An expired token is left as it was: it was no way in.
    old.refresh_from_db()
    assert old.revoked_at is None
    # The session that asked stays, and may make a new token.
    assert here.get(ORGANISATIONS).status_code == 200


def test_a_new_password_by_reset_link_revokes_the_users_tokens(world: World) -> None:
    _, token = api_tokens.token_create(user=world.leader, name="Dashboard")
    assert usable(token)
    world.leader.refresh_from_db()
    uid = urlsafe_base64_encode(force_bytes(world.leader.pk))
    reset = Client()
    form = reset.get(
        reverse(
            "accounts:password_reset_confirm",
            args=[uid, default_token_generator.make_token(world.leader)],
        )
    )
    done = reset.post(
        form["Location"], {"new_password1": "EnHeltNyFrase42", "new_password2": "EnHeltNyFrase42"}
    )
    assert done.status_code == 302

    assert not usable(token)
    revoked = AuditEvent.objects.get(actor=world.leader, action="api_token.revoke_all")
    assert revoked.data == {"count": 1, "why": "password_reset"}
