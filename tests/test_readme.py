"""The README's Layout section names every module of the package, and no module that is not there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "jupyter_awsrole"
BUILD_OUTPUT = ("labextension", "_notebooks")


def layout() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("## Layout\n")
    end = text.find("\n## ", start + 1)
    return text[start:] if end == -1 else text[start:end]


def modules() -> list[str]:
    """Every module of the package and its subpackages, as a path from jupyter_awsrole/ (`localaws/seed.py`)."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] not in BUILD_OUTPUT and "__pycache__" not in relative.parts:
            found.append(relative.as_posix())
    return sorted(found)


def test_every_module_is_named_in_the_layout():
    section = layout()
    missing = [module for module in modules() if f"`{module}`" not in section]
    assert not missing, f"README's Layout does not name: {', '.join(missing)}"


def test_every_module_the_layout_names_exists():
    named = re.findall(r"`([\w/]+\.py)`", layout())
    gone = [name for name in named if not (PACKAGE / name).is_file() and not (ROOT / name).is_file()]
    assert named and not gone, f"README's Layout names modules that do not exist: {', '.join(gone)}"
