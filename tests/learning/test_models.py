from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError

from tests.conftest import World
from tests.learning.conftest import write
from tryghed.learning.kinds import BY_KIND, KINDS, REFLECTION_QUESTIONS
from tryghed.learning.models import Entry, Kind


@pytest.mark.django_db
def test_an_anonymous_entry_is_anonymous_and_a_named_one_shows_its_name(world: World) -> None:
    anonymous = write(world)
    named = write(world, named=True)
    assert anonymous.is_anonymous and anonymous.author_id is None
    assert not named.is_anonymous and named.author_name == "Eva Medarbejder"
    assert isinstance(anonymous.pk, uuid.UUID) and anonymous.pk.version == 4


@pytest.mark.django_db
def test_the_database_refuses_an_author_without_a_shown_name(world: World) -> None:
    with pytest.raises(IntegrityError):
        Entry.objects.create(
            organisation=world.org,
            unit=world.team_a,
            what_happened="x",
            author=world.employee,
            author_name="",
            written_on=dt.date(2026, 5, 1),
        )


def test_each_kind_has_the_seeds_words_and_response() -> None:
    assert [k.kind for k in KINDS] == [Kind.BASIC, Kind.COMPLEX, Kind.INTELLIGENT]
    assert "oplæring og instruktion" in str(BY_KIND["basic"].response_quote)
    assert "åbenhed og dialog så tidligt som muligt" in str(BY_KIND["complex"].response_quote)
    assert "i nyt land" in str(BY_KIND["intelligent"].description)
    assert "fejrer vi det" in str(REFLECTION_QUESTIONS[2])
