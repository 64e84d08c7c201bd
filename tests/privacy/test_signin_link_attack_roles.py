"""Red team, open finding (not committed while it fails): the administrator's roles page
lists the employee role a link sign-in creates, so an administrator who reloads it sees
that, and roughly when, a named employee first signed in by link (docs/anonymity.md,
"Employees who sign in": a sign-in can fall right after an answer)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import World, client_for
from tests.privacy.test_signin_link_attack import CaptureOnCommit, _sign_in


@pytest.mark.parametrize("reader", ["owner", "amo", "leader"])
def test_no_page_of_a_reader_shows_that_a_named_employee_signed_in_by_link(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit, reader: str
) -> None:
    """A reader who reloads the organisation's pages before and after an employee signs in
    by link must not see a difference that names the employee (the sign-in could fall right
    after an answer)."""
    slug = world.org.slug
    pages = [
        reverse("orgs:roles", kwargs={"org": slug}),
        reverse("orgs:dashboard", kwargs={"org": slug}),
        reverse("orgs:people", kwargs={"org": slug}),
        reverse("orgs:unit_detail", kwargs={"org": slug, "unit_id": world.team_a.pk}),
    ]
    viewer = client_for(getattr(world, reader))

    def seen() -> list[str]:
        return [
            viewer.get(page).content.decode() if viewer.get(page).status_code == 200 else ""
            for page in pages
        ]

    before = seen()
    _sign_in(django_capture_on_commit_callbacks, "alma@example.test")
    after = seen()
    for page, old, new in zip(pages, before, after, strict=True):
        assert new.count("alma@example.test") == old.count("alma@example.test"), page
        assert new.count("Alma A") == old.count("Alma A"), page


def test_the_dashboards_count_of_users_does_not_move_when_an_employee_signs_in_by_link(
    world: World, django_capture_on_commit_callbacks: CaptureOnCommit
) -> None:
    import re

    url = reverse("orgs:dashboard", kwargs={"org": world.org.slug})
    viewer = client_for(world.owner)

    def stats() -> list[str]:
        return re.findall(r'<span class="stat">(\d+)</span>', viewer.get(url).content.decode())

    before = stats()
    _sign_in(django_capture_on_commit_callbacks, "alma@example.test")
    assert stats() == before
