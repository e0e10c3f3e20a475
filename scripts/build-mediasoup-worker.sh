#!/usr/bin/env bash
#
# Build the mediasoup 3.8.4 C++ worker OFFLINE from the sources shipped in the
# npm tarball, apply the local patches, and cache the resulting binary.
#
# Usage:
#   scripts/build-mediasoup-worker.sh [--baseline] [MEDIASOUP_PACKAGE_DIR]
#
#   --baseline             apply only the patches needed to compile (`Kind: build`):
#                          an unpatched 3.8.4 worker, for benchmarks' fair baseline.
#                          Setup does not build it; bench:network does on its first run.
#   MEDIASOUP_PACKAGE_DIR  defaults to <repo>/node_modules/mediasoup. If it does
#                          not exist, `npm pack mediasoup@3.8.4` (npm registry
#                          only) is used to fetch the tarball into a temp dir.
#
# Result:
#   <repo>/.cache/mediasoup-worker/mediasoup-worker-3.8.4           (all patches)
#   <repo>/.cache/mediasoup-worker/mediasoup-worker-3.8.4-baseline  (--baseline)
#   Use it with:  MEDIASOUP_WORKER_BIN=<that path>  (for both `npm install`,
#   where it skips the postinstall build, and at run time).
#
# Env knobs:
#   MEDIASOUP_BUILD_JOBS   parallel compile jobs (default 2)
#   MEDIASOUP_PYTHON       python used for gyp (default python3)
#   KEEP_BUILD=1           keep the build tree after a successful build
#
# Patches: scripts/mediasoup-worker-patches/NN-name.patch, unified diffs against
# the package's tree (a/worker/...), applied in NN order. Each begins with a
# header saying what it fixes, what measured it, and its `Kind:` (build,
# backport or fix). "mediasoup fix N" in the C++ is patch NN.
#
# Each binary is cached with a stamp keyed on a sha256 of this script, the
# patches it applies, the mediasoup version, the compiler and the architecture:
# change any of them and the next run rebuilds. Running it again with a valid
# cache is a no-op. The two variants have their own build trees, and one lock
# serialises all runs.

set -euo pipefail

MS_VERSION="3.8.4"
LOG_PREFIX="[mediasoup-worker]"

log() { printf '%s %s\n' "$LOG_PREFIX" "$*"; }
die() { printf '%s ERROR: %s\n' "$LOG_PREFIX" "$*" >&2; exit 1; }

VARIANT="patched"
PKG_ARG=""
for arg in "$@"; do
	case "$arg" in
		--baseline) VARIANT="baseline" ;;
		-*) die "unknown option: $arg (usage: $0 [--baseline] [MEDIASOUP_PACKAGE_DIR])" ;;
		*) [[ -z "$PKG_ARG" ]] || die "more than one package dir given"; PKG_ARG="$arg" ;;
	esac
done

SCRIPT_PATH="$(readlink -f "${BASH_SOURCE[0]}")"
REPO_ROOT="$(cd "$(dirname "$SCRIPT_PATH")/.." && pwd)"
CACHE_DIR="$REPO_ROOT/.cache/mediasoup-worker"
PATCH_DIR="$REPO_ROOT/scripts/mediasoup-worker-patches"
if [[ "$VARIANT" == "baseline" ]]; then
	BIN="$CACHE_DIR/mediasoup-worker-$MS_VERSION-baseline"
	BUILD_DIR="$CACHE_DIR/build-baseline"
	BUILD_LOG="$CACHE_DIR/build-baseline.log"
else
	BIN="$CACHE_DIR/mediasoup-worker-$MS_VERSION"
	BUILD_DIR="$CACHE_DIR/build"
	BUILD_LOG="$CACHE_DIR/build.log"
fi
STAMP="$BIN.stamp"
JOBS="${MEDIASOUP_BUILD_JOBS:-2}"
PYTHON_BIN="${MEDIASOUP_PYTHON:-python3}"

for tool in make g++ cc "$PYTHON_BIN" grep tar sha256sum patch; do
	command -v "$tool" >/dev/null 2>&1 || die "required tool '$tool' not found (apt-get install g++ make patch python3)"
done

# The patches this variant applies, in order: all of them, or only `Kind: build` for --baseline.
PATCHES=()
for patch_file in "$PATCH_DIR"/[0-9][0-9]-*.patch; do
	[[ -f "$patch_file" ]] || die "no patches in $PATCH_DIR"
	kind="$(grep -m1 '^Kind: ' "$patch_file" || true)"
	kind="${kind#Kind: }"
	case "$kind" in
		build) ;;
		backport | fix) if [[ "$VARIANT" == "baseline" ]]; then continue; fi ;;
		*) die "$(basename "$patch_file"): header needs a 'Kind: build|backport|fix' line" ;;
	esac
	PATCHES+=("$patch_file")
done

# Cache key.
compute_key() {
	{
		echo "mediasoup=$MS_VERSION"
		echo "variant=$VARIANT"
		echo "arch=$(uname -m)"
		echo "cxx=$(g++ --version | head -n1)"
		echo "script=$(sha256sum "$SCRIPT_PATH" | cut -d' ' -f1)"
		for patch_file in "${PATCHES[@]}"; do
			echo "$(basename "$patch_file")=$(sha256sum <"$patch_file" | cut -d' ' -f1)"
		done
	} | sha256sum | cut -d' ' -f1
}
KEY="$(compute_key)"

cache_valid() {
	[[ -x "$BIN" && -f "$STAMP" && "$(cat "$STAMP")" == "$KEY" ]]
}

if cache_valid; then
	log "cached binary is up to date: $BIN"
	log "use: MEDIASOUP_WORKER_BIN=$BIN"
	exit 0
fi

mkdir -p "$CACHE_DIR"

# Serialize concurrent runs of either variant (e.g. two terminals / CI steps).
exec 9>"$CACHE_DIR/.lock"
if command -v flock >/dev/null 2>&1; then
	flock 9
	# Another run may have finished the build while we waited.
	if cache_valid; then
		log "cached binary is up to date: $BIN"
		log "use: MEDIASOUP_WORKER_BIN=$BIN"
		exit 0
	fi
fi

TMP_DIR=""
cleanup() { [[ -n "$TMP_DIR" ]] && rm -rf "$TMP_DIR"; return 0; }
trap cleanup EXIT

# Locate the mediasoup package sources.
PKG_DIR="${PKG_ARG:-$REPO_ROOT/node_modules/mediasoup}"

if [[ ! -d "$PKG_DIR" ]]; then
	if [[ -n "$PKG_ARG" ]]; then
		die "mediasoup package dir not found: $PKG_DIR"
	fi
	command -v npm >/dev/null 2>&1 || die "no $PKG_DIR and npm not available to fetch mediasoup@$MS_VERSION"
	log "no node_modules/mediasoup; fetching mediasoup@$MS_VERSION tarball with npm pack..."
	TMP_DIR="$(mktemp -d)"
	(cd "$TMP_DIR" && npm pack --silent "mediasoup@$MS_VERSION" >/dev/null)
	tar -xzf "$TMP_DIR/mediasoup-$MS_VERSION.tgz" -C "$TMP_DIR"
	PKG_DIR="$TMP_DIR/package"
fi

PKG_DIR="$(cd "$PKG_DIR" && pwd)"
[[ -f "$PKG_DIR/package.json" ]] || die "$PKG_DIR/package.json missing"
version_re='"version"[[:space:]]*:[[:space:]]*"([^"]*)"'
[[ "$(<"$PKG_DIR/package.json")" =~ $version_re ]] || die "$PKG_DIR/package.json has no version"
PKG_VERSION="${BASH_REMATCH[1]}"
[[ "$PKG_VERSION" == "$MS_VERSION" ]] \
	|| die "$PKG_DIR is mediasoup $PKG_VERSION, this script builds $MS_VERSION (worker and Node lib versions must match)"
for f in worker/Makefile worker/mediasoup-worker.gyp worker/deps/gyp/pylib/gyp/common.py worker/src/RTC/Consumer.cpp; do
	[[ -f "$PKG_DIR/$f" ]] || die "$PKG_DIR/$f missing: package does not carry the worker sources"
done
log "sources: $PKG_DIR (mediasoup $PKG_VERSION)"

# Fresh copy of the worker tree (never build inside node_modules).
log "preparing build tree in $BUILD_DIR..."
rm -rf "$BUILD_DIR"
mkdir -p "$BUILD_DIR/worker"
tar -C "$PKG_DIR/worker" \
	--exclude=./out --exclude='__pycache__' --exclude='*.pyc' \
	-cf - . | tar -C "$BUILD_DIR/worker" -xf -
W="$BUILD_DIR/worker"

# patch(1) skips each header's text and fails on any hunk that does not apply.
log "applying patches ($VARIANT)..."
for patch_file in "${PATCHES[@]}"; do
	log "  + $(basename "$patch_file")"
	patch -d "$BUILD_DIR" -p1 --forward --silent <"$patch_file" \
		|| die "patch $(basename "$patch_file") did not apply (unexpected source)"
done

# Build: same as the package postinstall (`make -C worker`), with explicit env.
# MEDIASOUP_WORKER_BIN must be unset: the worker Makefile's default target is a
# no-op when it is set.
log "compiling (several minutes on 2 cores; -j$JOBS, log: $BUILD_LOG)..."
start_ts=$(date +%s)
if ! env -u MEDIASOUP_WORKER_BIN -u MEDIASOUP_OUT_DIR \
	PYTHON="$PYTHON_BIN" MEDIASOUP_BUILDTYPE=Release CORES="$JOBS" \
	make -C "$W" >"$BUILD_LOG" 2>&1; then
	log "BUILD FAILED after $(( $(date +%s) - start_ts ))s; last 50 lines of $BUILD_LOG:"
	tail -n 50 "$BUILD_LOG" >&2
	exit 1
fi
elapsed=$(( $(date +%s) - start_ts ))

OUT_BIN="$W/out/Release/mediasoup-worker"
[[ -x "$OUT_BIN" ]] || { tail -n 50 "$BUILD_LOG" >&2; die "build finished but $OUT_BIN is missing"; }

# Install atomically, then write the stamp.
cp "$OUT_BIN" "$BIN.tmp.$$"
chmod 0755 "$BIN.tmp.$$"
mv -f "$BIN.tmp.$$" "$BIN"
echo "$KEY" >"$STAMP"

if [[ "${KEEP_BUILD:-0}" != "1" ]]; then
	rm -rf "$BUILD_DIR"
fi

log "built in ${elapsed}s: $BIN ($(du -h "$BIN" | cut -f1))"
log "use: MEDIASOUP_WORKER_BIN=$BIN"
