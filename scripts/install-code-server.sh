#!/usr/bin/env bash
# Installs the real VS Code host the extension's end-to-end tests drive: code-server 4.100.3
# (VS Code 1.100.3, the newest that runs on Node 20 and installs offline), outside the repository.
# Needs the Debian packages libkrb5-dev, pkg-config, ripgrep (and chromium for the browser side).
# Idempotent: a finished install is detected by its marker file and left alone.
# Where: $COLOPHON_CODE_SERVER_DIR, default ~/.cache/colophon/code-server-4.100.3 (the e2e test
# looks in the same place).
set -euo pipefail
version=4.100.3
dir="${COLOPHON_CODE_SERVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/colophon/code-server-$version}"
marker="$dir/.installed"
if [ -f "$marker" ]; then
  echo "[code-server] $version already installed in $dir"
  exit 0
fi
for cmd in rg pkg-config; do
  command -v "$cmd" >/dev/null 2>&1 || { echo "[code-server] missing '$cmd': apt-get install ripgrep pkg-config libkrb5-dev" >&2; exit 3; }
done
rm -rf "$dir"
mkdir -p "$dir/tmp"
# @vscode/ripgrep downloads a ripgrep build during install, which cannot reach its host here: seed
# its cache with Debian's rg under the exact name it looks for (TMPDIR must match during install).
export TMPDIR="$dir/tmp"
seed="$TMPDIR/vscode-ripgrep-cache-1.15.11"
mkdir -p "$seed/stage"
cp "$(command -v rg)" "$seed/stage/rg"
tar -czf "$seed/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$seed/stage" rg
rm -rf "$seed/stage"
echo "[code-server] installing code-server@$version into $dir (about 1.5 min, 300 MB)…"
start=$(date +%s)
cd "$dir"
echo '{"private":true}' > package.json
# node-pty builds with node-gyp, which must find Node's headers (Debian: /usr); as root the install
# scripts only run with --unsafe-perm.
npm_config_yes=true npm_config_nodedir="${npm_config_nodedir:-/usr}" \
  npm install --no-audit --no-fund --unsafe-perm --foreground-scripts --loglevel=error \
  "code-server@$version" > "$dir/install.log" 2>&1 || {
    echo "[code-server] npm install failed; last lines of $dir/install.log:" >&2
    tail -20 "$dir/install.log" >&2
    exit 3
  }
test -x "$dir/node_modules/.bin/code-server"
touch "$marker"
echo "[code-server] installed in $(( $(date +%s) - start )) s: $dir/node_modules/.bin/code-server"
