"""Calls of the API as its clients make them."""

from __future__ import annotations

from typing import Any

from django.test import Client


def get_json(client: Client, path: str, **headers: Any) -> Any:
    """The JSON of a GET that must answer 200."""
    response = client.get(path, **headers)
    assert response.status_code == 200, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    return response.json()
