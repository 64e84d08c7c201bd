"""Who may never be told that a case exists: the leaders of its line when it was raised.

A case about a unit may be about its leader or a leader above it. The administrators are
told how many open cases no one may read (``selectors.unread_count_for``); were the cases
about the units they lead left out by their roles of the day, an administrator could drop
a leader role (or move the unit out of their subtree) and subtract. So the set is frozen
on the case when it is raised (``services.case_raise``) and never changes: dropping,
re-adding or taking a role, or moving a unit, then moves no one's count.

The set is sealed, not stored in the clear: the operator of the database can read the
role history in the audit log, and a clear list would tell, when a leader of the line
changed that same day, whether the case was raised before or after, a time finer than
the stored day. Sealed with AES-256-GCM under a key derived from the answer keyring
(``surveys.sealing``, not in the database), padded to a fixed size, the case id as
associated data; a sealed set copied to another case does not open.
"""

from __future__ import annotations

import json
import os
import struct
import uuid
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tryghed.surveys.sealing import NONCE_BYTES, keyring

_PURPOSE = b"voice/withheld"
# Room for about 140 user ids; a line with more leaders takes the next step.
_SIZE_STEP = 1024


def _aad(case_id: uuid.UUID) -> bytes:
    return b"tryghed/voice/withheld/" + case_id.bytes


def seal_withheld(case_id: uuid.UUID, user_ids: Iterable[int]) -> bytes:
    """The user ids, sealed under the current key for this case."""
    key = keyring()[0]
    body = json.dumps(sorted(set(user_ids)), separators=(",", ":")).encode()
    size = -(-(len(body) + 4) // _SIZE_STEP) * _SIZE_STEP
    plaintext = struct.pack(">I", len(body)) + body + bytes(size - 4 - len(body))
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key.derived(_PURPOSE)).encrypt(nonce, plaintext, _aad(case_id))
    return key.key_id.encode() + b":" + nonce + sealed


def open_withheld(case_id: uuid.UUID, sealed: bytes | memoryview | None) -> frozenset[int] | None:
    """The user ids sealed on the case, or None when there are none or they do not open
    (a key no longer in the ring, another case's set): the caller then fails closed."""
    return Opener().open(case_id, sealed)


class Opener:
    """Opens the sets of many cases with the keyring read once (an inbox opens one set per
    case to the AMO/HR on every view)."""

    def __init__(self) -> None:
        self._ciphers = {k.key_id.encode(): AESGCM(k.derived(_PURPOSE)) for k in keyring()}

    def open(self, case_id: uuid.UUID, sealed: bytes | memoryview | None) -> frozenset[int] | None:
        if sealed is None:
            return None
        key_id, sep, rest = bytes(sealed).partition(b":")
        cipher = self._ciphers.get(key_id)
        if not sep or cipher is None or len(rest) <= NONCE_BYTES:
            return None
        try:
            plaintext = cipher.decrypt(rest[:NONCE_BYTES], rest[NONCE_BYTES:], _aad(case_id))
        except InvalidTag:
            return None
        return _ids(plaintext)


def _ids(plaintext: bytes) -> frozenset[int] | None:
    (length,) = struct.unpack(">I", plaintext[:4])
    ids = json.loads(plaintext[4 : 4 + length])
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
        return None
    return frozenset(ids)


def is_current(sealed: bytes | memoryview | None) -> bool:
    """Whether the set is sealed under the current key (else the daily job seals it again,
    so that an old key can leave the ring, docs/anonymity.md "Rotation")."""
    return sealed is not None and bytes(sealed).startswith(keyring()[0].key_id.encode() + b":")
