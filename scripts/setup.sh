#!/usr/bin/env bash
# Create / update the two pinned virtual environments. Idempotent: a second run with
# unchanged requirement files only checks a stamp and exits.
#   .venv       Python 3.11  application (requirements/app.in + app.lock)
#   .venv-rasa  Python 3.10  Rasa 3.6.21 (requirements/rasa.in + rasa.lock)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WHICH=${1:-all}

find_python() {  # $1 = version like 3.10
  local v=$1 cand
  for cand in "python$v" ; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c "import sys; assert sys.version_info[:2]==tuple(map(int,'$v'.split('.')))" 2>/dev/null; then
      command -v "$cand"; return 0
    fi
  done
  if command -v pyenv >/dev/null 2>&1; then
    local p; p=$(pyenv prefix "$v" 2>/dev/null | head -1 || true)
    if [ -n "$p" ] && [ -x "$p/bin/python$v" ]; then echo "$p/bin/python$v"; return 0; fi
  fi
  for cand in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$v"*/bin/python"$v" /usr/bin/python"$v" /usr/local/bin/python"$v"; do
    if [ -x "$cand" ]; then echo "$cand"; return 0; fi
  done
  return 1
}

stamp_of() { cat "$@" | sha256sum | cut -c1-16; }

make_venv() {  # $1 dir, $2 python version, $3 name (app|rasa)
  local dir=$1 ver=$2 name=$3 py stamp
  stamp=$(stamp_of "requirements/$name.in" "requirements/$name.lock" 2>/dev/null || stamp_of "requirements/$name.in")
  if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ]; then
    echo "setup: $dir is up to date"; return 0
  fi
  if ! py=$(find_python "$ver"); then
    echo "setup: ERROR: Python $ver is required for $dir but was not found." >&2
    echo "setup: looked for python$ver on PATH, 'pyenv prefix $ver' and \$PYENV_ROOT/versions/$ver*." >&2
    echo "setup: install it, e.g. 'pyenv install $ver' or 'apt-get install python$ver python$ver-venv'." >&2
    exit 3
  fi
  echo "setup: building $dir with $py"
  [ -x "$dir/bin/python" ] || "$py" -m venv "$dir"
  # build tools pinned per environment: Rasa 3.6 needs setuptools 70 (pkg_resources),
  # the app's sanic/grpcio-tools need a newer one
  local tools="setuptools==84.2.1"
  [ "$name" = rasa ] && tools="setuptools==70.3.0"
  "$dir/bin/python" -m pip install -q --disable-pip-version-check -U "pip==24.0" "$tools" "wheel==0.45.1"
  local cons=()
  [ -f "requirements/$name.lock" ] && cons=(-c "requirements/$name.lock")
  "$dir/bin/python" -m pip install -q --disable-pip-version-check -r "requirements/$name.in" "${cons[@]}"
  echo "$stamp" > "$dir/.stamp"
}

export PIP_DISABLE_PIP_VERSION_CHECK=1
case "$WHICH" in
  app)  make_venv .venv 3.11 app ;;
  rasa) make_venv .venv-rasa 3.10 rasa ;;
  all)  make_venv .venv 3.11 app; make_venv .venv-rasa 3.10 rasa ;;
esac
