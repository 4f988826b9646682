"""The JSON documents of the mirror (a compatible superset of jellyplex-sync 0.5.0's), built
from the outcomes of :mod:`app.services.mirror.service`, for the CLI and the HTTP API alike.

Names that are not UTF-8 are shown with ``\\xNN`` escapes (:func:`printable`), so every
document encodes as UTF-8. A sync document is written in three parts so that its events can
be streamed between them: :func:`sync_head`, one :func:`event_payload` per event, then
:func:`sync_tail`; a plan likewise (:func:`plan_head`, :func:`movie_payload`, :func:`plan_tail`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.domain.mirror.naming import Loss, printable
from app.domain.mirror.planned import MirrorPlan, PlannedAsset, PlannedFile, PlannedMovie
from app.services.mirror.model import (
    DiffOutcome,
    MirrorEvent,
    MirrorRequest,
    PlanOutcome,
    SyncOutcome,
)

Fields = list[tuple[str, object]]
"""Top-level keys of a document in order, to be written one by one."""


def text(value: str | Path) -> str:
    return printable(str(value))


def under(root: Path, relative: str) -> str:
    """The printable absolute path of a plan path (``""`` is the root itself)."""
    return text(f"{root}/{relative}" if relative else root)


def endpoint(path: Path, fmt: str | None) -> dict[str, str]:
    return {"path": text(path), "format": fmt or "?"}


def loss_payload(loss: Loss) -> dict[str, object]:
    return {"kind": loss.kind, "key": loss.key, "value": loss.value, "reason": loss.reason}


def event_payload(event: MirrorEvent) -> dict[str, str]:
    """``{action, target, source?, context?, detail?}``: absent keys are left out."""
    item = {"action": event.action, "target": text(event.target)}
    if event.source is not None:
        item["source"] = text(event.source)
    if event.context is not None:
        item["context"] = event.context
    if event.detail is not None:
        item["detail"] = text(event.detail)
    return item


def _error(error: Exception | None) -> str | None:
    return text(str(error)) if error is not None else None


def common_lists(
    plan: MirrorPlan | None, source: Path, target: Path, marked_root: str | None = None
) -> dict[str, list[Any]]:
    """The lists every document has, keyed by their names in the document."""
    if plan is None:
        return {
            "ignored": [],
            "marked_in_source": [text(source)] if marked_root == "source" else [],
            "marked_in_target": [text(target)] if marked_root == "target" else [],
            "translation_losses": [],
            "undecodable_names": [],
        }
    return {
        "ignored": [
            {"path": under(source, i.path), "name": text(i.name), "reason": i.reason}
            for i in plan.ignored
        ],
        "marked_in_source": [under(source, p) for p in plan.marked_in_source],
        "marked_in_target": [under(target, p) for p in plan.marked_in_target],
        "translation_losses": [loss_payload(loss) for loss in plan.losses()],
        "undecodable_names": [under(source, p) for p in plan.undecodable],
    }


def clashes_payload(plan: MirrorPlan | None) -> list[dict[str, object]]:
    if plan is None:
        return []
    return [
        {
            "movie_folder": text(c.movie_folder),
            "target_filename": text(c.target_filename),
            "source_filenames": [text(n) for n in c.source_filenames],
        }
        for c in plan.clashes
    ]


def folder_clashes_payload(plan: MirrorPlan | None) -> list[dict[str, object]]:
    if plan is None:
        return []
    return [
        {
            "target_folder_name": text(c.target_folder_name),
            "source_folder_names": [text(n) for n in c.source_folder_names],
        }
        for c in plan.folder_clashes
    ]


# --------------------------------------------------------------------------------------------
# sync
# --------------------------------------------------------------------------------------------


def sync_head(dry_run: bool, operation: str = "sync") -> Fields:
    """The keys before the ``events`` array (``operation`` is ``import`` for an import)."""
    return [("operation", operation), ("dry_run", dry_run)]


def import_tail(outcome: SyncOutcome, request: MirrorRequest, *, move: bool) -> Fields:
    """An import's keys after the ``events`` array: a sync's, with ``mode`` (``move`` or
    ``copy``) and the count of staged videos removed (``summary.sources_removed``)."""
    fields: Fields = [("mode", "move" if move else "copy")]
    for key, value in sync_tail(outcome, request):
        if key == "summary" and isinstance(value, dict):
            value = {**value, "sources_removed": outcome.summary.sources_removed}
        if key not in ("strays_in_target", "nested_strays"):
            fields.append((key, value))
    return fields


def sync_tail(outcome: SyncOutcome, request: MirrorRequest) -> Fields:
    """The keys after the ``events`` array."""
    summary = outcome.summary
    lists = common_lists(
        outcome.plan, outcome.source_root, outcome.target_root, outcome.marked_root
    )
    return [
        ("exit_code", outcome.exit_code),
        ("source", endpoint(request.source, outcome.source_format)),
        ("target", endpoint(request.target, outcome.target_format)),
        (
            "summary",
            {
                "movies_total": summary.movies_total,
                "movies_processed": summary.movies_processed,
                "files_updated": summary.files_updated,
                "files_removed": summary.files_removed,
                "remove_errors": summary.remove_errors,
                "items_ignored": summary.items_ignored,
                "strays_in_target": summary.strays_in_target,
                "clashes": summary.clashes,
                "marked_in_source": summary.marked_in_source + (outcome.marked_root == "source"),
                "marked_in_target": summary.marked_in_target + (outcome.marked_root == "target"),
                "files_skipped": summary.files_skipped,
                "movies_settled": summary.movies_settled,
                "removals_refused": summary.removals_refused,
                "item_errors": summary.item_errors,
            },
        ),
        ("ignored", lists["ignored"]),
        ("marked_in_source", lists["marked_in_source"]),
        ("marked_in_target", lists["marked_in_target"]),
        ("strays_in_target", [text(s) for s in outcome.strays_in_target]),
        ("translation_losses", lists["translation_losses"]),
        ("clashes", clashes_payload(outcome.plan)),
        ("folder_clashes", folder_clashes_payload(outcome.plan)),
        ("nested_strays", [under(outcome.target_root, p) for p in outcome.nested_strays]),
        ("undecodable_names", lists["undecodable_names"]),
        ("changed_folders", [text(p) for p in outcome.changed_folders]),
        ("error", _error(outcome.error)),
    ]


# --------------------------------------------------------------------------------------------
# diff
# --------------------------------------------------------------------------------------------


def diff_document(outcome: DiffOutcome, request: MirrorRequest) -> dict[str, object]:
    """The whole diff document (``differing`` per movie and the ``summary`` of the marked
    counts are our additions)."""
    report = outcome.report
    lists = common_lists(
        outcome.plan, outcome.source_root, outcome.target_root, outcome.marked_root
    )
    return {
        "operation": "diff",
        "exit_code": outcome.exit_code,
        "source": endpoint(request.source, outcome.source_format),
        "target": endpoint(request.target, outcome.target_format),
        "in_sync": report.in_sync if report is not None else False,
        "movies_only_in_source": [
            {"source_folder": text(m.source_folder), "expected_target": text(m.expected_target)}
            for m in (report.movies_only_in_source if report else ())
        ],
        "movies_only_in_target": [
            text(n) for n in (report.movies_only_in_target if report else ())
        ],
        "differing_movies": [
            {
                "target_movie_name": text(d.target_movie_name),
                "only_in_source": [text(n) for n in d.only_in_source],
                "only_in_target": [text(n) for n in d.only_in_target],
                "differing": [text(n) for n in d.differing],
            }
            for d in (report.differing_movies if report else ())
        ],
        **lists,
        "summary": {
            "marked_in_source": len(lists["marked_in_source"]),
            "marked_in_target": len(lists["marked_in_target"]),
        },
        "error": _error(outcome.error),
    }


# --------------------------------------------------------------------------------------------
# plan
# --------------------------------------------------------------------------------------------


def file_payload(planned: PlannedFile, source_root: Path) -> dict[str, object]:
    item: dict[str, object] = {
        "source": under(source_root, planned.source),
        "target_name": text(planned.target_name),
    }
    if planned.drops:
        item["drops"] = [loss_payload(loss) for loss in planned.drops]
    if planned.disambiguation is not None:
        item["disambiguation"] = {
            "strategy": planned.disambiguation.strategy,
            "detail": text(planned.disambiguation.detail),
        }
    if planned.copy:
        item["copy"] = True
    return item


def asset_payload(asset: PlannedAsset, source_root: Path) -> dict[str, object]:
    return {
        "source": under(source_root, asset.source),
        "folder_name": text(asset.folder_name),
        "files": [file_payload(f, source_root) for f in asset.files],
        "subfolders": [asset_payload(s, source_root) for s in asset.subfolders],
    }


def movie_payload(movie: PlannedMovie, source_root: Path, target_root: Path) -> dict[str, object]:
    """One entry of the plan's ``movies`` array (``extras`` is our addition)."""
    item: dict[str, object] = {
        "source_folder": text(movie.source_folder),
        "source_path": under(source_root, movie.source_folder),
        "target_folder": text(movie.target_folder),
        "target_path": under(target_root, movie.target_folder),
        "videos": [file_payload(f, source_root) for f in movie.videos],
        "loose_files": [file_payload(f, source_root) for f in movie.loose_files],
        "assets": [asset_payload(a, source_root) for a in movie.assets],
    }
    if movie.extras:
        item["extras"] = [
            {**file_payload(f, source_root), "target": text(f.target)} for f in movie.extras
        ]
    if movie.folder_drops:
        item["folder_drops"] = [loss_payload(loss) for loss in movie.folder_drops]
    return item


def plan_head(outcome: PlanOutcome, request: MirrorRequest) -> Fields:
    """The keys before the ``movies`` array."""
    plan = outcome.plan
    lists = common_lists(plan, outcome.source_root, outcome.target_root, outcome.marked_root)
    return [
        ("operation", "plan"),
        ("exit_code", outcome.exit_code),
        ("source", endpoint(request.source, outcome.source_format)),
        ("target", endpoint(request.target, outcome.target_format)),
        (
            "summary",
            {
                "movies": len(plan.movies) if plan else 0,
                "folder_clashes": len(plan.folder_clashes) if plan else 0,
                "movie_clashes": len(plan.clashes) if plan else 0,
                "translation_losses": len(plan.losses()) if plan else 0,
                "ignored": len(plan.ignored) if plan else 0,
                "marked_in_source": len(lists["marked_in_source"]),
                "marked_in_target": len(lists["marked_in_target"]),
            },
        ),
    ]


def plan_tail(outcome: PlanOutcome) -> Fields:
    """The keys after the ``movies`` array."""
    plan = outcome.plan
    lists = common_lists(plan, outcome.source_root, outcome.target_root, outcome.marked_root)
    return [
        ("folder_clashes", folder_clashes_payload(plan)),
        ("movie_clashes", clashes_payload(plan)),
        ("translation_losses", lists["translation_losses"]),
        ("ignored", lists["ignored"]),
        ("marked_in_source", lists["marked_in_source"]),
        ("marked_in_target", lists["marked_in_target"]),
        ("undecodable_names", lists["undecodable_names"]),
        ("error", _error(outcome.error)),
    ]
