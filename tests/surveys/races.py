"""Two connections submitting the same token at the same moment (PostgreSQL only: SQLite
serialises writers, so there is no race to lose)."""

from __future__ import annotations

import threading
from collections.abc import Mapping

from django.db import connections

from tryghed.surveys import services


def submit_twice_at_once(token: str, answers: Mapping[str, int]) -> list[str]:
    """Each thread's outcome, "stored" or the refusal's reason, in any order."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait()
            services.response_submit(token=token, answers=answers, texts={})
            outcomes.append("stored")
        except services.SubmissionRefused as refused:
            outcomes.append(refused.reason)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
