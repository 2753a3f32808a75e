"""Defect 10: the README promised indicator imports in reporting/, and the declared
AGPL-3.0-or-later had no LICENSE file."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _layout_lines() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Project layout", 1)[1].split("```")[1]
    return {
        match.group(1): match.group(2)
        for match in re.finditer(r"^([a-z_]+)/\s+(.*)$", block, flags=re.MULTILINE)
    }


def test_the_license_file_holds_the_agpl_version_3():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.lstrip().startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
    assert "Version 3, 19 November 2007" in text
    assert "13. Remote Network Interaction" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_every_folder_the_readme_lists_exists():
    missing = [name for name in _layout_lines() if not (ROOT / name).is_dir()]
    assert missing == []


def test_the_readme_places_imports_where_the_code_is():
    lines = _layout_lines()
    assert "import" not in lines["reporting"]
    assert "plan import" in lines["measures"]
    assert (ROOT / "measures" / "plan_import.py").exists()
