"""The domain is plain Python: importing any of its modules loads neither Flask nor SQLAlchemy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DOMAIN = Path(__file__).parents[2] / "fieldapp" / "domain"


def test_importing_the_domain_loads_no_flask_and_no_sqlalchemy():
    modules = sorted(
        f"fieldapp.domain.{p.stem}" for p in DOMAIN.glob("*.py") if p.stem != "__init__"
    )
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in ('flask', 'sqlalchemy', 'flask_sqlalchemy') if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", script],
        cwd=DOMAIN.parents[1],
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.strip() == "[]"
