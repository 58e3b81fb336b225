#!/usr/bin/env bash
# Installs Neovim from Debian for test/server/neovim.test.ts (the language server tested with a real client).
# Without it that test skips and says so. Needs root (apt); does nothing when nvim is already on PATH.
set -euo pipefail
if command -v nvim >/dev/null 2>&1; then
  echo "neovim: $(nvim --version | head -n 1) already installed"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends neovim
echo "neovim: $(nvim --version | head -n 1) installed"
