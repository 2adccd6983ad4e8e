"""Every function stays readable: McCabe complexity at most 15 (issue 9 for the parser, issue 11 for all).

pyproject.toml selects ruff's C901 at 15 for the whole tree, so ``ruff check`` in CI enforces it; these
tests run the rule explicitly (so a configuration change that drops it fails here too) and check that
the configuration still says 15.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_COMPLEXITY = 15

def too_complex(package: Path) -> set[tuple[str, str]]:
    """(file name, function) of every function of ``package`` over MAX_COMPLEXITY, by ruff's C901."""
    run = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "C901", "--output-format", "json",
         "--config", f"lint.mccabe.max-complexity = {MAX_COMPLEXITY}", str(package)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )
    assert run.returncode in (0, 1), run.stderr
    found = set()
    for item in json.loads(run.stdout):
        assert item["code"] == "C901", item
        name = item["message"].split("`")[1]  # "`_frame` is too complex (50 > 15)"
        found.add((Path(item["filename"]).name, name))
    return found


def test_statement_functions_within_complexity() -> None:
    found = too_complex(ROOT / "worker" / "statements")
    assert found == set(), f"functions over complexity {MAX_COMPLEXITY}: {sorted(found)}"


def test_whole_tree_within_complexity() -> None:
    found = too_complex(ROOT)
    assert found == set(), f"functions over complexity {MAX_COMPLEXITY}: {sorted(found)}"


def test_ruff_configuration_enforces_the_limit() -> None:
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "C90" in lint["select"]
    assert lint["mccabe"]["max-complexity"] == MAX_COMPLEXITY
