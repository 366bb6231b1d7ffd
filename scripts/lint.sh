#!/usr/bin/env bash
# CI gates: ruff (check + format), bandit (no high findings), mypy, import boundaries
# (import-linter, contracts in .importlinter), pip-audit on both environments' locks.
# The tools live in their own venv .venv-tools (Python 3.11, requirements/tools.in + .lock),
# built once and re-checked by a stamp like scripts/setup.sh. mypy type-checks against the
# app environment (.venv) so the real library types are used (pyproject.toml [tool.mypy]).
#
# Exit status: non-zero if ruff, bandit (high), mypy or the import contracts fail, or pip-audit
# reports an advisory that docs/accepted-findings.md does not accept. If pip-audit cannot reach its
# vulnerability database, that is reported ("N packages not audited") without failing.
#   bash scripts/lint.sh            all gates
#   bash scripts/lint.sh ruff mypy  only the named gates (ruff bandit mypy imports audit)
set -uo pipefail
cd "$(dirname "$0")/.."
TOOLS=.venv-tools
APP_PY=.venv/bin/python
LINT_PATHS=(assistant actions hms phi_filter dbkit intents rasa_ext bench tests scripts)
BANDIT_PATHS=(assistant actions hms phi_filter dbkit intents rasa_ext)
PIP_AUDIT=${PIP_AUDIT:-$TOOLS/bin/pip-audit}  # overridable for testing the verdict logic
AUDIT_TIMEOUT=${AUDIT_TIMEOUT:-15}
export PIP_DISABLE_PIP_VERSION_CHECK=1

existing() { local p; for p in "$@"; do [ -e "$p" ] && printf '%s\n' "$p"; done; }

find_python311() {
  local cand p
  for cand in python3.11; do
    command -v "$cand" >/dev/null 2>&1 && { command -v "$cand"; return 0; }
  done
  if command -v pyenv >/dev/null 2>&1; then
    p=$(pyenv prefix 3.11 2>/dev/null | head -1 || true)
    [ -n "$p" ] && [ -x "$p/bin/python3.11" ] && { echo "$p/bin/python3.11"; return 0; }
  fi
  for cand in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.11*/bin/python3.11 /usr/bin/python3.11; do
    [ -x "$cand" ] && { echo "$cand"; return 0; }
  done
  return 1
}

tools_venv() {
  local stamp py
  stamp=$(cat requirements/tools.in requirements/tools.lock 2>/dev/null | sha256sum | cut -c1-16)
  if [ -f "$TOOLS/.stamp" ] && [ "$(cat "$TOOLS/.stamp")" = "$stamp" ]; then return 0; fi
  py=$(find_python311) || { echo "lint: ERROR: Python 3.11 is needed for $TOOLS" >&2; exit 3; }
  echo "lint: building $TOOLS with $py"
  [ -x "$TOOLS/bin/python" ] || "$py" -m venv "$TOOLS" || exit 3
  "$TOOLS/bin/python" -m pip install -q -U "pip==24.0" "setuptools<70" wheel || exit 3
  local cons=()
  [ -f requirements/tools.lock ] && cons=(-c requirements/tools.lock)
  "$TOOLS/bin/python" -m pip install -q -r requirements/tools.in "${cons[@]}" || exit 3
  echo "$stamp" > "$TOOLS/.stamp"
}

gate_ruff() {
  echo "== ruff"
  mapfile -t paths < <(existing "${LINT_PATHS[@]}")
  "$TOOLS/bin/ruff" check --no-cache "${paths[@]}" || return 1
  echo "== ruff format --check"
  "$TOOLS/bin/ruff" format --check --no-cache "${paths[@]}"
}

gate_bandit() {
  echo "== bandit (fails on high severity)"
  mapfile -t paths < <(existing "${BANDIT_PATHS[@]}")
  "$TOOLS/bin/bandit" -q -r "${paths[@]}" --severity-level high --confidence-level low
}

gate_imports() {
  echo "== import boundaries (lint-imports, .importlinter)"
  "$TOOLS/bin/lint-imports" --no-cache
}

gate_mypy() {
  # One configuration: pyproject.toml [tool.mypy] (files, flags, the app venv, the tests' overrides).
  echo "== mypy (pyproject.toml [tool.mypy])"
  [ -x "$APP_PY" ] || { echo "lint: $APP_PY missing; run scripts/setup.sh app" >&2; return 1; }
  "$TOOLS/bin/mypy"
}

# pip-audit one lock file; prints a verdict and returns 1 only on unaccepted advisories.
audit_lock() {  # $1 env name (app|rasa), $2 lock file
  local env=$1 lock=$2 out rc
  [ -f "$lock" ] || { echo "pip-audit: $lock missing; skipped"; return 0; }
  out=$(mktemp)
  "$PIP_AUDIT" -r "$lock" --no-deps --disable-pip --progress-spinner off \
    --timeout "$AUDIT_TIMEOUT" -f json -o "$out" >/dev/null 2>"$out.err"
  rc=$?
  "$TOOLS/bin/python" - "$env" "$lock" "$out" "$rc" "$out.err" <<'PY'
import json, re, sys
from pathlib import Path

env, lock, out, rc, err = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5])
pins = [l for l in Path(lock).read_text().splitlines() if "==" in l and not l.startswith("#")]
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
accepted = {}  # (package, version) -> ids ("*" = any advisory of that pin)
for line in Path("docs/accepted-findings.md").read_text().splitlines():
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) >= 5 and cells[0] == env:
        accepted.setdefault((norm(cells[1]), cells[2]), set()).update(cells[3].split(","))
try:
    deps = json.loads(out.read_text() or "{}").get("dependencies", [])
except ValueError:
    deps = []
if not deps:
    tail = err.read_text().strip().splitlines()[-1:] if err.exists() else []
    print(f"pip-audit [{env}]: vulnerability database unreachable; {len(pins)} packages "
          f"not audited ({' '.join(tail)[:160] or 'no answer'})")
    sys.exit(0)
skipped = [d for d in deps if d.get("skip_reason")]
audited = [d for d in deps if not d.get("skip_reason")]
bad, ok = [], []
for dep in audited:
    ids_ok = accepted.get((norm(dep["name"]), dep.get("version", "")), set())
    for vuln in dep.get("vulns", []):
        names = {vuln["id"], *vuln.get("aliases", [])}
        (ok if "*" in ids_ok or names & ids_ok else bad).append(
            f"{dep['name']}=={dep.get('version')} {vuln['id']} ({', '.join(sorted(names - {vuln['id']}))})"
            f" fix: {', '.join(vuln.get('fix_versions', [])) or 'none'}")
if not audited:
    print(f"pip-audit [{env}]: vulnerability database unreachable; {len(skipped)} packages "
          f"not audited")
else:
    print(f"pip-audit [{env}]: {len(audited)} audited, {len(skipped)} not audited, "
          f"{len(ok)} accepted finding(s), {len(bad)} unaccepted")
for line in ok:
    print(f"  accepted: {line}")
for line in bad:
    print(f"  FINDING: {line}  -> fix the pin or justify it in docs/accepted-findings.md")
sys.exit(1 if bad else 0)
PY
  rc=$?
  rm -f "$out" "$out.err"
  return $rc
}

gate_audit() {
  echo "== pip-audit"
  local rc=0
  audit_lock app requirements/app.lock || rc=1
  audit_lock rasa requirements/rasa.lock || rc=1
  return $rc
}

main() {
  local gates=("$@") failed=() gate
  [ ${#gates[@]} -gt 0 ] || gates=(ruff bandit mypy imports audit)
  tools_venv
  mkdir -p var
  for gate in "${gates[@]}"; do
    case "$gate" in
      ruff|bandit|mypy|imports|audit) "gate_$gate" || failed+=("$gate") ;;
      *) echo "lint: unknown gate $gate (ruff bandit mypy imports audit)" >&2; exit 2 ;;
    esac
  done
  if [ ${#failed[@]} -gt 0 ]; then
    echo "lint: FAILED: ${failed[*]}"
    return 1
  fi
  echo "lint: all gates passed (${gates[*]})"
}

main "$@"
