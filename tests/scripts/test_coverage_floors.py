"""scripts/coverage_floors, run as CI runs it, on reports of ``coverage json``'s shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "coverage_floors"


def _file(
    lines: int, covered_lines: int, branches: int, covered_branches: int
) -> dict[str, object]:
    return {
        "summary": {
            "num_statements": lines,
            "covered_lines": covered_lines,
            "num_branches": branches,
            "covered_branches": covered_branches,
        }
    }


def _run(tmp_path: Path, files: dict[str, dict[str, object]]) -> subprocess.CompletedProcess[str]:
    report = tmp_path / "coverage.json"
    report.write_text(json.dumps({"files": files}), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(report)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("files", "returncode", "verdicts"),
    [
        # domain 96 %, whole (96 + 86) / 200 = 91 %: both floors hold
        (
            {
                "app/domain/rating.py": _file(80, 78, 20, 18),
                "app/services/sync.py": _file(80, 70, 20, 16),
            },
            0,
            ["ok", "ok"],
        ),
        # domain 94 %: below its floor although the whole (184 / 200 = 92 %) holds
        (
            {
                "app/domain/rating.py": _file(80, 76, 20, 18),
                "app/services/sync.py": _file(80, 74, 20, 16),
            },
            1,
            ["BELOW FLOOR", "ok"],
        ),
        # branches count: every line run but half the branches -> whole 150 / 200 = 75 %
        (
            {
                "app/domain/rating.py": _file(80, 80, 20, 20),
                "worker/main.py": _file(50, 50, 50, 0),
            },
            1,
            ["ok", "BELOW FLOOR"],
        ),
        # no domain file measured at all is a failure, not a pass
        ({"app/services/sync.py": _file(10, 10, 0, 0)}, 1, ["BELOW FLOOR", "ok"]),
    ],
)
def test_floors(
    tmp_path: Path, files: dict[str, dict[str, object]], returncode: int, verdicts: list[str]
) -> None:
    result = _run(tmp_path, files)
    assert result.returncode == returncode, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.rsplit(": ", 1)[1] for line in lines] == verdicts


def test_the_report_names_the_figures(tmp_path: Path) -> None:
    result = _run(tmp_path, {"app/domain/rating.py": _file(90, 85, 10, 10)})
    assert result.stdout.splitlines()[0] == (
        "coverage domain (app/domain): 95.0 % (95/100), floor 95 %: ok"
    )
