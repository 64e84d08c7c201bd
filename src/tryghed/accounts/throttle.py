"""Throttling of sign-in paths: so many attempts per key in a window, then a wait.

A scope ("signin_link.request", "password", ...) has a rule; the keys are what is
counted (an e-mail address, a client IP). Every key is counted on its own, and the
longest wait of any of them is what the caller shows, in words (``wait_in_words``).

State lives in Django's cache under an HMAC of the key with the secret key, so no
address or IP is kept there in clear, nor found by trying every address. Each key has a
counter that starts at its first failure and expires with its window (fixed window
from the first failure): ``cache.add`` and ``cache.incr`` keep it correct when two
requests count at once. With several processes the cache must be shared (database,
Redis, Memcached); the per-process memory cache counts per process.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class Rule:
    """At most ``limit`` counted attempts per key within ``window`` seconds."""

    limit: int
    window: int


HMAC_SALT = "tryghed.accounts.throttle"
DEFAULT_RULE = Rule(limit=5, window=15 * 60)
RULES: dict[str, Rule] = {}


def register(scope: str, *, limit: int, window: int) -> None:
    """Give a scope its own rule (a module that throttles calls this once, at import)."""
    if limit < 1 or window < 1:
        raise ValueError("a throttle needs a positive limit and window")
    RULES[scope] = Rule(limit=limit, window=window)


def _rule(scope: str) -> Rule:
    return RULES.get(scope, DEFAULT_RULE)


def _cache_keys(scope: str, key: str) -> tuple[str, str]:
    # Keyed with the secret key: a plain hash of an address is undone by trying every
    # address, and the cache files sit beside the database in a backup (privacy.md 0.2).
    digest = salted_hmac(
        HMAC_SALT, f"{scope}\x00{key.strip().lower()}", algorithm="sha256"
    ).hexdigest()
    return f"throttle:{digest}:n", f"throttle:{digest}:t"


def _wait(scope: str, key: str, now: float) -> int | None:
    rule = _rule(scope)
    count_key, start_key = _cache_keys(scope, key)
    found = cache.get_many([count_key, start_key])
    count, start = found.get(count_key), found.get(start_key)
    if count is None or start is None or int(count) < rule.limit:
        return None
    remaining = math.ceil(float(start) + rule.window - now)
    return remaining if remaining > 0 else None


def check(scope: str, *keys: str) -> int | None:
    """Seconds to wait before the next attempt, or None when every key may go on."""
    now = time.time()
    waits = [w for key in keys if key and (w := _wait(scope, key, now)) is not None]
    return max(waits) if waits else None


def failure(scope: str, *keys: str) -> None:
    """Count one attempt against each key."""
    rule = _rule(scope)
    now = time.time()
    for key in keys:
        if not key:
            continue
        count_key, start_key = _cache_keys(scope, key)
        # The first failure opens the window; both entries expire with it.
        if cache.add(count_key, 0, timeout=rule.window):
            cache.set(start_key, now, timeout=rule.window)
        try:
            cache.incr(count_key)
        except ValueError:  # expired between add and incr: start a new window
            cache.set(count_key, 1, timeout=rule.window)
            cache.set(start_key, now, timeout=rule.window)


def clear(scope: str, *keys: str) -> None:
    """Forget the attempts of these keys (after a successful sign-in, say)."""
    cache.delete_many([k for key in keys if key for k in _cache_keys(scope, key)])


def wait_in_words(seconds: int) -> str:
    """ "Prøv igen om 5 minutter": the wait rounded up to whole minutes (seconds under one)."""
    if seconds < 60:
        return ngettext("Prøv igen om %(n)s sekund.", "Prøv igen om %(n)s sekunder.", seconds) % {
            "n": seconds
        }
    minutes = math.ceil(seconds / 60)
    if minutes < 120:
        return ngettext("Prøv igen om %(n)s minut.", "Prøv igen om %(n)s minutter.", minutes) % {
            "n": minutes
        }
    hours = math.ceil(minutes / 60)
    return ngettext("Prøv igen om %(n)s time.", "Prøv igen om %(n)s timer.", hours) % {"n": hours}


def too_many_attempts(seconds: int) -> str:
    """The whole message for a throttled attempt."""
    return _("Der har været for mange forsøg.") + " " + wait_in_words(seconds)
