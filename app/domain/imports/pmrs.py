"""PlexMusicRatingsSync's ``config.yml``: ``plex.url``, ``plex.token``, ``plex.libraries``.

PMRS reads the same three keys from the environment first (``PMRS_PLEX_URL``,
``PMRS_PLEX_TOKEN``, ``PMRS_PLEX_LIBRARIES`` as a comma-separated list), ignoring unset or
blank variables, exactly as it does. PMRS syncs one Plex server's music libraries with the
files Plex lists, so the plan is one Plex library (all the named sections) and one music
folder, joined by a two-way ratings link whose files are written with PMRS's own POPM frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.domain.errors import InvalidInput
from app.domain.imports.plan import FolderSource, ImportPlan, PlexSource, SystemKind
from app.domain.links import LinkKind

ENV_OVERRIDES: dict[str, str] = {
    "PMRS_PLEX_URL": "url",
    "PMRS_PLEX_TOKEN": "token",
    "PMRS_PLEX_LIBRARIES": "libraries",
}
PMRS_WRITE_PROFILE = "pmrs"  # PMRS's own POPM frame (email "Plex")


def overridden(document: object, environ: Mapping[str, str]) -> dict[str, Any]:
    """The ``plex`` mapping after PMRS's environment overrides."""
    root = document if isinstance(document, dict) else {}
    plex = root.get("plex")
    merged: dict[str, Any] = dict(plex) if isinstance(plex, dict) else {}
    for variable, key in ENV_OVERRIDES.items():
        value = environ.get(variable, "").strip()
        if not value:
            continue
        if key == "libraries":
            merged[key] = [name.strip() for name in value.split(",") if name.strip()]
        else:
            merged[key] = value
    return merged


def _text(plex: Mapping[str, Any], key: str, example: str) -> str:
    value = plex.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(
            f"config.yml: plex.{key} is missing or not text (e.g. `{key}: {example}`; "
            f"or set PMRS_PLEX_{key.upper()})"
        )
    return value.strip()


def parse_pmrs(
    document: object, environ: Mapping[str, str], *, music_dir: str | None = None
) -> ImportPlan:
    """The plan for a PMRS ``config.yml`` already loaded as YAML (``document``)."""
    plex = overridden(document, environ)
    url = _text(plex, "url", "http://localhost:32400")
    if not url.startswith(("http://", "https://")):
        raise InvalidInput(f"config.yml: plex.url {url!r} must start with http:// or https://")
    token = _text(plex, "token", "<your X-Plex-Token>")
    libraries = plex.get("libraries")
    if (
        not isinstance(libraries, list)
        or not libraries
        or not all(isinstance(name, str) and name.strip() for name in libraries)
    ):
        raise InvalidInput(
            "config.yml: plex.libraries must be a list of music library names "
            "(e.g. `libraries: [Music]`; or PMRS_PLEX_LIBRARIES=Music,Audiobooks)"
        )
    used = sorted(key for name, key in ENV_OVERRIDES.items() if environ.get(name, "").strip())
    kept = [f"Plex server {url}, libraries {', '.join(libraries)}"]
    if used:
        kept.append(f"taken from the environment: {', '.join(used)}")
    kept.append("files are written with PMRS's own POPM frame (email 'Plex'), as PMRS did")
    return ImportPlan(
        tool="PlexMusicRatingsSync",
        plex=PlexSource(url.rstrip("/"), token, tuple(name.strip() for name in libraries)),
        folder=FolderSource(root=music_dir, write_profile=PMRS_WRITE_PROFILE),
        side_a=SystemKind.PLEX,
        side_b=SystemKind.FILESYSTEM,
        link_kinds=(LinkKind.RATINGS,),
        kept=tuple(kept),
    )
