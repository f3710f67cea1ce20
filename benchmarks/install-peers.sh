#!/usr/bin/env bash
# Install the peer static site generators the benchmark compares llmnotes with. Idempotent: rerunning it skips
# what is already there. Needs root for apt-get (hugo); pelican and mkdocs go into benchmarks/.peers-venv,
# @11ty/eleventy into benchmarks/node_modules. Nothing is installed into the project's own .venv.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

# Hugo, from Debian.
if ! command -v hugo >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo
  else
    echo "install-peers: no apt-get; skipping hugo" >&2
  fi
fi

# Pelican (with Markdown support) and MkDocs, from PyPI, in their own venv.
if [ ! -x .peers-venv/bin/pelican ] || ! .peers-venv/bin/python -c "import material" 2>/dev/null; then
  python3 -m venv .peers-venv
  .peers-venv/bin/pip install -q --upgrade pip
  .peers-venv/bin/pip install -q pelican markdown mkdocs mkdocs-material
fi

# Eleventy, from npm, into benchmarks/node_modules.
if command -v npm >/dev/null 2>&1; then
  if [ ! -x node_modules/.bin/eleventy ]; then
    [ -f package.json ] || echo '{"private": true, "name": "llmnotes-benchmark-peers"}' > package.json
    npm install --no-audit --no-fund --loglevel=error @11ty/eleventy
  fi
else
  echo "install-peers: no npm; skipping eleventy" >&2
fi

echo "peers:"
command -v hugo >/dev/null 2>&1 && echo "  $(hugo version)"
[ -x .peers-venv/bin/pelican ] && echo "  pelican $(.peers-venv/bin/pelican --version)"
[ -x .peers-venv/bin/mkdocs ] && echo "  $(.peers-venv/bin/mkdocs --version)"
[ -x node_modules/.bin/eleventy ] && echo "  eleventy $(node_modules/.bin/eleventy --version)"
exit 0
