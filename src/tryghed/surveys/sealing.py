"""The answer key: submission marks and sealed pending answers (privacy.md section 1).

The key is never stored in the database. ``settings.TRYGHED_ANSWER_KEYS`` is a keyring,
each entry ``"<key id>:<base64 of 32 bytes>"``; the first is current (it writes), the
others only read (rotation, docs/anonymity.md). From each key two sub-keys are derived,
one for marks and one for sealing, so the two uses never share a key.

- A *mark* is HMAC-SHA256(mark key, "<measurement id>:<invitation id>"): stored when an
  invitation answers, it lets the application (and only the holder of the key) tell
  whether an invitation has answered.
- A *sealed* answer is AES-256-GCM over a JSON plaintext padded to a size fixed per
  measurement, with the measurement id as associated data, so a sealed row copied to
  another measurement does not open. Layout: ``<key id> ":" <12-byte nonce> <ciphertext>``.

Nothing here touches the database; the queries live in ``services``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from tryghed.core.instruments import Instrument
from tryghed.surveys.questionnaire import MAX_TEXT

KEY_BYTES = 32
NONCE_BYTES = 12
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
# JSON with ensure_ascii=False writes a character in at most 6 bytes (a control character
# as \u00XX; anything else is at most 4 bytes of UTF-8 or a 2-byte escape).
_MAX_BYTES_PER_CHAR = 6
_SIZE_STEP = 1024


class AnswerKeyError(Exception):
    """The keyring is missing or malformed."""


class SealBroken(Exception):
    """A sealed answer could not be opened: unknown key id, wrong key, or tampered."""


@dataclass(frozen=True)
class AnswerKey:
    key_id: str
    secret: bytes

    def derived(self, purpose: bytes) -> bytes:
        return hmac.new(self.secret, b"tryghed/" + purpose, hashlib.sha256).digest()


def parse_keys(entries: Sequence[str]) -> list[AnswerKey]:
    """Parse and validate keyring entries; the first is the current key."""
    keys: list[AnswerKey] = []
    for position, entry in enumerate(entries, start=1):
        key_id, sep, encoded = entry.strip().partition(":")
        if not sep or not _KEY_ID.match(key_id):
            raise AnswerKeyError(
                f"answer key {position}: write it as '<key id>:<base64 of 32 bytes>', "
                "the key id of letters, digits, '-' or '_' (at most 32)"
            )
        try:
            secret = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise AnswerKeyError(f"answer key {key_id!r} is not valid base64") from exc
        if len(secret) != KEY_BYTES:
            raise AnswerKeyError(f"answer key {key_id!r} must be {KEY_BYTES} bytes")
        if any(k.key_id == key_id for k in keys):
            raise AnswerKeyError(f"answer key id {key_id!r} appears twice")
        keys.append(AnswerKey(key_id, secret))
    return keys


def new_key_line(key_id: str) -> str:
    """A fresh keyring entry, for the key file or the environment."""
    return f"{key_id}:{base64.b64encode(os.urandom(KEY_BYTES)).decode()}"


def keyring() -> list[AnswerKey]:
    """The configured keys, current first. Read from settings on every call (cheap), so a
    rotated setting or a test override takes effect at once."""
    keys = parse_keys(list(getattr(settings, "TRYGHED_ANSWER_KEYS", [])))
    if not keys:
        raise AnswerKeyError(
            "no answer key: set TRYGHED_ANSWER_KEYS or create DATA_DIR/answer.key "
            "(docs/anonymity.md, 'Key handling')"
        )
    return keys


def mark_with(key: AnswerKey, measurement_id: int, invitation_id: int) -> str:
    message = f"{measurement_id}:{invitation_id}".encode()
    return hmac.new(key.derived(b"mark"), message, hashlib.sha256).hexdigest()


def current_mark(measurement_id: int, invitation_id: int) -> str:
    return mark_with(keyring()[0], measurement_id, invitation_id)


def all_marks(measurement_id: int, invitation_id: int) -> list[str]:
    """The invitation's mark under every key of the ring (any one means "answered")."""
    return [mark_with(key, measurement_id, invitation_id) for key in keyring()]


# Each set of instruments' padded size, worked out once: a measurement's instruments are
# the same objects on every submission (``selectors.measurement_instruments``), and the sum
# over their items was a tenth of a final submit's own work (issue 14). Keyed by the
# objects' ids; the kept objects keep their ids from being given to others.
_SIZES: dict[tuple[int, ...], tuple[tuple[Instrument, ...], int]] = {}
_SIZES_LIMIT = 256


def sealed_size(instruments: Sequence[Instrument]) -> int:
    """The padded plaintext size for a measurement: room for the largest submission its
    instruments allow (every item answered, every multiple choice ticked in full, every
    free text at its maximum length in the widest JSON encoding), rounded up."""
    key = tuple(id(instrument) for instrument in instruments)
    kept = _SIZES.get(key)
    if kept is None:
        if len(_SIZES) >= _SIZES_LIMIT:
            _SIZES.clear()
        kept = _SIZES[key] = (tuple(instruments), _padded_size(instruments))
    return kept[1]


def _padded_size(instruments: Sequence[Instrument]) -> int:
    size = 200  # {"u":<unit id>,"w":"2026-W47","a":{},"t":{}} and the length prefix
    for instrument in instruments:
        for item in instrument.items:
            key = len(json.dumps(item.id)) + 2  # "id": and the comma
            if item.type == "text":
                size += key + 2 + _MAX_BYTES_PER_CHAR * MAX_TEXT
            elif item.type == "multi":
                size += key + 2 + sum(len(str(code)) + 1 for code in item.codes)
            else:
                size += key + max((len(str(code)) for code in item.codes), default=1)
    return -(-size // _SIZE_STEP) * _SIZE_STEP


def _aad(measurement_id: int) -> bytes:
    return f"tryghed/pending/{measurement_id}".encode()


def seal(*, measurement_id: int, payload: dict[str, Any], size: int) -> bytes:
    """Encrypt ``payload`` under the current key, padded to exactly ``size`` bytes of
    plaintext. A payload that does not fit is refused (never truncated)."""
    key = keyring()[0]
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    if len(body) + 4 > size:
        raise ValueError(f"an answer of {len(body)} bytes does not fit the sealed size {size}")
    plaintext = struct.pack(">I", len(body)) + body + bytes(size - 4 - len(body))
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(key.derived(b"seal")).encrypt(nonce, plaintext, _aad(measurement_id))
    return key.key_id.encode() + b":" + nonce + ciphertext


def unseal(*, measurement_id: int, sealed: bytes | memoryview) -> dict[str, Any]:
    """Open a sealed answer with whichever key of the ring sealed it."""
    key_id, sep, rest = bytes(sealed).partition(b":")
    key = next((k for k in keyring() if k.key_id.encode() == key_id), None)
    if not sep or key is None or len(rest) <= NONCE_BYTES:
        raise SealBroken("sealed with a key that is not in the keyring")
    try:
        plaintext = AESGCM(key.derived(b"seal")).decrypt(
            rest[:NONCE_BYTES], rest[NONCE_BYTES:], _aad(measurement_id)
        )
    except InvalidTag as exc:
        raise SealBroken("the sealed answer does not open with its key") from exc
    (length,) = struct.unpack(">I", plaintext[:4])
    payload = json.loads(plaintext[4 : 4 + length])
    if not isinstance(payload, dict):
        raise SealBroken("the sealed answer is not an object")
    return payload
