"""app/cli/coercion.py converts values as typer's pydantic coercion does, without pydantic.

Each row runs one command line twice through the same typer app: with typer's own coercion
and with ours. The output (the repr of what the command received, or the error) and the exit
code must be the same.
"""

from __future__ import annotations

import subprocess
import sys
from enum import StrEnum
from pathlib import Path
from typing import Literal

import pytest
import typer
import typer.core
from typer._coercion import resolve_type_descriptor
from typer.models import OptionInfo
from typer.testing import CliRunner

from app.cli import coercion


class Colour(StrEnum):
    red = "red"
    green = "green"


probe = typer.Typer()


@probe.command()
def show(
    text: str = typer.Option("d", "--text"),
    count: int = typer.Option(1, "--count"),
    share: float = typer.Option(5.0, "--share", min=0, max=100),
    level: int = typer.Option(3, "--level", min=1, max=5, clamp=True),
    colour: Colour = typer.Option(Colour.red, "--colour"),
    any_case: Colour = typer.Option(Colour.red, "--any-case", case_sensitive=False),
    side: Literal["left", "right"] = typer.Option("left", "--side"),
    where: Path | None = typer.Option(None, "--where"),
    existing: Path | None = typer.Option(None, "--existing", exists=True, dir_okay=False),
    tags: list[str] = typer.Option([], "--tag"),
    places: list[Path] = typer.Option([], "--place"),
    colours: list[Colour] = typer.Option([], "--colours"),
    flag: bool = typer.Option(False, "--flag", envvar="PROBE_FLAG"),
) -> None:
    values = (text, count, share, level, colour, any_case, side, where, existing, tags)
    typer.echo(repr((*values, places, colours, flag)))


ROWS = [
    [],
    ["--text", "é ✓"],
    ["--text", ""],
    ["--count", "3"],
    ["--count", "-2"],
    ["--count", " 4 "],
    ["--count", "x"],
    ["--count", "2.5"],
    ["--share", "50"],
    ["--share", "0"],
    ["--share", "100"],
    ["--share", "1e1"],
    ["--share", "-1"],
    ["--share", "101"],
    ["--share", "abc"],
    ["--level", "0"],
    ["--level", "9"],
    ["--level", "4"],
    ["--colour", "green"],
    ["--colour", "GREEN"],
    ["--colour", "blue"],
    ["--any-case", "GREEN"],
    ["--side", "right"],
    ["--side", "up"],
    ["--where", "rel/p"],
    ["--where", "/abs/q"],
    ["--existing", "{file}"],
    ["--existing", "{dir}"],
    ["--existing", "{missing}"],
    ["--tag", "a", "--tag", "b"],
    ["--place", "x", "--place", "{dir}"],
    ["--colours", "red", "--colours", "green"],
    ["--colours", "red", "--colours", "pink"],
    ["--flag"],
]


def run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(probe, args, env=env)
    return result.exit_code, result.output


@pytest.fixture
def places(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "f.txt").write_text("x")
    return {"file": str(tmp_path / "f.txt"), "dir": str(tmp_path), "missing": str(tmp_path / "m")}


@pytest.mark.parametrize("row", ROWS, ids=[" ".join(row) or "defaults" for row in ROWS])
def test_the_same_values_and_errors_as_typer(
    row: list[str], places: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = [arg.format(**places) for arg in row]
    monkeypatch.setattr(typer.core, "build_runtime_param", coercion.TYPER_BUILD)
    theirs = run(args)
    coercion.install()
    ours = run(args)
    assert ours == theirs


@pytest.mark.parametrize("word", ["true", "YES", "on", "1", "false", "no", "0", "", "maybe"])
def test_a_flag_from_the_environment_reads_as_typer_reads_it(
    word: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(typer.core, "build_runtime_param", coercion.TYPER_BUILD)
    theirs = run([], env={"PROBE_FLAG": word})
    coercion.install()
    ours = run([], env={"PROBE_FLAG": word})
    assert ours == theirs


def test_only_plain_annotations_are_taken() -> None:
    info = OptionInfo()
    assert coercion.lean_runtime_param(resolve_type_descriptor(Path, info)) is not None
    assert coercion.lean_runtime_param(resolve_type_descriptor(list[int], info)) is not None
    assert coercion.lean_runtime_param(resolve_type_descriptor(typer.FileText, info)) is None
    assert coercion.lean_runtime_param(resolve_type_descriptor(complex, info)) is None
    parsed = OptionInfo(parser=int)
    assert coercion.lean_runtime_param(resolve_type_descriptor(int, parsed)) is None


COMMANDS = {
    "mirror sync": ["mirror", "sync", "--create", "--source-format", "plex", "{src}", "{dst}"],
    "tags read": ["tags", "read", "{song}"],
    "--version": ["--version"],
}


@pytest.mark.parametrize("name", COMMANDS)
def test_a_command_that_runs_does_not_import_pydantic(name: str, tmp_path: Path) -> None:
    song = tmp_path / "song.mp3"
    song.write_bytes((Path(__file__).parent.parent / "fixtures" / "audio" / "mp3.mp3").read_bytes())
    (tmp_path / "src").mkdir()
    places = {"src": tmp_path / "src", "dst": tmp_path / "dst", "song": song}
    args = [arg.format(**places) for arg in COMMANDS[name]]
    script = (
        "import sys\n"
        "from app.cli.main import main\n"
        f"sys.argv = ['crossfade', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        "print(code, 'pydantic' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert done.stdout.strip().splitlines()[-1] == "0 False", done.stdout + done.stderr
