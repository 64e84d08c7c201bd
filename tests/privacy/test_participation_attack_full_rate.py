"""Red team, open finding: a shown participation row with every invited person answered
tells the reader that each named member answered. Kept as a strict xfail so it turns red
the day the leak is closed (then drop the mark): closing it needs the suppression engine
to forbid a derivable set of invited people with no non-responders (not only sets of
1..min-1), since a parent minus its shown children can say "all six answered" too.

privacy.md section 0: no reader may learn "whether a named person answered". A team
leader knows the five people of their team; "5 inviterede, 5 svar, 100 %" says each of
them answered (and, in the AMO's view, the same for any shown group).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import World, client_for
from tests.privacy.test_participation_attack import _answer, _setup


@pytest.mark.xfail(
    strict=True, reason="open: full participation shows that each named member answered"
)
def test_a_team_where_everyone_answered_does_not_say_so(world: World) -> None:
    m, units = _setup(world)
    _answer(m, units["a"], 6)  # all six invited in Team A
    _answer(m, units["b"], 5)
    url = reverse("surveys_admin:detail", kwargs={"org": world.org.slug, "measurement_id": m.pk})
    html = client_for(world.leader).get(url).content.decode()
    assert 'Team A</td><td class="num">6</td><td class="num">6</td>' not in html
    assert "100 %" not in html
