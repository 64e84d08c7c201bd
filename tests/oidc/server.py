"""A real OpenID Connect provider on localhost for the single sign-on tests.

panva's ``oidc-provider`` (npm) run with the machine's node, installed on first use into
``tests/oidc/node`` (gitignored). Without node, npm or the network the tests are skipped
with the reason, except under CI (``CI=true``), where they must run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

HERE = Path(__file__).parent
NODE_DIR = HERE / "node"
PACKAGE = "oidc-provider@8"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"the OpenID Connect test provider is needed in CI: {reason}")
    pytest.skip(f"no OpenID Connect test provider: {reason}")


def _install() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _unavailable("node and npm are not installed")
    assert node is not None and npm is not None
    if not (NODE_DIR / "node_modules" / "oidc-provider").is_dir():
        NODE_DIR.mkdir(exist_ok=True)
        result = subprocess.run(  # noqa: S603 - npm from PATH, fixed arguments
            [npm, "install", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund", PACKAGE],
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            _unavailable(f"npm install {PACKAGE} failed: {result.stderr.strip()[-500:]}")
    return node


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str
    redirect_uri: str


@contextmanager
def running_provider(clients: list[Client]) -> Iterator[str]:
    """Start the provider with these clients; yields its issuer URL."""
    node = _install()
    port = _free_port()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(
            [
                {
                    "client_id": c.client_id,
                    "client_secret": c.client_secret,
                    "redirect_uris": [c.redirect_uri],
                    "grant_types": ["authorization_code"],
                    "response_types": ["code"],
                    "token_endpoint_auth_method": "client_secret_post",
                }
                for c in clients
            ],
            f,
        )
    process = subprocess.Popen(  # noqa: S603 - node from PATH, our own script
        [node, str(HERE / "provider.mjs"), str(port), f.name],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        seen: list[str] = []
        for line in process.stdout:  # its warnings about development keys come first
            if line.startswith("ready "):
                break
            seen.append(line)
        else:
            raise RuntimeError("the OpenID Connect provider did not start: " + "".join(seen))
        # Keep reading what it prints, so a full pipe never stops it.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield line.split()[1]
    finally:
        process.terminate()
        process.wait(timeout=10)
        os.unlink(f.name)


_FORM = re.compile(r'<form[^>]*action="([^"]+)"', re.S)
_PROMPT = re.compile(r'name="prompt" value="([^"]+)"')


def sign_in_at_provider(authorize_url: str, *, login: str, stop_at: str) -> str:
    """Play the person at the provider: its login form, then its consent form. Returns the
    URL the provider sends the browser back to (the first one starting with stop_at)."""
    session = requests.Session()
    url = authorize_url
    for _ in range(12):
        response = session.get(url, allow_redirects=False, timeout=10)
        while True:
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                if url.startswith(stop_at):
                    return url
                break
            form, prompt = _FORM.search(response.text), _PROMPT.search(response.text)
            if form is None or prompt is None:
                raise AssertionError(f"unexpected provider page: {response.text[:500]}")
            data = {"prompt": prompt.group(1)}
            if prompt.group(1) == "login":
                data |= {"login": login, "password": "any"}
            response = session.post(
                urljoin(url, form.group(1)), data=data, allow_redirects=False, timeout=10
            )
    raise AssertionError("the provider never sent the browser back")
