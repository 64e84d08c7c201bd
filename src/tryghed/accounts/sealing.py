"""Secrets the product must give back, sealed at rest.

A password is hashed; some secrets cannot be, because the product must use them again:
the authenticator apps' TOTP secrets and recovery-code seeds (allauth's MFA adapter) and
an organisation's single sign-on client secret (sent to its identity provider). They are
stored sealed with AES-GCM under a key derived from ``SECRET_KEY`` and a purpose, so a copy
of the database alone (a backup, a dump, the operator's query) gives none of them away,
and a value sealed for one purpose does not open for another.

Rotating ``SECRET_KEY``: the old key goes to ``SECRET_KEY_FALLBACKS`` until every secret
has been saved again. A stored value without the prefix is one saved before sealing
existed; ``unseal`` returns it as it is.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.crypto import salted_hmac

PREFIX = "sealed1:"
MFA = "tryghed.accounts.mfa"
SSO_CLIENT_SECRET = "tryghed.accounts.sso"  # noqa: S105  # a purpose, not a secret


class SealBroken(ValueError):
    """A sealed value that no current or fallback key opens (the keys changed)."""


def _key(secret_key: str, purpose: str) -> bytes:
    return salted_hmac(purpose, "seal", secret=secret_key, algorithm="sha256").digest()


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def seal(plaintext: str, purpose: str) -> str:
    """The value to store for ``plaintext``, sealed under the current key for ``purpose``."""
    nonce = os.urandom(12)
    sealed = AESGCM(_key(settings.SECRET_KEY, purpose)).encrypt(nonce, plaintext.encode(), None)
    return PREFIX + base64.b64encode(nonce + sealed).decode()


def unseal(stored: str, purpose: str) -> str:
    """The plaintext of a stored value (a value from before sealing comes back unchanged)."""
    if not is_sealed(stored):
        return stored
    raw = base64.b64decode(stored.removeprefix(PREFIX))
    for secret_key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        try:
            return AESGCM(_key(secret_key, purpose)).decrypt(raw[:12], raw[12:], None).decode()
        except InvalidTag:
            continue
    raise SealBroken(f"a secret sealed ({purpose}) with a key that is no longer configured")
