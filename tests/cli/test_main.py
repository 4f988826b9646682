"""``app.cli.main``: a light start (the command table, nothing heavy imported), a truthful
``--help``, plain flags, stated defaults, and quiet commands unless ``-v``."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer import _click as click
from typer.testing import CliRunner

from app.cli.main import COMMANDS, CommandEntry, app, load_command

HEAVY = ("fastapi", "sqlalchemy", "sqlmodel", "alembic", "jinja2", "starlette", "plex_emulator")
CLI_MODULES = sorted(
    f"app.cli.{path.stem}"
    for path in (Path(__file__).parents[2] / "app" / "cli").glob("*.py")
    if path.stem != "__init__"
)


def heavy_modules_after(module: str, then: str = "pass") -> list[str]:
    """Top-level packages of ``HEAVY`` a fresh interpreter holds after ``import module; then``."""
    script = (
        f"import json, sys\nimport {module}\ntry:\n    {then}\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    found: list[str] = json.loads(done.stdout.splitlines()[-1])
    return found


def test_importing_the_cli_loads_no_web_database_or_emulator_module() -> None:
    assert heavy_modules_after("app.cli.main") == []


def test_no_cli_module_imports_the_heavy_stack_at_module_level() -> None:
    """One interpreter imports them in turn and names the first that pulls the stack in."""
    script = (
        "import importlib, sys\n"
        f"for module in {CLI_MODULES!r}:\n"
        "    importlib.import_module(module)\n"
        f"    if {{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}):\n"
        "        print(module)\n"
        "        break\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert len(CLI_MODULES) > 10
    assert done.stdout == ""


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["tags", "--help"]])
def test_help_and_version_load_nothing_heavy(args: list[str]) -> None:
    assert heavy_modules_after("app.cli.main", f"app.cli.main.app({args!r})") == []


def test_the_table_names_each_command_once() -> None:
    names = [entry.name for entry in COMMANDS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("entry", COMMANDS, ids=lambda entry: entry.name)
def test_each_row_loads_a_command_whose_help_the_row_repeats(entry: CommandEntry) -> None:
    command = load_command(entry)
    assert command.name == entry.name
    assert (command.help or "").startswith(entry.help)  # the row repeats its first sentence


def test_help_lists_every_command_with_its_help() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for entry in COMMANDS:
        assert f"  {entry.name} " in result.output
        assert " ".join(entry.help.split()[:3]) in result.output  # shortened to fit the width
    assert "--install-completion" in result.output
    assert "--verbose" in result.output


def test_an_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["no-such-command"])
    assert result.exit_code == 2
    assert "No such command" in result.output


def _every_command_path(command: click.Command, path: tuple[str, ...]) -> list[tuple[str, ...]]:
    paths = [path]
    for name, sub in getattr(command, "commands", {}).items():
        paths += _every_command_path(sub, (*path, name))
    return paths


ALL_PATHS = [
    path for entry in COMMANDS for path in _every_command_path(load_command(entry), (entry.name,))
]


@pytest.mark.parametrize("path", ALL_PATHS, ids=" ".join)
def test_help_shows_flags_without_a_metavar_and_states_defaults(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output
    assert "Usage: crossfade " in result.output


def _db_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSFADE_")}
    env["CROSSFADE_DATA_DIR"] = str(tmp_path / "data")
    env["CROSSFADE_LOG_LEVEL"] = "info"
    return env


def test_a_command_that_migrates_the_database_is_quiet_unless_verbose(tmp_path: Path) -> None:
    cli = [sys.executable, "-c", "from app.cli.main import main; main()"]
    quiet = subprocess.run(
        [*cli, "token", "list"], env=_db_env(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""

    verbose = subprocess.run(
        [*cli, "-v", "db", "downgrade", "base"],
        env=_db_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verbose.returncode == 0, verbose.stderr
    assert "INFO alembic" in verbose.stderr


@pytest.mark.parametrize(
    ("words", "cword", "expected"),
    [
        ("crossfade pl", 1, {"plex", "playlists"}),
        ("crossfade playlists sync --mode ", 4, {"mirror", "append"}),
    ],
)
def test_the_shell_completes_commands_and_choices(
    words: str, cword: int, expected: set[str]
) -> None:
    env = {**os.environ, "_CROSSFADE_COMPLETE": "complete_bash", "COMP_WORDS": words}
    env["COMP_CWORD"] = str(cword)
    done = subprocess.run(
        [sys.executable, "-c", "from app.cli.main import app; app(prog_name='crossfade')"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert set(done.stdout.split()) == expected
