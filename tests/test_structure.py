"""The import direction of gardenhub/: a lower package never imports a higher one.

Leaves (the database, errors, time zones, forms' base, the outbox, the iCal
serializer, …) import no domain package. Domain packages import leaves and
lower domains only; packages of the same rank do not import each other. Read
from the source with `ast`, so a new import that points the wrong way fails
`make test`.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "gardenhub"

LEAVES = {
    "audit",
    "calendar",
    "config",
    "converters",
    "csrf",
    "db",
    "errors",
    "extensions",
    "formfields",
    "i18n",
    "notifications",
    "outcomes",
    "qr",
    "roles",
    "security",
    "slugs",
    "timezones",
    "tokens",
}
# Lower first. Same rank: neither may import the other.
RANKS = {
    "accounts": 1,
    "gardens": 2,
    "plots": 3,
    "projects": 3,
    "workdays": 4,
    "tasks": 5,
    "hours": 5,
    "feeds": 6,
    "community": 6,
    "guests": 6,
    "me": 7,
    "api": 7,
}
# The app factory, CLI, demo data and the model registry see everything.
TOP = {"__init__", "cli", "demo", "models"}
# Not code: the translation catalogs (gardenhub.i18n reads them).
DATA = {"translations"}


def unit_of(module: str) -> str | None:
    """`gardenhub.workdays.signups` -> "workdays"; outside gardenhub -> None."""
    parts = module.split(".")
    if parts[0] != "gardenhub" or len(parts) < 2:
        return None
    return parts[1]


def imports() -> list[tuple[str, str, int]]:
    found = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        unit = relative.parts[1] if len(relative.parts) > 1 else "__init__"
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                target = unit_of(name)
                if target and target != unit and (target in LEAVES or target in RANKS):
                    found.append((f"{relative}:{node.lineno}", unit, target))
    return found


def test_every_unit_has_a_place():
    units = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()}
    units = {u for u in units if not u.startswith("__pycache__")}
    assert units - LEAVES - set(RANKS) - TOP - DATA == set()


def test_imports_point_one_way():
    wrong = []
    for where, unit, target in set(imports()):
        if unit in TOP:
            continue
        if unit in LEAVES and target in RANKS:
            wrong.append(f"{where}: leaf {unit} imports the domain {target}")
        if unit in RANKS and target in RANKS and RANKS[target] >= RANKS[unit]:
            wrong.append(f"{where}: {unit} imports {target}, which is not lower")
    assert sorted(wrong) == []
