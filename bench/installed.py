"""What the benchmarks share about running Crossfade as an installed copy runs.

A regular install (``pip install crossfade``) byte-compiles the package; an editable checkout,
or a shell with ``PYTHONDONTWRITEBYTECODE=1``, would make every process compile our sources
again, which a user's installation never does. :func:`compile_sources` writes the
``__pycache__`` an install writes, so start-up and memory are measured as users meet them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "worker", "plex_emulator")


def compile_sources() -> None:
    """Byte-compile Crossfade's packages (``compileall``), as installing it does."""
    paths = [str(ROOT / name) for name in PACKAGES]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *paths], check=True)
