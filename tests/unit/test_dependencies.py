"""The product's own code imports only what ``scripts/run`` installs: the main
dependencies in pyproject.toml, not the ``test`` extras (the test command installs both,
so a product import of a test-only package would pass every test and break the service;
zxing-cpp once did)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).parents[2]
PRODUCT = [
    "records",
    "ocr",
    "search",
    "storage",
    "ingest",
    "api",
    "hoso",
    "signing",
    "forms",
    "classify",
    "synth",
]
#: test helpers that live beside the code they test (never imported by the product)
TEST_ONLY_MODULES = {"signing/testing.py"}


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_product_imports_only_main_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    main = {_name(r) for r in project["dependencies"]}
    test_only = {_name(r) for r in project["optional-dependencies"]["test"]} - main
    owners = packages_distributions()
    wrong = []
    for package in PRODUCT:
        for path in (ROOT / package).rglob("*.py"):
            if str(path.relative_to(ROOT)) in TEST_ONLY_MODULES:
                continue
            for module in _imports(path) - set(sys.stdlib_module_names) - set(PRODUCT):
                dists = {d.lower().replace("_", "-") for d in owners.get(module, [])}
                if dists and dists <= test_only:
                    wrong.append(f"{path.relative_to(ROOT)} imports {module} ({', '.join(dists)})")
    assert not wrong, wrong
