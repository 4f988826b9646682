"""Where the non-Python parts of Crossfade live: ``migrations/``, ``templates/``, ``static/``.

In a source checkout (or an editable install) they sit beside the ``app`` package. A regular
install (wheel, Docker image) carries them as data files under ``<prefix>/share/crossfade/``
(see ``[tool.setuptools.data-files]`` in pyproject.toml). ``CROSSFADE_ASSETS_DIR`` overrides
both for unusual layouts.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path
from typing import Literal

from app.domain.errors import SetupError

AssetName = Literal["migrations", "templates", "static"]

ASSETS_DIR_ENV = "CROSSFADE_ASSETS_DIR"
SHARE_SUBDIR = Path("share") / "crossfade"

_MARKERS: dict[AssetName, str] = {
    "migrations": "env.py",
    "templates": "base.html",
    "static": "htmx.min.js",
}


def candidate_roots() -> list[Path]:
    """Folders that may hold the assets, most specific first."""
    roots: list[Path] = []
    override = os.environ.get(ASSETS_DIR_ENV)
    if override:
        roots.append(Path(override))
    source_root = Path(__file__).resolve().parents[2]
    if (source_root / "pyproject.toml").is_file():
        roots.append(source_root)
    data_paths = {sysconfig.get_path("data"), sys.prefix}
    for scheme in ("posix_user", "nt_user", "osx_framework_user"):
        if scheme in sysconfig.get_scheme_names():
            data_paths.add(sysconfig.get_path("data", scheme))
    roots.extend(Path(data) / SHARE_SUBDIR for data in sorted(data_paths) if data)
    return roots


def asset_dir(name: AssetName) -> Path:
    """The folder holding asset ``name``; :class:`SetupError` names where it looked."""
    roots = candidate_roots()
    for root in roots:
        folder = root / name
        if (folder / _MARKERS[name]).is_file():
            return folder
    looked = ", ".join(str(root / name) for root in roots)
    raise SetupError(f"cannot find the {name} folder (looked in: {looked})")
