"""The database task queue's worker, run inside a test's transaction."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_ready_tasks(worker_id: str, *, until_none_left: bool = False) -> None:
    """What ``db_worker --batch`` does, without what a test transaction cannot survive (the
    command closes the connection between tasks, which PostgreSQL's test transaction does
    not outlive): every task ready now (a deferred one waits for its ``run_after``), oldest
    first; with ``until_none_left``, also the tasks those enqueue, until none is ready."""
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    while ready := list(DBTaskResult.objects.ready().order_by("enqueued_at")):
        for result in ready:
            worker.run_task(result)
        if not until_none_left:
            return
