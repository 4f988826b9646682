"""Path mappings between the paths a media server reports and the paths this process opens.

Pure: strings in, strings out; no file system access. A path is *Windows-style* when it starts
with a drive (``D:\\`` or ``D:/``) or is a UNC path (``\\\\server\\share\\...``); otherwise it is
POSIX. Windows-style paths accept both separators and compare case-insensitively (drive letters
included); POSIX paths compare exactly. Prefixes match whole components only, so ``/music``
never matches ``/musicals``.

A mapping list is ordered: the first mapping whose prefix matches wins. The rest of the path
keeps its original spelling and is joined with the target prefix's own separator.

:func:`propose_mappings` finds mappings from examples: for each server path it looks for local
files sharing the longest common suffix of path components, and votes for the prefixes that
remain on both sides.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_DRIVE = re.compile(r"^([A-Za-z]):(?:[\\/]|$)")


@dataclass(frozen=True)
class PathMapping:
    """``plex_prefix`` (as the server shows it) corresponds to ``local_prefix`` (here)."""

    plex_prefix: str
    local_prefix: str


@dataclass(frozen=True)
class SplitPath:
    """A path as an anchor (``/``, ``C:``, ``\\\\server\\share``, or ``""`` if relative) and its
    components; ``windows`` decides separators and case rules."""

    anchor: str
    parts: tuple[str, ...]
    windows: bool

    def key(self) -> tuple[str, tuple[str, ...]]:
        """A comparison key: casefolded for Windows-style paths."""
        if self.windows:
            return (self.anchor.casefold(), tuple(p.casefold() for p in self.parts))
        return (self.anchor, self.parts)

    def render(self) -> str:
        return join_path(self.anchor, self.parts, windows=self.windows)


@dataclass(frozen=True)
class MappingProposal:
    """A proposed mapping and the evidence: how many sampled paths it explains."""

    mapping: PathMapping
    supporting: int
    common_suffix_parts: int


def is_windows_path(path: str) -> bool:
    return bool(_DRIVE.match(path)) or (path.startswith("\\\\") and _is_unc(path))


def _is_unc(path: str) -> bool:
    body = path[2:].replace("/", "\\")
    server = body.partition("\\")[0]
    return bool(server) and not server.startswith("\\")


def split_path(path: str) -> SplitPath:
    """Split into anchor and components, dropping empty and ``.`` parts and resolving ``..``."""
    drive = _DRIVE.match(path)
    if drive or (path.startswith("\\\\") and _is_unc(path)):
        body = path.replace("/", "\\")
        if drive:
            anchor = drive.group(1).upper() + ":"
            rest = body[2:]
        else:
            pieces = body[2:].split("\\")
            anchor = "\\\\" + "\\".join(pieces[:2])
            rest = "\\".join(pieces[2:])
        return SplitPath(anchor, _clean(rest.split("\\")), windows=True)
    if path.startswith("/"):
        return SplitPath("/", _clean(path.split("/")), windows=False)
    return SplitPath("", _clean(path.split("/")), windows=False)


def _clean(parts: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for part in parts:
        if part in {"", "."}:
            continue
        if part == "..":
            if out:
                out.pop()
            continue
        out.append(part)
    return tuple(out)


def join_path(anchor: str, parts: Sequence[str], *, windows: bool) -> str:
    if windows:
        if anchor.startswith("\\\\"):
            return "\\".join([anchor, *parts]) if parts else anchor
        return anchor + "\\" + "\\".join(parts)
    if anchor == "/":
        return "/" + "/".join(parts)
    return "/".join(parts)


def strip_prefix(path: str, prefix: str) -> tuple[str, ...] | None:
    """The components of ``path`` after ``prefix``, or None when ``prefix`` does not match."""
    full, head = split_path(path), split_path(prefix)
    if full.windows != head.windows:
        return None
    full_anchor, full_parts = full.key()
    head_anchor, head_parts = head.key()
    if full_anchor != head_anchor or full_parts[: len(head_parts)] != head_parts:
        return None
    return full.parts[len(head.parts) :]


def _rewrite(path: str, source_prefix: str, target_prefix: str) -> str | None:
    rest = strip_prefix(path, source_prefix)
    if rest is None:
        return None
    target = split_path(target_prefix)
    return join_path(target.anchor, (*target.parts, *rest), windows=target.windows)


def map_plex_to_local(plex_path: str, mappings: Sequence[PathMapping]) -> str | None:
    """The local path of a server path by the first matching mapping, or None."""
    for mapping in mappings:
        local = _rewrite(plex_path, mapping.plex_prefix, mapping.local_prefix)
        if local is not None:
            return local
    return None


def map_local_to_plex(local_path: str, mappings: Sequence[PathMapping]) -> str | None:
    """The server path of a local path by the first matching mapping, or None."""
    for mapping in mappings:
        plex = _rewrite(local_path, mapping.local_prefix, mapping.plex_prefix)
        if plex is not None:
            return plex
    return None


def _suffix_len(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n


_Votes = dict[tuple[str, str], int]  # (plex prefix, local prefix) -> common suffix length


def propose_mappings(
    plex_paths: Iterable[str], local_files: Iterable[str], *, max_proposals: int = 5
) -> tuple[MappingProposal, ...]:
    """Mappings that turn the given server paths into existing local files, best first.

    For each server path, the local files with the same file name are compared component by
    component from the end; the candidates with the longest common suffix vote for the pair of
    remaining prefixes. Components are compared exactly first; a Windows-style server path
    whose name has no exact match falls back to case-insensitive comparison. The best-voted
    pair is proposed, the paths it explains are set aside, and the next pair is sought among
    the rest.
    """
    by_name: dict[str, list[SplitPath]] = defaultdict(list)
    by_folded: dict[str, list[SplitPath]] = defaultdict(list)
    for local in local_files:
        split = split_path(local)
        if split.parts:
            by_name[split.parts[-1]].append(split)
            by_folded[split.parts[-1].casefold()].append(split)
    votes_by_path = [
        votes for plex in plex_paths if (votes := _votes_of(split_path(plex), by_name, by_folded))
    ]
    proposals: list[MappingProposal] = []
    remaining = votes_by_path
    while remaining and len(proposals) < max_proposals:
        proposal = _best_voted(remaining)
        proposals.append(proposal)
        chosen = (proposal.mapping.plex_prefix, proposal.mapping.local_prefix)
        remaining = [votes for votes in remaining if chosen not in votes]
    return tuple(proposals)


def _votes_of(
    remote: SplitPath,
    by_name: dict[str, list[SplitPath]],
    by_folded: dict[str, list[SplitPath]],
) -> _Votes:
    """The prefix pairs of the local files sharing the longest suffix with one server path."""
    if not remote.parts:
        return {}
    candidates = by_name.get(remote.parts[-1], [])
    folded = False
    if not candidates and remote.windows:
        candidates, folded = by_folded.get(remote.parts[-1].casefold(), []), True
    best = 0
    pairs: _Votes = {}
    remote_parts = tuple(p.casefold() for p in remote.parts) if folded else remote.parts
    for candidate in candidates:
        local_parts = candidate.parts
        if folded:
            local_parts = tuple(p.casefold() for p in local_parts)
        n = _suffix_len(remote_parts, local_parts)
        if n == 0 or n < best:
            continue
        if n > best:
            best, pairs = n, {}
        plex_prefix = join_path(remote.anchor, remote.parts[:-n], windows=remote.windows)
        local_prefix = join_path(candidate.anchor, candidate.parts[:-n], windows=candidate.windows)
        pairs[(plex_prefix, local_prefix)] = n
    return pairs


def _best_voted(remaining: list[_Votes]) -> MappingProposal:
    """The pair most server paths vote for (ties: the shorter server prefix, then by name)."""
    tally: Counter[tuple[str, str]] = Counter()
    depth: dict[tuple[str, str], int] = {}
    for pairs in remaining:
        for pair, n in pairs.items():
            tally[pair] += 1
            depth[pair] = max(depth.get(pair, 0), n)
    (plex_prefix, local_prefix), count = max(
        tally.items(), key=lambda kv: (kv[1], -len(kv[0][0]), kv[0])
    )
    return MappingProposal(
        mapping=PathMapping(plex_prefix, local_prefix),
        supporting=count,
        common_suffix_parts=depth[(plex_prefix, local_prefix)],
    )
