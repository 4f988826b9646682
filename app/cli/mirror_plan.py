"""The plan at the end of ``crossfade mirror sync|import --dry-run`` (text output).

The log on stderr keeps jellyplex-sync's lines, one per change; stdout ends with what the run
would do, said once: the totals per action ("would create 1629 files in /target as hardlinks;
would remove 2 strays; 1 ignored") and the first ``--limit`` changes (``--all`` for every one),
then how many more. :class:`PlanTally` counts the events on their way to the log reporter and
keeps only the changes it will list, so memory stays flat without ``--all``.
"""

from __future__ import annotations

from collections import Counter

import typer

from app.cli.forwarding import ForwardingReporter
from app.cli.mirror_output import dry_run_word
from app.cli.plan_options import chosen_limit
from app.domain.mirror.reconcile import MirrorAction, Mode, StrayContext
from app.services.mirror.documents import text
from app.services.mirror.model import SyncOutcome
from app.services.ports import Reporter

CHANGES = frozenset({MirrorAction.LINK, MirrorAction.REPLACE, MirrorAction.REMOVE})
MODE_WORDS: dict[Mode, str] = {
    "hardlink": "as hardlinks",
    "copy": "as copies",
    "force-copy": "as copies",
}


class PlanTally(ForwardingReporter):
    """A reporter that counts events by action and keeps the first ``limit`` changes (every
    one when ``None``) before passing each event on to ``reporter``."""

    def __init__(self, reporter: Reporter, limit: int | None) -> None:
        super().__init__(reporter)
        self.limit = limit
        self.counts: Counter[str] = Counter()
        self.listed: list[tuple[str, str]] = []
        self.sources_removed = 0  # an import's staged videos, removed once copied

    def event(
        self,
        action: str,
        subject: str,
        *,
        level: str = "info",
        before: object = None,
        after: object = None,
        detail: str | None = None,
    ) -> None:
        if action == MirrorAction.REMOVE and after == StrayContext.IMPORTED_SOURCE:
            self.sources_removed += 1
        else:
            self.counts[action] += 1
        if action in CHANGES and (self.limit is None or len(self.listed) < self.limit):
            self.listed.append((action, subject))
        self.reporter.event(action, subject, level=level, before=before, after=after, detail=detail)

    @classmethod
    def for_run(cls, reporter: Reporter, *, limit: int, show_all: bool, dry_run: bool) -> PlanTally:
        """The tally of a command's run: a dry run keeps ``--limit`` changes (``--all``: every
        one) to print; a real run prints no plan and keeps none."""
        return cls(reporter, chosen_limit(limit, show_all) if dry_run else 0)

    @property
    def changes(self) -> int:
        return sum(self.counts[action] for action in CHANGES) + self.sources_removed


def plan_sentence(tally: PlanTally, outcome: SyncOutcome, *, mode: Mode, delete: bool) -> str:
    """``would create 1629 files in /t as hardlinks; would replace 3; 1 ignored``."""
    counts, summary = tally.counts, outcome.summary
    target = text(str(outcome.target_root))
    phrases = [
        (counts[MirrorAction.LINK], f"would create {{n}} files in {target} {MODE_WORDS[mode]}"),
        (counts[MirrorAction.REPLACE], "would replace {n}"),
        (counts[MirrorAction.REMOVE], "would remove {n} strays"),
        (tally.sources_removed, "would then remove {n} staged videos from the source"),
        (counts[MirrorAction.KEEP], "{n} strays kept (the last link to their data)"),
        (counts[MirrorAction.ERROR], "{n} failed"),
        (0 if delete else summary.strays_in_target, "{n} strays left (--delete removes them)"),
        (summary.items_ignored, "{n} ignored"),
        (summary.clashes, "{n} skipped (two sources, one target name)"),
    ]
    parts = [phrase.format(n=n) for n, phrase in phrases if n]
    if not tally.changes:
        parts.insert(0, "nothing to change")
    return "; ".join(parts)


def print_mirror_plan(tally: PlanTally, outcome: SyncOutcome, *, mode: Mode, delete: bool) -> None:
    """The totals, the listed changes and how many more (stdout)."""
    sentence = plan_sentence(tally, outcome, mode=mode, delete=delete)
    typer.echo(f"Plan (dry run, nothing written): {sentence}")
    for action, subject in tally.listed:
        typer.echo(f"{dry_run_word(action).ljust(7)} {text(subject)}")
    rest = tally.changes - len(tally.listed)
    if rest:
        typer.echo(f"… {rest} more (--limit N or --all to list them; --json has every event)")
