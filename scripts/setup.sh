#!/usr/bin/env bash
# Everything a fresh machine needs, reaching only the npm registry, Debian and the Go module proxy: system packages,
# npm dependencies, the offline mediasoup worker build, the LiveKit server (with Go, from the Go module proxy), the
# client bundle and test fixtures.
# Safe to run again: each step skips what is already done.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
step() { printf '\n== %s\n' "$*"; }

# Debian packages: the worker build toolchain, Chromium for end-to-end tests, fixture makers, Redis and PostgreSQL for
# store tests (started by the tests as processes), flatc for the MediaPipe model metadata, iptables for bench:network's
# loss and delay (this kernel has no netem),
# PocketSphinx and its US English acoustic model for live captions, sox for bench:captions' noise, and tesseract for
# bench:share's reading of the received screen.
packages=(g++ make patch python3 openssl libssl-dev chromium ffmpeg flite opencv-doc redis-server postgresql flatbuffers-compiler iptables libpocketsphinx3 pocketsphinx-en-us sox tesseract-ocr tesseract-ocr-eng)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
step "Debian packages"
if ((${#missing[@]} == 0)); then
  echo "all present: ${packages[*]}"
elif [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "missing Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

# mediasoup's own postinstall would compile the worker in node_modules and fail offline; pointing
# MEDIASOUP_WORKER_BIN at our cache makes it skip, and the next step builds that binary.
export MEDIASOUP_WORKER_BIN="$root/.cache/mediasoup-worker/mediasoup-worker-3.8.4"
step "npm dependencies (npm ci)"
PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund

step "captions language model (support phrases, cached)"
node_modules/.bin/tsx scripts/build-caption-lm.ts

step "MediaPipe models (offline build, cached)"
node_modules/.bin/tsx scripts/build-vision-models.ts

step "mediasoup worker (offline build, cached)"
bash scripts/build-mediasoup-worker.sh

step "LiveKit server (Go build, cached; skipped without Go)"
bash scripts/build-livekit-server.sh

step "client bundle"
node scripts/build-client.mjs

step "test fixtures"
bash scripts/make-fixtures.sh

printf '\nsetup complete: "npm start" runs the service, "npm test" runs the tests.\n'
