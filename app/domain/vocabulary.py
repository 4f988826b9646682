"""The words pages use for the machine names of jobs: counters, event actions, job kinds,
phases, statuses and triggers, and a finished run's summary in a sentence with its next step.

Reports (CSV, JSON) and the API keep the machine names; only pages translate. A name this
module does not know is shown as it is, with its underscores turned into spaces, so a new
counter never breaks a page. ``{a}`` and ``{b}`` in a label stand for the names of the link's
two sides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Flow(StrEnum):
    """What a job kind does, as far as its summary sentence is concerned."""

    SYNC = "sync"
    UNDO = "undo"
    MIRROR = "mirror"
    OTHER = "other"


JOB_KINDS: dict[str, tuple[str, Flow]] = {
    "ratings_sync": ("Ratings sync", Flow.SYNC),
    "ratings_undo": ("Undo of a ratings sync", Flow.UNDO),
    "playlists_sync": ("Playlists sync", Flow.SYNC),
    "playlists_undo": ("Undo of a playlists sync", Flow.UNDO),
    "mirror": ("Movie mirror", Flow.MIRROR),
    "selftest": ("Self-test", Flow.OTHER),
}

# counter -> (one, many): the words after the number
COUNTERS: dict[str, tuple[str, str]] = {
    "items_a": ("item read in {a}", "items read in {a}"),
    "items_b": ("item read in {b}", "items read in {b}"),
    "pairs": ("matched pair", "matched pairs"),
    "matched_new": ("new match", "new matches"),
    "review": ("weak match to review", "weak matches to review"),
    "unmatched_a": ("item only in {a}", "items only in {a}"),
    "unmatched_b": ("item only in {b}", "items only in {b}"),
    "unchanged": ("pair already in agreement", "pairs already in agreement"),
    "written_a": ("rating written to {a}", "ratings written to {a}"),
    "written_b": ("rating written to {b}", "ratings written to {b}"),
    "baselines_recorded": ("pair found in agreement", "pairs found in agreement"),
    "conflicts": ("conflict", "conflicts"),
    "skipped": ("item skipped", "items skipped"),
    "errors": ("error", "errors"),
    "files_read": ("file read", "files read"),
    "files_cached": ("file unchanged since last read", "files unchanged since last read"),
    "playlists_a": ("playlist in {a}", "playlists in {a}"),
    "playlists_b": ("playlist in {b}", "playlists in {b}"),
    "created_a": ("playlist created in {a}", "playlists created in {a}"),
    "created_b": ("playlist created in {b}", "playlists created in {b}"),
    "updated_a": ("playlist updated in {a}", "playlists updated in {a}"),
    "updated_b": ("playlist updated in {b}", "playlists updated in {b}"),
    "deleted_a": ("playlist deleted in {a}", "playlists deleted in {a}"),
    "deleted_b": ("playlist deleted in {b}", "playlists deleted in {b}"),
    "entries_added": ("entry added", "entries added"),
    "entries_removed": ("entry removed", "entries removed"),
    "entries_moved": ("entry moved", "entries moved"),
    "unmatched": ("entry without a match", "entries without a match"),
    "restored_a": ("playlist restored in {a}", "playlists restored in {a}"),
    "restored_b": ("playlist restored in {b}", "playlists restored in {b}"),
    "movies_total": ("movie in the source", "movies in the source"),
    "movies_processed": ("movie processed", "movies processed"),
    "files_updated": ("file linked or replaced", "files linked or replaced"),
    "files_skipped": ("file already up to date", "files already up to date"),
    "files_removed": ("stray file removed", "stray files removed"),
    "items_ignored": ("item ignored", "items ignored"),
    "clashes": ("folder clash", "folder clashes"),
    "strays_in_target": ("stray in the target", "strays in the target"),
}

# the counters that undo jobs reuse with another meaning
UNDO_COUNTERS: dict[str, tuple[str, str]] = {
    "written_a": ("rating restored in {a}", "ratings restored in {a}"),
    "written_b": ("rating restored in {b}", "ratings restored in {b}"),
}

ACTIONS: dict[str, str] = {
    "write_a": "write to {a}",
    "write_b": "write to {b}",
    "conflict": "conflict",
    "review": "weak match",
    "unmatched": "no match",
    "match_lost": "match lost",
    "match_moved": "match moved",
    "tags_disagree": "tags disagree",
    "skip_direction": "skipped (one-way link)",
    "error": "error",
    "reconciled": "settled after a crash",
    "nothing_to_undo": "nothing to undo",
    "changed_since": "changed since, left alone",
    "not_applied": "never written",
    "undo_sticks": "undo kept",
    "restore": "restore",
    "link": "create",
    "replace": "replace",
    "skip": "leave",
    "remove": "remove stray",
    "keep": "keep (last copy)",
    "ignored": "ignored",
    "refresh_failed": "library refresh failed",
    "playlist_create": "create playlist",
    "playlist_update": "update playlist",
    "playlist_delete": "delete playlist",
    "playlist_kept": "playlist kept",
    "playlist_held": "playlist held back",
    "playlist_skipped": "playlist skipped",
    "playlist_forgotten": "playlist forgotten",
    "playlist_restore": "restore playlist",
    "entry_added": "entry added",
    "entry_removed": "entry removed",
    "entry_moved": "entry moved",
    "entry_unmatched": "entry without a match",
    "conflict_settled": "conflict settled",
}

# a preview's planned actions -> (one, many): the words after the number
PLANNED: dict[str, tuple[str, str]] = {
    "write_a": ("to write in {a}", "to write in {a}"),
    "write_b": ("to write in {b}", "to write in {b}"),
    "conflict": ("conflict", "conflicts"),
    "review": ("weak match", "weak matches"),
    "unmatched": ("without a match", "without a match"),
    "link": ("file to create", "files to create"),
    "replace": ("file to replace", "files to replace"),
    "remove": ("stray to remove", "strays to remove"),
    "keep": ("stray kept (last copy)", "strays kept (last copies)"),
    "playlist_create": ("playlist to create", "playlists to create"),
    "playlist_update": ("playlist to update", "playlists to update"),
    "playlist_delete": ("playlist to delete", "playlists to delete"),
    "entry_added": ("entry to add", "entries to add"),
    "entry_removed": ("entry to remove", "entries to remove"),
    "entry_moved": ("entry to move", "entries to move"),
    "entry_unmatched": ("entry without a match", "entries without a match"),
}

# why an action happens, for events that carry no reason of their own
REASONS: dict[str, str] = {
    "link": "not in the target yet",
    "replace": "the target differs from the source",
    "remove": "not in the source any more",
    "keep": "the last copy of its data: kept",
}

PHASES: dict[str, str] = {
    "matching": "matching items",
    "planning": "planning",
    "writing": "writing",
    "undoing": "restoring",
    "scan": "reading the folders",
    "index": "indexing",
    "plan": "planning",
    "apply": "writing",
}

STATUSES: dict[str, str] = {
    "queued": "waiting",
    "running": "running",
    "succeeded": "done",
    "failed": "failed",
    "cancelled": "cancelled",
    "interrupted": "interrupted",
}

TRIGGERS: dict[str, str] = {
    "ui": "this dashboard",
    "api": "the API",
    "cli": "the command line",
    "schedule": "its schedule",
    "webhook": "a webhook",
}


def _plain(name: str) -> str:
    return name.replace("_", " ")


def counted(count: int, one: str, many: str) -> str:
    """``1 conflict``, ``2 conflicts``, ``0 conflicts``."""
    return f"{count} {one if count == 1 else many}"


def _sides(text: str, a: str, b: str) -> str:
    return text.replace("{a}", a).replace("{b}", b)


def job_kind_label(kind: str) -> str:
    entry = JOB_KINDS.get(kind)
    return entry[0] if entry else _plain(kind).capitalize()


def is_undo_kind(kind: str) -> bool:
    entry = JOB_KINDS.get(kind)
    return entry is not None and entry[1] is Flow.UNDO


def counter_label(name: str, count: int, *, kind: str = "", a: str = "A", b: str = "B") -> str:
    """The counter with its number: ``2 ratings written to Demo Plex``."""
    words = (UNDO_COUNTERS.get(name) if is_undo_kind(kind) else None) or COUNTERS.get(name)
    if words is None:
        return f"{count} {_plain(name)}"
    return _sides(counted(count, *words), a, b)


def action_label(action: str, *, a: str = "A", b: str = "B") -> str:
    return _sides(ACTIONS.get(action, _plain(action)), a, b)


def action_reason(action: str, detail: str | None) -> str:
    """The event's own reason (with one kind of arrow), else the usual one for its action."""
    return detail.replace(" -> ", " → ") if detail else REASONS.get(action, "")


def planned_words(action: str, count: int, *, a: str = "A", b: str = "B") -> str:
    """The words after a preview's count of one action: ``to write in Demo Plex``."""
    words = PLANNED.get(action)
    if words is None:
        return f"× {action_label(action, a=a, b=b)}"
    return _sides(words[0] if count == 1 else words[1], a, b)


def planned_label(action: str, count: int, *, a: str = "A", b: str = "B") -> str:
    """A preview's count of one action: ``2 to write in Demo Plex``, ``9 files to create``."""
    return f"{count} {planned_words(action, count, a=a, b=b)}"


def phase_label(phase: str | None, *, finished: bool) -> str | None:
    """What a job is doing; nothing once it has finished (its last phase is history)."""
    if finished or not phase:
        return None
    head, _, rest = phase.partition(" ")
    if head in PHASES:
        return PHASES[head] + (f" {rest}" if rest else "")
    return _plain(phase)


def status_label(status: str) -> str:
    return STATUSES.get(status, _plain(status))


def trigger_label(trigger: str) -> str:
    return TRIGGERS.get(trigger, _plain(trigger))


@dataclass(frozen=True, slots=True)
class NextStep:
    """Where a person goes after a run: ``label`` of a link to ``path`` (under the app)."""

    text: str
    label: str
    path: str


@dataclass(frozen=True, slots=True)
class RunSummary:
    sentence: str
    next_step: NextStep | None


_WRITES: dict[Flow, tuple[str, ...]] = {
    Flow.SYNC: ("written_a", "written_b", "created_a", "created_b", "updated_a", "updated_b"),
    Flow.UNDO: ("written_a", "written_b", "restored_a", "restored_b"),
    Flow.MIRROR: ("files_updated", "files_removed"),
}


def _parts(kind: str, counters: Mapping[str, int], a: str, b: str, flow: Flow) -> list[str]:
    names = [*_WRITES.get(flow, ()), "conflicts", "review", "errors"]
    return [
        counter_label(name, counters[name], kind=kind, a=a, b=b)
        for name in names
        if counters.get(name)
    ]


def _next_step(kind: str, counters: Mapping[str, int]) -> NextStep | None:
    conflicts = counters.get("conflicts", 0)
    if conflicts:
        path = "/playlists" if kind.startswith("playlists") else "/conflicts"
        waits = "waits" if conflicts == 1 else "wait"
        text = f"{counted(conflicts, 'conflict', 'conflicts')} {waits} for you"
        return NextStep(text, "Resolve", path)
    review = counters.get("review", 0)
    if review:
        text = f"{counted(review, 'weak match waits', 'weak matches wait')} for a look"
        return NextStep(text, "Review", "/matches")
    return None


def run_summary(
    kind: str,
    counters: Mapping[str, int],
    *,
    dry_run: bool = False,
    a: str = "A",
    b: str = "B",
) -> RunSummary:
    """``Wrote 2 ratings written to …``: the run's changes in one sentence, and what to do
    next (a conflict to resolve, a weak match to review) when something waits for a person."""
    flow = JOB_KINDS.get(kind, ("", Flow.OTHER))[1]
    parts = _parts(kind, counters, a, b, flow)
    if flow is Flow.OTHER:
        parts = [counter_label(n, v, kind=kind, a=a, b=b) for n, v in sorted(counters.items())]
    if not parts:
        sentence = "Nothing needed changing." if not dry_run else "A run would change nothing."
    else:
        lead = "Planned: " if dry_run else ""
        sentence = lead + ", ".join(parts) + "."
    return RunSummary(sentence[0].upper() + sentence[1:], _next_step(kind, counters))


_RESTORES: tuple[tuple[str, str, str], ...] = (
    ("written_a", "rating", "{a}"),
    ("written_b", "rating", "{b}"),
    ("created_a", "playlist created", "{a}"),
    ("created_b", "playlist created", "{b}"),
    ("updated_a", "playlist changed", "{a}"),
    ("updated_b", "playlist changed", "{b}"),
    ("deleted_a", "playlist deleted", "{a}"),
    ("deleted_b", "playlist deleted", "{b}"),
)


def undo_question(job_id: int, counters: Mapping[str, int], *, a: str = "A", b: str = "B") -> str:
    """What a confirmation before an undo asks: which run, and what it puts back where."""
    parts = []
    for name, what, where in _RESTORES:
        count = counters.get(name, 0)
        if count:
            noun = counted(count, what, what.replace("playlist", "playlists", 1))
            if what == "rating":
                noun = counted(count, "rating", "ratings")
            parts.append(_sides(f"{noun} in {where}", a, b))
    restores = ", ".join(parts) if parts else "what it wrote"
    return (
        f"Undo run {job_id}? This puts back the values from before it for {restores}; "
        "an item changed again since is left alone."
    )


# a technical failure -> what it means, for a person (the technical text stays available)
_FAILURES: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("gaierror", "name or service not known", "name resolution", "nodename nor servname"),
        "the server name could not be resolved (check the address)",
    ),
    (
        ("connectionrefused", "connection refused"),
        "nothing answered at that address and port (is the server running?)",
    ),
    (("timed out", "timeout"), "the server did not answer in time"),
    (("certificate", "ssl"), "the server's certificate was not accepted"),
    (("answered 401", "unauthorized", "answered 403"), "the server refused the token"),
    (("answered 5",), "the server had a problem answering"),
    (("no such file or directory", "filenotfound"), "a file or folder is missing"),
    (("permission denied", "permissionerror"), "no permission to read or write there"),
    (
        ("cannot connect", "cannot reach the server"),
        "nothing answered at that address (check the URL and that the server is running)",
    ),
    (("no answer to",), "the server did not answer in time"),
    (
        (
            "wrong username or password",
            "error 40:",
            "error 44:",
            "key was refused",
            "http 401",
            "http 403",
            "not allowed for this library",
        ),
        "the server refused the sign-in (check the user, the password or the API key)",
    ),
    (
        ("no subsonic answer", "not a subsonic json answer"),
        "that address does not answer like a Subsonic server (check the URL, without /rest)",
    ),
)


def explain_failure(text: str | None) -> str | None:
    """What a technical error means in plain words, when it is a known kind; else None (the
    text is shown as it is)."""
    if not text:
        return None
    lowered = text.lower()
    for needles, meaning in _FAILURES:
        if any(needle in lowered for needle in needles):
            return meaning
    return None
