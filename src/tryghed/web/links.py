"""Links to one page for many ids: a page that links up to every unit of the organisation
resolves the URL pattern once and puts each id into its place, instead of calling
``reverse`` thousands of times (docs/benchmarks.md)."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

# An id no row has, to find where the id goes in the resolved URL.
_SENTINEL = 987654321


def link_for_ids(name: str, id_argument: str, **kwargs: object) -> Callable[[int], str]:
    """The URL of ``name`` for any id in its ``id_argument``, the other arguments fixed."""
    url = reverse(name, kwargs={**kwargs, id_argument: _SENTINEL})
    head, _sep, tail = url.rpartition(f"/{_SENTINEL}/")
    return lambda pk: f"{head}/{int(pk)}/{tail}"
