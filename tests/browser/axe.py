"""axe-core in the page under test: WCAG 2.0/2.1 level A and AA rules, a readable failure."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.base import AXE_SCRIPT  # axe.min.js as shipped in the wheel
from playwright.sync_api import Page

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": list(WCAG_TAGS)},
    "resultTypes": ["violations"],
}


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe on the page as it is now and return its violations (axe's own dicts)."""
    # page.evaluate goes through the DevTools protocol, so the site's strict CSP still holds.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    result: dict[str, Any] = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe_violations(url: str, violations: list[dict[str, Any]], *, who: str = "") -> str:
    """One block per rule: page, rule id, impact, help, and each element's selector and HTML."""
    heading = f"{url}" + (f" ({who})" if who else "")
    lines = [f"axe: {len(violations)} WCAG 2.1 A/AA rule(s) violated on {heading}"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation.get('impact') or 'n/a'}] {violation['help']}"
            f"\n  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}\n       {node['html']}")
            summary = node.get("failureSummary")
            if summary:
                lines.append("       " + summary.replace("\n", "\n       "))
    return "\n".join(lines)


def assert_accessible(page: Page, *, who: str = "") -> None:
    """Fail the test when axe finds any WCAG 2.0/2.1 A or AA violation on the page."""
    violations = axe_violations(page)
    if violations:
        pytest.fail(describe_violations(page.url, violations, who=who), pytrace=False)
