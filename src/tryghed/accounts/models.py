"""Staff accounts: people who sign in (admins, AMO, leaders, employees with a login).

Respondents do not need an account: they answer through a personal link.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("navn"), max_length=200, blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    is_staff = models.BooleanField(_("adgang til Django-admin"), default=False)
    date_joined = models.DateTimeField(_("oprettet"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("bruger")
        verbose_name_plural = _("brugere")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class SignInLink(models.Model):
    """A one-time sign-in link ("login-link") sent by e-mail to an employee of an organisation.

    Only the SHA-256 of the link's token is stored; the token exists in the e-mail alone.
    Using the link deletes the row, so it works once; an unused one expires after minutes.
    It signs its holder in with employee scope only (``accounts.signin_link``).
    """

    person = models.ForeignKey(
        "orgs.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("medarbejder")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("login-link")
        verbose_name_plural = _("login-links")

    def __str__(self) -> str:
        return f"sign-in link {self.pk}"


class ApiToken(models.Model):
    """A personal API token ("API-nøgle") for the read-only API (``tryghed.api``).

    The token is shown once, when it is made; only its SHA-256 is stored. It acts as its
    user, with the roles the user holds when it is used, until it expires or is revoked.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("bruger")
    )
    name = models.CharField(_("navn"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("oprettet"), default=timezone.now)
    expires_at = models.DateTimeField(_("udløber"))
    # The day only: a token used all day is written once a day, not on every request.
    last_used_on = models.DateField(_("sidst brugt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("tilbagekaldt"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-nøgle")
        verbose_name_plural = _("API-nøgler")

    def __str__(self) -> str:
        return self.name

    def is_usable(self, now: dt.datetime | None = None) -> bool:
        """Neither revoked nor expired (at ``now``, by default this moment)."""
        return self.revoked_at is None and self.expires_at > (now or timezone.now())
