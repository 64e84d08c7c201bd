"""Pages that need no sign-in and must leave no trace of who asked for them: the survey,
"Sig det", a phone in a dialogue session (privacy.md sections 0 and 1).

A browser may still carry a session there (a leader answering the survey, an employee who
read the feedback page by link). The middlewares that look after sessions let these pages
through untouched: they neither end a session there (a sign-out deletes the session row
and may write an audit row, in the request that opens a person's survey link), nor time it
out, nor keep it alive, nor send the browser elsewhere to sign in or set up two-step
verification (the survey would then not open in that browser at all).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse

_MARK = "tryghed_anonymous_page"


def anonymous_page[V: Callable[..., HttpResponse]](view: V) -> V:
    """Mark a view as a page that needs no sign-in and leaves no trace (module docstring)."""
    setattr(view, _MARK, True)
    return view


def is_anonymous_page(view: object) -> bool:
    return bool(getattr(view, _MARK, False))
