"""Reading the text files people export from spreadsheets.

Danish Excel writes Windows-1252 unless told otherwise, and macOS writes "ø" and "å" in
decomposed form (NFD) where Windows writes them composed (NFC): the same unit name would
then be two names. Every CSV the product reads goes through ``decode``.
"""

from __future__ import annotations

import unicodedata

__all__ = ["decode"]


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252; composed (NFC) either way.

    Raises UnicodeDecodeError when the bytes are neither (cp1252 leaves five bytes undefined).
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    return unicodedata.normalize("NFC", text)
