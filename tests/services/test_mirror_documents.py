"""The mirror's JSON documents, from real outcomes: jellyplex-sync's keys and then ours."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.services.mirror.documents import (
    diff_document,
    event_payload,
    movie_payload,
    plan_head,
    plan_tail,
    sync_head,
    sync_tail,
)
from app.services.mirror.model import MirrorEvent, MirrorRequest
from app.services.mirror.service import diff, plan, sync

MOVIE = "Heat (1995) {imdb-tt0113277}"
MOVIE_JF = "Heat (1995) [imdbid-tt0113277]"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "plex" / MOVIE
    folder.mkdir(parents=True)
    (folder / f"{MOVIE} [1080p] [HDR].mkv").write_bytes(b"v")
    (folder / f"{MOVIE}-trailer.mkv").write_bytes(b"t")
    (tmp_path / "plex" / "readme.txt").write_bytes(b"r")
    return tmp_path / "plex"


def test_event_payload_leaves_out_what_is_absent() -> None:
    assert event_payload(MirrorEvent("link", "/t/a", "/s/a")) == {
        "action": "link",
        "target": "/t/a",
        "source": "/s/a",
    }
    bad = b"/t/\xff".decode("utf-8", "surrogateescape")
    assert event_payload(MirrorEvent("remove", bad, context="movie_stray")) == {
        "action": "remove",
        "target": "/t/\\xff",
        "context": "movie_stray",
    }


def test_sync_document_parts(library: Path, tmp_path: Path) -> None:
    request = MirrorRequest(source=library, target=tmp_path / "jf", create=True)
    outcome = sync(request)
    document = dict([*sync_head(False), ("events", []), *sync_tail(outcome, request)])
    json.dumps(document)
    assert document["operation"] == "sync" and document["exit_code"] == 0
    assert document["target"] == {"path": str(tmp_path / "jf"), "format": "jellyfin"}
    summary = document["summary"]
    assert isinstance(summary, dict) and summary["files_updated"] == 2
    assert document["translation_losses"] == [
        {
            "kind": "label",
            "key": None,
            "value": "HDR",
            "reason": "no equivalent in a Jellyfin version label",
        }
    ]
    assert document["ignored"] == [
        {"path": str(library / "readme.txt"), "name": "readme.txt", "reason": "not a directory"}
    ]
    assert document["changed_folders"] == [str(tmp_path / "jf" / MOVIE_JF)]
    assert document["error"] is None


def test_diff_document(library: Path, tmp_path: Path) -> None:
    request = MirrorRequest(source=library, target=tmp_path / "jf", create=True)
    sync(request)
    (tmp_path / "jf" / MOVIE_JF / "trailers" / f"{MOVIE_JF}.mkv").unlink()
    document = diff_document(diff(request), request)
    assert document["in_sync"] is False and document["exit_code"] == 1
    assert document["differing_movies"] == [
        {
            "target_movie_name": MOVIE_JF,
            "only_in_source": [f"trailers/{MOVIE_JF}.mkv"],
            "only_in_target": [],
            "differing": [],
        }
    ]
    missing = diff_document(diff(MirrorRequest(source=library, target=tmp_path / "no")), request)
    assert missing["exit_code"] == 2 and "does not exist" in str(missing["error"])


def test_plan_document(library: Path, tmp_path: Path) -> None:
    request = MirrorRequest(source=library, target=tmp_path / "jf")
    outcome = plan(request)
    assert outcome.plan is not None
    head, tail = dict(plan_head(outcome, request)), dict(plan_tail(outcome))
    assert head["operation"] == "plan" and head["summary"] == {
        "movies": 1,
        "folder_clashes": 0,
        "movie_clashes": 0,
        "translation_losses": 1,
        "ignored": 1,
        "marked_in_source": 0,
        "marked_in_target": 0,
    }
    movie = movie_payload(outcome.plan.movies[0], outcome.source_root, outcome.target_root)
    assert movie["target_folder"] == MOVIE_JF
    assert movie["extras"] == [
        {
            "source": str(library / MOVIE / f"{MOVIE}-trailer.mkv"),
            "target_name": f"{MOVIE_JF}.mkv",
            "target": f"{MOVIE_JF}/trailers/{MOVIE_JF}.mkv",
        }
    ]
    assert tail["movie_clashes"] == [] and tail["error"] is None


def test_documents_of_a_marked_root(library: Path, tmp_path: Path) -> None:
    (library / ".crossfade-ignore").write_bytes(b"")
    request = MirrorRequest(source=library, target=tmp_path / "jf", create=True)
    outcome = sync(request)
    tail = dict(sync_tail(outcome, request))
    assert tail["marked_in_source"] == [str(library)]
    summary = tail["summary"]
    assert isinstance(summary, dict) and summary["marked_in_source"] == 1
    head = dict(plan_head(plan(request), request))
    summary = head["summary"]
    assert isinstance(summary, dict) and summary["marked_in_source"] == 1
