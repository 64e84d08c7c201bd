"""Logging filter: survey links carry a token; it must never reach a log.

Installed on the loggers that record requests (not only on a handler), so every
handler downstream, ours or an operator's, sees the redacted record. For survey paths
the request object itself is dropped from the record: it holds the client's address,
user agent and the token.
"""

from __future__ import annotations

import logging
import re

_SURVEY_TOKEN = re.compile(r"/s/(?!svar/)[A-Za-z0-9_\-]{8,}")
# An employee's one-time sign-in link (accounts.signin_link) is a credential too.
_SIGNIN_TOKEN = re.compile(r"/konto/link/[A-Za-z0-9_\-]{8,}")


class RedactSurveyTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
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
