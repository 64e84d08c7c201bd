"""Red team, erased Sig det texts and ended dialogue sessions on PostgreSQL (adversary 2 of
privacy.md section 0: the operator, reading a table's pages or a backup of its files).

Two more places delete or blank words that PostgreSQL keeps in a table's pages as dead row
versions until the table is rewritten (as tests/privacy/test_redteam_retention.py shows for
the purge of answers):

- the daily Sig det job erases texts hidden by moderation longer than HIDDEN_KEEP_DAYS ago:
  an UPDATE to "", whose old version keeps the text; it then rewrites ``voice_case`` /
  ``voice_message`` (``voice.tasks.send_voice_reminders``);
- ending a live dialogue session deletes its placements and blanks the "Bordet rundt" words
  of its exercises, in a web request; the nightly ``tryghed purge-responses`` rewrites
  ``dialogue_placement`` and ``dialogue_exercise`` (``dialogue.rewrite``).

VACUUM FULL cannot run inside a transaction, so these tests commit (``transaction=True``).
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection

from tests.conftest import World
from tests.privacy import attack
from tests.privacy.test_redteam_retention import _raw_pages
from tryghed.dialogue import services as dialogue
from tryghed.dialogue.models import Exercise, ExerciseKind, Placement, Session
from tryghed.voice import services as voice
from tryghed.voice.models import HIDDEN_KEEP_DAYS, Message
from tryghed.voice.tasks import send_voice_reminders

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pages"),
]

DAY = dt.date(2026, 11, 2)
ERASE_DAY = DAY + dt.timedelta(days=HIDDEN_KEEP_DAYS + 1)


def _pages(table: str) -> str:
    return _raw_pages(table).decode("latin-1")


def _case_with_reply(world: World, *, hide: bool) -> tuple[str, str]:
    """A case and a reply of its reporter, each carrying a secret; both hidden with
    ``hide``. The two secrets."""
    first, reply = attack.secret_comment(), attack.secret_comment()
    case, _code = voice.case_raise(
        organisation=world.org,
        unit=world.team_a,
        receiver="leader",
        kind="concern",
        text=f"Det handler om {first}",
        today=DAY,
    )
    voice.reporter_reply(case=case, text=f"Og igen {reply}", today=DAY)
    if hide:
        message = Message.objects.get(case=case)
        voice.reporter_text_hide(case=case, actor=world.leader, reason="identifies", today=DAY)
        voice.reporter_text_hide(
            case=case, actor=world.leader, reason="identifies", message=message, today=DAY
        )
    return first, reply


def test_erased_hidden_texts_leave_the_voice_tables_pages(world: World) -> None:
    erased = _case_with_reply(world, hide=True)
    kept = _case_with_reply(world, hide=False)
    assert erased[0] in _pages("voice_case") and erased[1] in _pages("voice_message")
    send_voice_reminders.call(ERASE_DAY.isoformat())
    assert not [row for row in attack.rows("voice_case") if erased[0] in str(row)]
    case_pages, message_pages = _pages("voice_case"), _pages("voice_message")
    assert erased[0] not in case_pages, "the erased first text is still in voice_case's pages"
    assert erased[1] not in message_pages, "the erased reply is still in voice_message's pages"
    assert kept[0] in case_pages and kept[1] in message_pages, "the reader sees what stays"


def test_without_the_rewrite_an_erased_text_stays_in_the_pages(world: World) -> None:
    """What the rewrite is for: the committed UPDATE leaves the old version, text and all."""
    erased = _case_with_reply(world, hide=True)
    assert voice.hidden_texts_erase_by_table(ERASE_DAY) == {"voice_case": 1, "voice_message": 1}
    assert erased[0] in _pages("voice_case") and erased[1] in _pages("voice_message")


def test_a_run_that_erases_nothing_rewrites_nothing(world: World) -> None:
    _case_with_reply(world, hide=False)
    before = _relfilenodes("voice_case", "voice_message")
    send_voice_reminders.call(ERASE_DAY.isoformat())
    assert _relfilenodes("voice_case", "voice_message") == before


def _relfilenodes(*tables: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relfilenode FROM pg_class WHERE oid = ANY(%s::regclass[]) ORDER BY relname",
            [list(tables)],
        )
        return [int(n) for (n,) in cursor.fetchall()]


def _round_with_words(world: World, session: Session) -> set[str]:
    """Ten phones write a secret word each in "Bordet rundt", revealed on the screen."""
    round_ = session.exercises.get(kind=ExerciseKind.ROUND)
    dialogue.session_show(session=session, exercise=round_)
    words = {attack.secret_comment() for _ in range(10)}
    for word in words:
        dialogue.placement_set(
            exercise=round_, token=dialogue.phone_token_new(), answers={"": word}
        )
    dialogue.exercise_reveal(exercise=round_, actor=world.leader)
    return words


def _nightly() -> str:
    out = io.StringIO()
    call_command("rewrite_dialogue", stdout=out)
    return out.getvalue()


def test_an_ended_sessions_words_leave_the_dialogue_tables_pages_at_night(world: World) -> None:
    ended = dialogue.session_start(unit=world.team_a, actor=world.leader)
    ended_words = _round_with_words(world, ended)
    # Another team's session still running: its placements and revealed words stay.
    running = dialogue.session_start(unit=world.team_b, actor=world.leader)
    running_words = _round_with_words(world, running)
    horseshoe = running.exercises.get(kind=ExerciseKind.HORSESHOE)
    dialogue.session_show(session=running, exercise=horseshoe)
    kept = attack.secret_comment()
    Placement.objects.create(id=kept, exercise=horseshoe, key="", value=4)
    dialogue.session_end(
        session=ended, actor=world.leader, notes=[], focus_points=[], keep_distribution=True
    )
    assert not Placement.objects.filter(exercise__session=ended).exists()
    assert Exercise.objects.get(session=ended, kind=ExerciseKind.ROUND).distribution is None
    # The end committed in its request; the words are still in both tables' pages.
    assert ended_words <= _words_in(ended_words, "dialogue_placement")
    assert ended_words <= _words_in(ended_words, "dialogue_exercise")
    assert _nightly() == "Rewrote on disk (VACUUM FULL): dialogue_exercise, dialogue_placement\n"
    assert _words_in(ended_words, "dialogue_placement") == set()
    assert _words_in(ended_words, "dialogue_exercise") == set()
    assert _words_in(running_words, "dialogue_placement") == running_words
    assert _words_in(running_words, "dialogue_exercise") == running_words
    assert kept in _pages("dialogue_placement")


def _words_in(words: set[str], table: str) -> set[str]:
    pages = _pages(table)
    return {w for w in words if w in pages}


def test_the_nightly_job_rewrites_only_after_placements_were_written(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    from tryghed.cli import main

    session = dialogue.session_start(unit=world.team_a, actor=world.leader)
    _round_with_words(world, session)
    dialogue.session_end(
        session=session, actor=world.leader, notes=[], focus_points=[], keep_distribution=False
    )
    assert main(["purge-responses", "--dry-run"]) == 0
    assert "Would rewrite on disk (VACUUM FULL): dialogue_placement" in capsys.readouterr().out
    assert main(["purge-responses"]) == 0
    assert "Rewrote on disk (VACUUM FULL): dialogue_exercise, dialogue_placement" in (
        capsys.readouterr().out
    )
    # The rewritten placement table has no page left: the next night has nothing to do.
    before = _relfilenodes("dialogue_exercise", "dialogue_placement")
    assert main(["purge-responses"]) == 0
    assert "dialogue" not in capsys.readouterr().out
    assert _relfilenodes("dialogue_exercise", "dialogue_placement") == before
