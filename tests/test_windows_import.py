"""Every module imports where POSIX-only modules do not exist (Windows, where PMRS users run
pipx and MediaMonkey users live): a fresh interpreter with ``fcntl``, ``resource``, ``pwd``,
``grp`` and ``termios`` made unimportable imports every module of the app, the worker and the
emulator. A POSIX-only call belongs inside the function that needs it, behind a platform check
(``app.adapters.file_lock``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys

    BLOCKED = {"fcntl", "resource", "pwd", "grp", "termios"}
    for name in BLOCKED:
        sys.modules.pop(name, None)

    class NotOnWindows:
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, NotOnWindows())
    try:
        import fcntl  # noqa: F401
        blocked = False
    except ModuleNotFoundError:
        blocked = True
    failed, imported = {}, 0
    for package in ("app", "worker", "plex_emulator"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, package + "."):
            try:
                importlib.import_module(info.name)
                imported += 1
            except Exception as error:
                failed[info.name] = repr(error)
    print(json.dumps({"blocked": blocked, "imported": imported, "failed": failed}))
    """
)


def test_every_module_imports_without_posix_only_modules() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
        timeout=240,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["blocked"] is True
    assert report["failed"] == {}
    assert report["imported"] > 200
