"""``crossfade import pmrs|pmrs-s`` against the Plex emulator: one command turns the old tool's
configuration into saved libraries and a link that runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli.main import app
from plex_emulator.builder import Folder
from plex_emulator.server import EmulatorServer
from tests.emulator.support import OWNER_TOKEN, running_emulator, write_library
from tests.fixtures.mediamonkey import build_mm_db


@pytest.fixture
def music(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_library(tmp_path / "music", tmp_path_factory)


@pytest.fixture
def emulator(music: Path) -> Iterator[EmulatorServer]:
    # Plex sees the files where they are: PMRS's own set-up (it reads Plex's paths)
    with running_emulator(music=[Folder(str(music))]) as server:
        yield server


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CROSSFADE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CROSSFADE_DATABASE_URL", raising=False)
    monkeypatch.delenv("CROSSFADE_REDIS_URL", raising=False)
    for name in ("PMRS_PLEX_URL", "PMRS_PLEX_TOKEN", "PMRS_PLEX_LIBRARIES"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "data"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def run_link(link_id: int, mode: str) -> dict[str, object]:
    code, out, err = invoke("ratings", "run", str(link_id), "--mode", mode, "--json")
    assert code == 0, out + err
    return json.loads(out)


def test_pmrs_s_config_ini_becomes_a_link_that_runs(
    emulator: EmulatorServer, music: Path, data: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.ini"
    config.write_text(
        "[main]\nsource = plex   # Source player\ndestination = filesystem\nsync = [tracks]\n"
        f"[plex]\nserver = {emulator.url}\nusername = me\ntoken = {OWNER_TOKEN}\n"
        f"[filesystem]\npath = {music}\ndefault-tag = MUSICBEE\n"
        "conflict-resolution-strategy = highest\n",
        encoding="utf-8",
    )
    code, out, err = invoke("import", "pmrs-s", str(config), "--json")
    assert code == 0, out + err
    document = json.loads(out)
    assert [(lib["kind"], lib["created"]) for lib in document["libraries"]] == [
        ("plex_music", True),
        ("music_folder", True),
    ]
    [link] = document["links"]
    assert (link["kind"], link["direction"]) == ("ratings", "a_to_b")
    assert document["next"] == [f"crossfade ratings export --link {link['id']} --dry-run"]
    assert "created a new database at" in err and str(data) in err
    assert OWNER_TOKEN not in out  # the token is saved sealed, never shown

    report = run_link(link["id"], "export")
    counters = report["counters"]
    assert isinstance(counters, dict) and counters["pairs"] == counters["items_a"] > 0

    # the same file again reuses everything: one history, not two
    code, out, _ = invoke("import", "pmrs-s", str(config), "--json")
    again = json.loads(out)
    assert [lib["created"] for lib in again["libraries"]] == [False, False]
    assert [(lnk["id"], lnk["created"]) for lnk in again["links"]] == [(link["id"], False)]


def test_pmrs_s_text_output_says_what_was_kept_and_not(
    emulator: EmulatorServer, music: Path, data: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.ini"
    config.write_text(
        f"[main]\nsource=filesystem\ndestination=plex\ncache-mode=disabled\n"
        f"[plex]\nserver=Living room\ntoken={OWNER_TOKEN}\npasswd=x\n[filesystem]\npath={music}\n"
    )
    code, out, err = invoke("import", "pmrs-s", str(config), "--plex-url", emulator.url)
    assert code == 0, out + err
    assert "created library" in out and "created ratings link" in out
    assert "not kept: [plex] passwd" in out and "cache-mode" in out
    assert "crossfade ratings import --link" in out


def test_import_errors_are_messages_not_tracebacks(data: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.ini"
    config.write_text(
        "[main]\nsource = plex\ndestination = filesystem\n[plex]\ntoken = t\nserver = Den\n"
    )
    code, out, err = invoke("import", "pmrs-s", str(config))
    assert code == 1 and "--plex-url" in err and "Traceback" not in out + err
    code, _, err = invoke("import", "pmrs", str(tmp_path / "missing.yml"))
    assert code == 1 and "cannot read" in err
    bad = tmp_path / "config.yml"
    bad.write_text("plex: [unclosed\n")
    code, _, err = invoke("import", "pmrs", str(bad))
    assert code == 1 and "not valid YAML" in err


def test_libraries_and_links_list(
    emulator: EmulatorServer, music: Path, data: Path, tmp_path: Path
) -> None:
    code, out, _ = invoke("links", "list")
    assert code == 0 and "none yet" in out
    config = tmp_path / "config.ini"
    config.write_text(
        f"[main]\nsource=plex\ndestination=filesystem\n[plex]\nserver={emulator.url}\n"
        f"token={OWNER_TOKEN}\n[filesystem]\npath={music}\n"
    )
    assert invoke("import", "pmrs-s", str(config))[0] == 0
    code, out, _ = invoke("libraries", "list", "--json")
    rows = json.loads(out)
    assert {row["kind"] for row in rows} == {"plex_music", "music_folder"}
    assert OWNER_TOKEN not in out
    code, out, _ = invoke("links", "list")
    assert code == 0 and "ratings" in out and "→" in out
    code, out, _ = invoke("links", "list", "--kind", "mirror", "--json")
    assert json.loads(out) == []


def test_pmrs_s_mediamonkey_to_plex_becomes_a_link_that_runs(
    emulator: EmulatorServer, data: Path, tmp_path: Path
) -> None:
    (tmp_path / "mm").mkdir()
    database = build_mm_db(tmp_path / "mm" / "MM.DB", version=4)
    config = tmp_path / "config.ini"
    config.write_text(
        "[main]\nsource = mediamonkey\ndestination = plex\nsync = [tracks]\n"
        f"[plex]\nserver = Den\ntoken = {OWNER_TOKEN}\n"
    )
    code, out, err = invoke(
        "import", "pmrs-s", str(config), "--plex-url", emulator.url,
        "--mediamonkey-db", str(database), "--json",
    )  # fmt: skip
    assert code == 0, out + err
    document = json.loads(out)
    assert [lib["kind"] for lib in document["libraries"]] == ["plex_music", "mediamonkey"]
    [link] = document["links"]
    assert link["direction"] == "b_to_a"  # MediaMonkey (B) is the source: only Plex is written
    before = database.read_bytes()
    code, out, err = invoke("ratings", "run", str(link["id"]), "--dry-run", "--json")
    assert code in (0, 3), out + err
    assert json.loads(out)["counters"]["items_b"] > 0
    assert database.read_bytes() == before


def test_pmrs_config_yml_becomes_a_link_that_runs(
    emulator: EmulatorServer,
    music: Path,
    data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path / "config.yml"
    config.write_text(
        f"plex:\n  url: {emulator.url}\n  token: wrong-token\n  libraries:\n    - Music\n"
    )
    monkeypatch.setenv("PMRS_PLEX_TOKEN", OWNER_TOKEN)  # PMRS's own override wins, as in PMRS
    code, out, err = invoke("import", "pmrs", str(config), "--json")
    assert code == 0, out + err
    document = json.loads(out)
    plex, folder = document["libraries"]
    assert (plex["kind"], folder["kind"]) == ("plex_music", "music_folder")
    [link] = document["links"]
    assert link["direction"] == "both"
    assert document["next"] == [f"crossfade ratings sync --link {link['id']} --dry-run"]
    assert any("environment: token" in note for note in document["kept"])

    code, out, err = invoke("libraries", "list", "--json")
    where = {row["kind"]: row["where"] for row in json.loads(out)}
    assert where["music_folder"] == str(music)  # the folder Plex's section uses

    code, out, err = invoke("ratings", "sync", "--link", str(link["id"]), "--dry-run", "--json")
    assert code == 0, out + err
    counters = json.loads(out)["counters"]
    assert counters["pairs"] == counters["items_a"] > 0
