# axe-core (the accessibility checker, from npm) for tests/browser: the browser test injects it
# into every page and fails on a serious or critical violation. Kept in a cache folder between
# runs; npm comes from Debian's package when missing.
axe_dir="${XDG_CACHE_HOME:-$HOME/.cache}/crossfade-test/axe"
if [ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ]; then
  if ! command -v npm >/dev/null; then
    echo "== apt-get install npm"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
  fi
  echo "== npm install axe-core@4"
  mkdir -p "$axe_dir"
  npm install --silent --no-audit --no-fund --prefix "$axe_dir" axe-core@4 >/dev/null
fi
export CROSSFADE_TEST_AXE="$axe_dir/node_modules/axe-core/axe.min.js"
