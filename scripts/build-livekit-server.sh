#!/usr/bin/env bash
#
# Build the LiveKit server (the media engine for deployments that outgrow one machine, MEDIA_ENGINE=livekit) with Go
# from the Go module proxy, and cache the binary:
#
#   <repo>/.cache/livekit/livekit-server-1.13.5
#
# 1.13.5 is the newest that builds here: 1.13.6 and later carry `replace` directives to forked pion modules that the
# module proxy does not serve. About 5 minutes on 2 cores the first time; a valid cache is a no-op (the binary is kept
# only once it prints its version). Without Go this says so and exits 0: the embedded mediasoup engine needs none of
# it, and the LiveKit tests say they are skipped and why.
#
# Env knobs: LIVEKIT_GO (the go command, default `go`, then /usr/local/go/bin/go).

set -euo pipefail

LIVEKIT_VERSION="1.13.5"
root="$(cd "$(dirname "$0")/.." && pwd)"
out_dir="$root/.cache/livekit"
bin="$out_dir/livekit-server-$LIVEKIT_VERSION"

if [[ -x "$bin" ]] && "$bin" --version 2>/dev/null | grep -q "version $LIVEKIT_VERSION"; then
  echo "cached: $bin ($("$bin" --version))"
  exit 0
fi

go_cmd="${LIVEKIT_GO:-}"
if [[ -z "$go_cmd" ]]; then
  if command -v go >/dev/null; then go_cmd=go
  elif [[ -x /usr/local/go/bin/go ]]; then go_cmd=/usr/local/go/bin/go
  fi
fi
if [[ -z "$go_cmd" ]]; then
  echo "Go not found: the LiveKit server is not built, so MEDIA_ENGINE=livekit and its tests are unavailable here." >&2
  echo "The embedded mediasoup engine (the default) works without it. Install Go 1.26 and run setup again to build it." >&2
  exit 0
fi

mkdir -p "$out_dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "building livekit-server $LIVEKIT_VERSION with $("$go_cmd" version) (about 5 minutes the first time)"
start=$(date +%s)
# GOFLAGS=-mod=mod: the module's own go.sum decides; GOBIN puts `server` in the work folder, renamed once it runs.
GOBIN="$work" GOFLAGS=-mod=mod "$go_cmd" install "github.com/livekit/livekit-server/cmd/server@v$LIVEKIT_VERSION"
"$work/server" --version | grep -q "version $LIVEKIT_VERSION" || { echo "the built server does not say version $LIVEKIT_VERSION" >&2; exit 1; }
mv "$work/server" "$bin"
echo "built $bin in $(( $(date +%s) - start )) s: $("$bin" --version)"
