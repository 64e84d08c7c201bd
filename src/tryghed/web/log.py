"""Logging filter: survey links carry a token; it must never reach a log.

Installed on the loggers that record requests (not only on a handler), so every
handler downstream, ours or an operator's, sees the redacted record. For survey paths
and the other anonymous pages (``_ANONYMOUS_PATH``) the request object itself is dropped
from the record: it holds the client's address, user agent and the token.
"""

from __future__ import annotations

import logging
import re

_SURVEY_TOKEN = re.compile(r"/s/(?!svar/)[A-Za-z0-9_\-]{8,}")
# An employee's one-time sign-in link (accounts.signin_link) is a credential too.
_SIGNIN_TOKEN = re.compile(r"/konto/link/[A-Za-z0-9_\-]{8,}")


# The addresses of anonymous people (request.path_info): a survey's link and answer form
# (whose POST holds the token and the answers), a sign-in link and the forms that use one
# (their POST holds it), Sig det's reporter (the report's text, the receipt code) and the
# dialogue phone (its cookie). A record about one of them keeps no request: it holds the
# client's address and browser beside them.
_ANONYMOUS_PATH = re.compile(
    r"^/(?:s/|d/|konto/link/|konto/(?:log-ind|bekraeft)-med-link/brug/$"
    r"|o/[^/]+/sig-det/(?:sag/)?$)"
)


class RedactSurveyTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # Django attaches the request also where the message names no path (its security
        # loggers: a link opened with too many query fields).
        request = getattr(record, "request", None)
        if request is not None and _ANONYMOUS_PATH.match(str(getattr(request, "path_info", ""))):
            record.request = None
        message = record.getMessage()
        if "/s/" in message:
            record.msg = _SURVEY_TOKEN.sub("/s/[token]", message)
            record.args = ()
            if hasattr(record, "request"):
                record.request = None
        if "/konto/link/" in record.getMessage():
            record.msg = _SIGNIN_TOKEN.sub("/konto/link/[token]", record.getMessage())
            record.args = ()
            if hasattr(record, "request"):
                record.request = None
        return True
