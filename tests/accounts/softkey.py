"""A software passkey for tests without a browser: it answers allauth's WebAuthn options as
an authenticator would (a P-256 key, "none" attestation, real signatures), so the server
side runs fido2's full verification. The browser test uses Chromium's own virtual one."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import (
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorData,
    CollectedClientData,
)

# fido2 accepts an https origin whose host is the RP id; the test client's host is testserver.
ORIGIN = "https://testserver"
FLAG = AuthenticatorData.FLAG


def js_data(html: str) -> dict[str, Any]:
    """The options a page hands allauth's script (``json_script`` with id js_data)."""
    match = re.search(r'<script id="js_data" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the page carries no WebAuthn options"
    data: dict[str, Any] = json.loads(match.group(1))
    return data


@dataclass
class SoftKey:
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    credential_id: bytes = field(default_factory=lambda: os.urandom(32))
    user_handle: bytes = b""
    counter: int = 0

    def _flags(self, *, user_verified: bool) -> FLAG:
        return FLAG.UP | (FLAG.UV if user_verified else FLAG(0))

    def register(
        self,
        creation_options: dict[str, Any],
        *,
        resident: bool = False,
        user_verified: bool = True,
    ) -> dict[str, Any]:
        options = creation_options["publicKey"]
        self.user_handle = websafe_decode(options["user"]["id"])
        client_data = CollectedClientData.create("webauthn.create", options["challenge"], ORIGIN)
        credential = AttestedCredentialData.create(
            b"\0" * 16,
            self.credential_id,
            ES256.from_cryptography_key(self.private_key.public_key()),  # type: ignore[no-untyped-call]
        )
        auth_data = AuthenticatorData.create(
            hashlib.sha256(options["rp"]["id"].encode()).digest(),
            self._flags(user_verified=user_verified) | FLAG.AT,
            self.counter,
            credential,
        )
        attestation = AttestationObject.create("none", auth_data, {})
        return {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "attestationObject": websafe_encode(attestation),
            },
            "clientExtensionResults": {"credProps": {"rk": resident}},
        }

    def sign_in(
        self, request_options: dict[str, Any], *, user_verified: bool = True
    ) -> dict[str, Any]:
        options = request_options["publicKey"]
        self.counter += 1
        client_data = CollectedClientData.create("webauthn.get", options["challenge"], ORIGIN)
        auth_data = AuthenticatorData.create(
            hashlib.sha256(options["rpId"].encode()).digest(),
            self._flags(user_verified=user_verified),
            self.counter,
        )
        signature = self.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "authenticatorData": websafe_encode(auth_data),
                "signature": websafe_encode(signature),
                "userHandle": websafe_encode(self.user_handle),
            },
            "clientExtensionResults": {},
        }
