"""Dependencies point down: domain apps → accounts/registry → core. Core imports no domain app;
what a domain app adds to a shared page (a home card, an event verb) it registers itself."""

import ast
from pathlib import Path

import pytest
from django.test import RequestFactory

from linli.core import home

CORE = Path(__file__).resolve().parents[2] / "src" / "linli" / "core"
DOMAIN_APPS = {
    "tickets",
    "deliberation",
    "volunteers",
    "care",
    "mediation",
    "worklist",
    "facilities",
    "notices",
    "dashboard",
}


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against linli.core.<...>
                rel = path.relative_to(CORE.parent).with_suffix("").parts[: -node.level]
                base = ".".join(("linli", *rel, base)) if base else ".".join(("linli", *rel))
            found.append(base)
    return found


def test_core_imports_no_domain_app():
    offenders = []
    for path in CORE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for mod in _imported_modules(path):
            parts = mod.split(".")
            if len(parts) >= 2 and parts[0] == "linli" and parts[1] in DOMAIN_APPS:
                offenders.append(f"{path.relative_to(CORE)} imports {mod}")
    assert offenders == []


def _dict_keys(tree: ast.AST) -> set[str]:
    return {
        k.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Dict)
        for k in node.keys
        if isinstance(k, ast.Constant) and isinstance(k.value, str)
    }


def test_core_declares_no_domain_apps_permissions():
    """Core's permission table holds the actions of the layers below the domain apps only;
    each domain app declares its own (``<app>/roles.py``, ``register_permissions``)."""
    core_actions = _dict_keys(ast.parse((CORE / "roles.py").read_text(encoding="utf-8")))
    domain_nouns = set()
    for app in DOMAIN_APPS:
        roles = CORE.parent / app / "roles.py"
        if roles.exists():
            keys = _dict_keys(ast.parse(roles.read_text(encoding="utf-8")))
            domain_nouns |= {k.split(".")[0] for k in keys if "." in k}
    assert "ticket" in domain_nouns  # the scan reads the apps' tables
    assert sorted(a for a in core_actions if a.split(".")[0] in domain_nouns) == []


def test_each_action_the_policy_knows_is_declared_once_by_its_owner():
    """Every ``ticket.*`` action comes from tickets/roles.py, none from core."""
    from linli.core import roles
    from linli.tickets import roles as ticket_roles

    tickets_keys = _dict_keys(ast.parse(Path(ticket_roles.__file__).read_text(encoding="utf-8")))
    ticket_actions = {a for a in roles.PERMISSIONS if a.startswith("ticket.")}
    assert ticket_actions and ticket_actions == tickets_keys


def test_tickets_registers_its_home_cards():
    keys = [c.key for c in home.registered_cards()]
    assert {"tickets.mine", "tickets.queue", "tickets.tiles"} <= set(keys)


@pytest.mark.django_db
def test_a_registered_card_shows_only_to_whom_its_context_answers(world, monkeypatch):
    monkeypatch.setattr(home, "_CARDS", dict(home._CARDS))
    seen = []

    def only_staff(user):
        seen.append(user.pk)
        return {"probe": 1} if user.pk == world.staff.pk else None

    home.register_home_card("probe", template="tickets/home/queue.html", context=only_staff)
    rf = RequestFactory()
    req = rf.get("/")
    req.user = world.staff
    ctx = home.home_context(req)
    assert "tickets/home/queue.html" in ctx["work_cards"] and ctx["probe"] == 1
    req.user = world.resident
    ctx = home.home_context(req)
    assert "probe" not in ctx
    assert seen == [world.staff.pk, world.resident.pk]
