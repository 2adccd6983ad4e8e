"""The README's layout section stays true: every path it names exists, and every top-level folder and
every package of worker/ is named there. Single modules are not required (a new one need not be
listed), but one that is listed must be there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADING = "### Layout"
# folders that are not part of the project: caches and build output (.gitignore), hidden ones
NOT_OURS = {"__pycache__", "build", "dist"}


def layout_section(readme: str) -> str:
    """The text from the layout heading to the next heading."""
    start = readme.index(HEADING) + len(HEADING)
    end = re.compile(r"^#", re.M).search(readme, start)
    return readme[start:end.start() if end else len(readme)]


def named_paths(section: str) -> set[str]:
    """The paths the section names: code spans that are one word with a "/" in it or a file name
    (commands, options and code such as `uv run pytest` or `open_db()` are not paths)."""
    spans = re.findall(r"`([^`\s]+)`", section)
    return {span for span in spans if re.fullmatch(r"[\w.-]+(/[\w.-]+)*/?", span)
            and ("/" in span or re.search(r"\.(py|md|toml|yml|opml)$", span))}


def top_level_folders() -> set[str]:
    return {p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")
            and p.name not in NOT_OURS and not p.name.endswith(".egg-info")}


def worker_packages() -> set[str]:
    return {init.parent.relative_to(ROOT).as_posix() for init in (ROOT / "worker").rglob("__init__.py")
            if init.parent != ROOT / "worker"}


def _paths() -> set[str]:
    return named_paths(layout_section((ROOT / "README.md").read_text(encoding="utf-8")))


def test_every_path_the_layout_names_exists() -> None:
    paths = _paths()
    assert len(paths) > 20, "the layout section was not found or names almost nothing"
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert missing == [], f"README layout names paths that do not exist: {missing}"
    not_dirs = sorted(p for p in paths if p.endswith("/") and not (ROOT / p).is_dir())
    assert not_dirs == []


def test_every_top_level_folder_is_in_the_layout() -> None:
    listed = {p.strip("/").split("/")[0] for p in _paths()}
    assert sorted(top_level_folders() - listed) == []


def test_every_package_of_worker_is_in_the_layout() -> None:
    listed = {p.rstrip("/") for p in _paths()}
    assert sorted(worker_packages() - listed) == []


def test_the_checks_see_what_is_missing() -> None:
    """The parsing itself: a section naming a path that is not there, or leaving out a package."""
    section = layout_section("# T\n### Layout\n- `worker/cli/` and `db/nowhere.py`; run `uv run x`, "
                             "`open_db()`, `--jsonl`, `file:`\n## Next\n- `worker/fetch/`\n")
    assert named_paths(section) == {"worker/cli/", "db/nowhere.py"}
    assert not (ROOT / "db" / "nowhere.py").exists()
    assert "worker/fetch" in worker_packages() - {p.rstrip("/") for p in named_paths(section)}
