"""Paper codes ("papirkoder"): single-use answer codes for people without e-mail.

A code is 16 characters of Crockford base32 (0-9 and A-Z without I, L, O, U), printed in
groups of four: ``7K2M-QX9D-4HRT-B0WE``. That is 80 random bits. It is enough because:

- guessing is online only: the database keeps just the SHA-256 of each code, and each
  guess is a request to the server. Even with 100,000 unused codes outstanding at once,
  a guess hits one with probability 100,000 / 2**80, about 1 in 10**19; a billion
  guesses succeed with probability below 10**-10;
- a hit is worth one answer, once: the code is spent by its first use, so guessing
  cannot add more answers to a unit than it has people without e-mail (section 5);
- a stolen backup holds only hashes; finding a code from its hash means trying 2**80
  candidates, which is out of reach.

Typing on a phone: case does not matter, spaces and hyphens are ignored, and the
characters people confuse are read as Crockford says: O as 0, I and L as 1.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

from tryghed.surveys.sealing import AnswerKey, keyring

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
GROUP = 4
_CONFUSED = str.maketrans({"O": "0", "I": "1", "L": "1"})


def paper_code_new() -> str:
    """A fresh random code, normalised (no hyphens)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def paper_code_normalise(text: str) -> str | None:
    """The code as stored (upper case, no separators), or None if it cannot be a code."""
    cleaned = "".join(text.split()).replace("-", "").upper().translate(_CONFUSED)
    if len(cleaned) != LENGTH or any(c not in ALPHABET for c in cleaned):
        return None
    return cleaned


def paper_code_display(code: str) -> str:
    """The code as printed: groups of four joined by hyphens."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def _mark_with(key: AnswerKey, measurement_id: int, code_id: uuid.UUID) -> str:
    # "code:" keeps these apart from invitation marks ("<measurement>:<invitation id>").
    message = f"{measurement_id}:code:{code_id}".encode()
    return hmac.new(key.derived(b"mark"), message, hashlib.sha256).hexdigest()


def paper_code_mark(measurement_id: int, code_id: uuid.UUID) -> str:
    """The ``SubmissionMark`` a code leaves when it answers, under the current key.

    Keyed like an invitation's mark, so that without the answer key the database shows
    neither which codes have answered nor how many of a unit's have.
    """
    return _mark_with(keyring()[0], measurement_id, code_id)


def paper_code_marks(measurement_id: int, code_id: uuid.UUID) -> list[str]:
    """The code's mark under every key of the ring (any one means "used")."""
    return [_mark_with(key, measurement_id, code_id) for key in keyring()]
