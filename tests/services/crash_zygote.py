"""A warm starter of ``crossfade`` CLI runs for the crash loop (``test_crash_loop.py``).

Started once with the CLI and the commands the crash loops run imported, it reads one
command line per line on stdin (arguments separated by tabs, leading ``NAME=VALUE`` ones set
the child's environment), forks a child that runs it as ``crossfade <arguments>`` in a new
session, and answers the child's pid on stdout; children are reaped here. A fork of a warm
process starts in milliseconds where a fresh interpreter takes seconds to import the app, so
the loop spends its time on runs and kills. Everything a child starts stays in the child's
session: the session id finds what a kill left behind, even once it was re-parented.
"""

from __future__ import annotations

import os
import signal
import sys

# The CLI imports a command's module only when the command runs (a fast start-up); the
# zygote imports the ones the crash loops run, and the app they build, so that every forked
# child starts warm instead of importing the web and database stack again.
import app.bootstrap
import app.cli.playlists
import app.cli.ratings
from app.cli.main import main as crossfade

WARM = (app.bootstrap, app.cli.playlists, app.cli.ratings)


def _child(arguments: list[str]) -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()
    while arguments and "=" in arguments[0] and not arguments[0].startswith("-"):
        name, _, value = arguments.pop(0).partition("=")
        os.environ[name] = value
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(devnull, fd)
    sys.argv = ["crossfade", *arguments]
    code = 0
    try:
        crossfade()
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os._exit(code)


def main() -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped as they end
    for line in sys.stdin:
        arguments = line.rstrip("\n").split("\t")
        pid = os.fork()
        if pid == 0:
            _child(arguments)
        print(pid, flush=True)


if __name__ == "__main__":
    main()
