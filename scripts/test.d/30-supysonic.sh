# A real Subsonic server for the Subsonic tests: Supysonic (PyPI) in a cached virtualenv of its
# own (it pins Flask and peewee; kept apart from ours). The tests start one server per test on
# loopback (tests/subsonic_emulator/supysonic.py); this only installs it and exports the path of
# its bin directory. If it cannot be installed the tests skip (and fail under CI).
supysonic_venv=${CROSSFADE_SUPYSONIC_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/crossfade-test/supysonic-venv}
if [ ! -x "$supysonic_venv/bin/supysonic-server" ]; then
  echo "== Supysonic venv in $supysonic_venv"
  rm -rf "$supysonic_venv"
  if ! { "$PY" -m venv "$supysonic_venv" &&
    "$supysonic_venv/bin/pip" install -q --disable-pip-version-check "supysonic==0.7.9" waitress; }; then
    echo "   Supysonic could not be installed: its tests will skip (fail under CI)"
  fi
fi
if [ -x "$supysonic_venv/bin/supysonic-server" ]; then
  export CROSSFADE_TEST_SUPYSONIC_BIN="$supysonic_venv/bin"
fi
