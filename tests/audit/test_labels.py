"""Every action the code records in the audit log reads as words on the pages that list
audit rows, in both languages; the rows themselves keep their codes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

from tests.conftest import World, client_for
from tryghed.audit.labels import ACTION_LABELS, action_label
from tryghed.audit.services import audit_record
from tryghed.orgs.models import ImportKind

SOURCE = Path(__file__).resolve().parents[2] / "src" / "tryghed"


def _strings(node: ast.expr, constants: dict[str, str]) -> list[str]:
    """The action codes an expression can give: literals, both arms of a conditional, a
    module constant; an f-string gives its literal head followed by "*"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body, constants) + _strings(node.orelse, constants)
    if isinstance(node, ast.Name) and node.id in constants:
        return [constants[node.id]]
    if isinstance(node, ast.JoinedStr):
        head = node.values[0]
        assert isinstance(head, ast.Constant) and isinstance(head.value, str), ast.unparse(node)
        return [head.value + "*"]
    return []


def _recorded_actions() -> tuple[set[str], set[str]]:
    """The codes recorded, and those an f-string makes: its head joined to each literal
    the module's own ``_audit`` helper is called with (``what``)."""
    found: set[str] = set()
    made: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        heads: set[str] = set()
        whats: set[str] = set()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else ""
            values = [k.value for k in node.keywords if k.arg == "action"]
            if name == "_record" and path.name == "receivers.py" and node.args:
                values.append(node.args[0])
            for value in values:
                for code in _strings(value, constants):
                    (heads.add(code[:-1]) if code.endswith("*") else found.add(code))
            if name == "_audit":
                arguments = [k.value for k in node.keywords if k.arg == "what"] + node.args
                whats.update(
                    a.value
                    for a in arguments
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)
                )
        if "import." in heads:  # import.{plan.kind}
            made.update(f"import.{kind}" for kind in ImportKind.values)
            heads.discard("import.")
        assert not heads or whats, f"{path}: an f-string action without _audit literals"
        made.update(f"{head}{what}" for head in heads for what in whats)
    return found, made


def test_every_recorded_action_has_a_label() -> None:
    codes, made = _recorded_actions()
    # Found where the audit rows are written, so a new one cannot slip past.
    assert {"auth.login", "voice.acknowledge", "unit.closed", "measurement.results_mailed"} <= codes
    assert {"actions.plan_signed_off", "learning.entry_forwarded", "import.people"} <= made
    # argparse's action="store_true" and the like are not audit codes.
    missing = sorted(c for c in codes | made if "." in c and c not in ACTION_LABELS)
    assert not missing, f"audit actions without a label in tryghed/audit/labels.py: {missing}"


def test_labels_are_words_in_both_languages_and_unknown_codes_show_as_they_are() -> None:
    with translation.override("da"):
        danish = {code: action_label(code) for code in ACTION_LABELS}
    with translation.override("en"):
        english = {code: action_label(code) for code in ACTION_LABELS}
    assert danish["voice.acknowledge"] == "Sig det: sag kvitteret"
    assert english["voice.acknowledge"] == "Speak up: case acknowledged"
    untranslated = sorted(c for c in ACTION_LABELS if english[c] == danish[c])
    assert not untranslated, f"labels without an English translation: {untranslated}"
    assert action_label("something.new") == "something.new"


@pytest.mark.django_db
def test_the_front_page_and_a_units_history_show_labels_not_codes(world: World) -> None:
    audit_record(actor=world.owner, action="unit.renamed", organisation=world.org, obj=world.team_a)
    front = client_for(world.owner).get("/o/testkommune/").content.decode()
    assert "Enhed omdøbt" in front and "unit.renamed" not in front
    world.team_a.refresh_from_db()
    history = client_for(world.owner).get(f"/o/testkommune/enheder/{world.team_a.pk}/")
    assert history.status_code == 200
    page = history.content.decode()
    assert "Enhed omdøbt" in page and "unit.renamed" not in page
