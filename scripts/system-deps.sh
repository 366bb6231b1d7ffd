#!/usr/bin/env bash
# Debian packages the test suite uses for real parts: redis-server and PostgreSQL for the
# scale-out mode (and HAProxy, the scale profile's load balancer), Chromium for the kiosk page,
# espeak-ng and sox for real audio.
# Installs only what is missing; needs root (CI runs as root) or passwordless sudo.
set -euo pipefail
PKGS=(redis-server postgresql haproxy chromium espeak-ng sox libsndfile1 passwd)  # passwd: useradd for tests/attacker
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then echo "system-deps: all present"; exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
echo "system-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts services on install where it can; the tests start their own instances.
