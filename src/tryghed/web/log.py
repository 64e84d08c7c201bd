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
# A password reset's address holds the user's id and a reset token: who reads it may set
# the password. Also without its last slash: the address is answered by a redirect to it
# with the slash, and the server's log line of that request ends in the token.
_RESET_TOKEN = re.compile(r"/konto/ny-adgangskode/[^/\s?#\"']+/[^/\s?#\"']+")


# The addresses of anonymous people (request.path_info): a survey's link and answer form
# (whose POST holds the token and the answers), a sign-in link and the forms that use one
# (their POST holds it), Sig det's reporter (the report's text, the receipt code) and the
# dialogue phone (its cookie), the learning log's page for writing a situation (an entry
# may be anonymous: the request names the signed-in writer beside the text) and a password
# reset (the reset token, and the new password in its form). A record about one of them
# keeps no request: it holds the client's address and browser beside them.
_ANONYMOUS_PATH = re.compile(
    r"^/(?:s/|d/|konto/link/|konto/(?:log-ind|bekraeft)-med-link/brug/$"
    r"|konto/ny-adgangskode/|o/[^/]+/sig-det/(?:sag/)?$|o/[^/]+/laering/\d+/ny/$)"
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
        if "/konto/ny-adgangskode/" in record.getMessage():
            record.msg = _RESET_TOKEN.sub("/konto/ny-adgangskode/[token]", record.getMessage())
            record.args = ()
            if hasattr(record, "request"):
                record.request = None
        return True
