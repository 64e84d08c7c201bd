"""``manage.py remind_voice``: enqueue today's Sig det reminders and escalations (daily)."""

from __future__ import annotations

from tryghed.daily_commands import EnqueueForDayCommand
from tryghed.voice.tasks import send_voice_reminders


class Command(EnqueueForDayCommand):
    help = (
        "Enqueue the Sig det reminders: cases waiting for an acknowledgement or an answer, "
        "deadlines passed; escalate overdue leader cases to the AMO and erase expired hidden "
        "texts. Run it once a day (cron); the worker sends them. A reminder is never sent twice."
    )
    task = send_voice_reminders
    what = "the Sig det reminders"
