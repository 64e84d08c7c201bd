from __future__ import annotations

from unittest import mock

import pytest

from tryghed.accounts import throttle


@pytest.fixture(autouse=True)
def _rule() -> None:
    throttle.register("test.scope", limit=3, window=600)


def test_it_lets_attempts_through_up_to_the_limit_then_names_the_wait() -> None:
    for _ in range(2):
        throttle.failure("test.scope", "a@example.test")
    assert throttle.check("test.scope", "a@example.test") is None
    throttle.failure("test.scope", "a@example.test")
    wait = throttle.check("test.scope", "a@example.test")
    assert wait is not None and 590 <= wait <= 600


def test_each_key_counts_alone_and_the_longest_wait_wins() -> None:
    for _ in range(3):
        throttle.failure("test.scope", "a@example.test")
    assert throttle.check("test.scope", "b@example.test") is None
    assert throttle.check("test.scope", "b@example.test", "a@example.test") is not None


def test_the_wait_ends_with_the_window() -> None:
    with mock.patch("tryghed.accounts.throttle.time.time", return_value=1_000_000.0):
        for _ in range(3):
            throttle.failure("test.scope", "a@example.test")
    with mock.patch("tryghed.accounts.throttle.time.time", return_value=1_000_601.0):
        assert throttle.check("test.scope", "a@example.test") is None


def test_clear_forgets_the_attempts() -> None:
    for _ in range(3):
        throttle.failure("test.scope", "a@example.test")
    throttle.clear("test.scope", "a@example.test")
    assert throttle.check("test.scope", "a@example.test") is None


def test_keys_are_not_kept_in_clear() -> None:
    throttle.failure("test.scope", "a@example.test")
    count_key, start_key = throttle._cache_keys("test.scope", "a@example.test")
    assert "a@example.test" not in count_key + start_key


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1, "Prøv igen om 1 sekund."),
        (45, "Prøv igen om 45 sekunder."),
        (60, "Prøv igen om 1 minut."),
        (241, "Prøv igen om 5 minutter."),
        (900, "Prøv igen om 15 minutter."),
        (3 * 3600, "Prøv igen om 3 timer."),
    ],
)
def test_the_wait_is_shown_in_words(seconds: int, words: str) -> None:
    assert throttle.wait_in_words(seconds) == words
