import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_configuration_table_matches_settings() -> None:
    table = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "config_table.py")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.strip()
    assert table.count("\n") >= 5
    assert table in (ROOT / "README.md").read_text()


def test_readme_has_the_two_commands_and_a_features_section() -> None:
    readme = (ROOT / "README.md").read_text()
    start = readme.split("## Start it\n")[1].split("\n## ")[0]
    # a virtual environment first, then the demo before anything else
    assert start.index("python3 -m venv .venv") < start.index("pip install -e .")
    assert start.index("pip install -e .") < start.index("crossfade demo")
    assert start.index("crossfade demo") < start.index("crossfade serve")
    assert "\nscripts/test\n" in readme
    assert "\n## Features\n" in readme
