#!/usr/bin/env bash
#
# Build the mediasoup 3.8.4 C++ worker OFFLINE from the sources shipped in the
# npm tarball, apply local fixes/backports, and cache the resulting binary.
#
# Usage:
#   scripts/build-mediasoup-worker.sh [MEDIASOUP_PACKAGE_DIR]
#
#   MEDIASOUP_PACKAGE_DIR  defaults to <repo>/node_modules/mediasoup. If it does
#                          not exist, `npm pack mediasoup@3.8.4` (npm registry
#                          only) is used to fetch the tarball into a temp dir.
#
# Result:
#   <repo>/.cache/mediasoup-worker/mediasoup-worker-3.8.4
#   Use it with:  MEDIASOUP_WORKER_BIN=<that path>  (for both `npm install`,
#   where it skips the postinstall build, and at run time).
#
# Env knobs:
#   MEDIASOUP_BUILD_JOBS   parallel compile jobs (default 2)
#   MEDIASOUP_PYTHON       python used for gyp (default python3)
#   KEEP_BUILD=1           keep the build tree after a successful build
#
# The cache is keyed on a sha256 of this script (i.e. the patch set), the
# mediasoup version, the compiler and the architecture: change any of them and
# the next run rebuilds. Running it again with a valid cache is a no-op.

set -euo pipefail

MS_VERSION="3.8.4"
LOG_PREFIX="[mediasoup-worker]"

log() { printf '%s %s\n' "$LOG_PREFIX" "$*"; }
die() { printf '%s ERROR: %s\n' "$LOG_PREFIX" "$*" >&2; exit 1; }

SCRIPT_PATH="$(readlink -f "${BASH_SOURCE[0]}")"
REPO_ROOT="$(cd "$(dirname "$SCRIPT_PATH")/.." && pwd)"
CACHE_DIR="$REPO_ROOT/.cache/mediasoup-worker"
BIN="$CACHE_DIR/mediasoup-worker-$MS_VERSION"
STAMP="$BIN.stamp"
BUILD_DIR="$CACHE_DIR/build"
BUILD_LOG="$CACHE_DIR/build.log"
# Fixes too long for a sed line, as unified diffs against the package's tree.
PATCH_DIR="$REPO_ROOT/scripts/mediasoup-worker-patches"
JOBS="${MEDIASOUP_BUILD_JOBS:-2}"
PYTHON_BIN="${MEDIASOUP_PYTHON:-python3}"

for tool in make g++ cc "$PYTHON_BIN" sed grep tar sha256sum patch; do
	command -v "$tool" >/dev/null 2>&1 || die "required tool '$tool' not found (apt-get install g++ make patch python3)"
done

# Cache key.
compute_key() {
	{
		echo "mediasoup=$MS_VERSION"
		echo "arch=$(uname -m)"
		echo "cxx=$(g++ --version | head -n1)"
		echo "script=$(sha256sum "$SCRIPT_PATH" | cut -d' ' -f1)"
		cat "$PATCH_DIR"/*.patch | sha256sum | cut -d' ' -f1
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

# Serialize concurrent runs (e.g. two terminals / CI steps).
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
PKG_DIR="${1:-$REPO_ROOT/node_modules/mediasoup}"

if [[ ! -d "$PKG_DIR" ]]; then
	if [[ $# -ge 1 ]]; then
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
PKG_VERSION="$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$PKG_DIR/package.json" | head -n1)"
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

# Fixes. Each one is idempotent: skipped if its "applied" marker is already
# present, and verified afterwards so a source mismatch fails loudly instead of
# silently building unpatched code.
#   apply_fix <description> <file> <applied-marker (grep -E)> <sed script>
apply_fix() {
	local desc="$1" file="$W/$2" marker="$3" script="$4"
	[[ -f "$file" ]] || die "fix '$desc': $2 not found"
	if grep -qE -- "$marker" "$file"; then
		log "  = $2: $desc (already applied)"
		return 0
	fi
	sed -i -e "$script" "$file"
	grep -qE -- "$marker" "$file" || die "fix '$desc' did not apply to $2 (unexpected source)"
	log "  + $2: $desc"
}

log "applying fixes..."

# 1. gyp on Python >= 3.10: collections.MutableSet moved to collections.abc.
apply_fix "gyp: import collections.abc (Python 3.10+)" \
	deps/gyp/pylib/gyp/common.py \
	'^import collections\.abc$' \
	's/^import collections$/import collections.abc/'
apply_fix "gyp: collections.MutableSet -> collections.abc.MutableSet (Python 3.10+)" \
	deps/gyp/pylib/gyp/common.py \
	'class OrderedSet\(collections\.abc\.MutableSet\)' \
	's/class OrderedSet(collections\.MutableSet)/class OrderedSet(collections.abc.MutableSet)/'

# 2. abseil on glibc >= 2.34: SIGSTKSZ is no longer a constant (long), so
#    std::max(SIGSTKSZ, 65536) has mismatched argument types.
apply_fix "abseil: std::max<size_t>(SIGSTKSZ, 65536) (glibc 2.34+)" \
	deps/libwebrtc/deps/abseil-cpp/abseil-cpp/absl/debugging/failure_signal_handler.cc \
	'std::max<size_t>\(SIGSTKSZ, 65536\)' \
	's/std::max(SIGSTKSZ, 65536)/std::max<size_t>(SIGSTKSZ, 65536)/'

# 3. Backport: Consumer::TransportConnected() must ignore a repeated call.
#    WebRtcTransport calls Transport::Connected() from OnDtlsTransportConnected()
#    and again from OnIceServerConnected()/OnIceServerCompleted() when DTLS is
#    already connected (Chromium completes ICE ~50 ms after DTLS); consumers
#    created in between also got TransportConnected() on creation. The repeated
#    call re-ran UserOnTransportConnected() (syncRequired = true, keyframe
#    dance) in Simple/Simulcast/Svc/PipeConsumer, stalling video ~3 s.
apply_fix "backport: Consumer::TransportConnected() is a no-op when already connected" \
	src/RTC/Consumer.cpp \
	'^[[:space:]]*if \(this->transportConnected\)$' \
	'/^\tvoid Consumer::TransportConnected()$/,/^\t}$/ s/^\t\tthis->transportConnected = true;$/\t\tif (this->transportConnected)\n\t\t\treturn;\n\n\t\tthis->transportConnected = true;/'

# 4. Don't resend what a key frame has superseded. When a receiver's link is
#    suddenly capped, the queue at the cap overflows and the receiver NACKs
#    every packet it lost; 3.8.4 resends each one (again after every RTT, for
#    up to 2 s) with no budget, and measured 1.2-2.9 Mbit/s of retransmissions
#    into a 0.3 Mbit/s link for 2-3 s. Most of them are delta frames older than
#    the key frame the consumer sends when it switches to a lower layer: the
#    receiver decodes from that key frame, so those resends are useless and
#    only compete with the key frame for the link. The stream remembers the RTP
#    timestamp of the last key frame it sent and skips NACKed packets older
#    than it; the key frame's own packets and newer ones are still resent.
apply_fix "RtpStreamSend: remember the last key frame sent" \
	include/RTC/RtpStreamSend.hpp \
	'uint32_t lastKeyFrameTs\{ 0u \};' \
	's/^\t\tuint16_t rtxSeq{ 0u };$/\t\tuint16_t rtxSeq{ 0u };\n\t\t\/\/ RTP timestamp of the last key frame sent, if any.\n\t\tbool keyFrameSent{ false };\n\t\tuint32_t lastKeyFrameTs{ 0u };\n\t\tsize_t supersededNackCount{ 0u }; \/\/ NACKed packets not resent for that reason./'
apply_fix "RtpStreamSend: note each key frame sent" \
	src/RTC/RtpStreamSend.cpp \
	'this->lastKeyFrameTs = packet->GetTimestamp\(\);' \
	's/^\t\tthis->transmissionCounter.Update(packet);$/\t\tthis->transmissionCounter.Update(packet);\n\n\t\tif (packet->IsKeyFrame())\n\t\t{\n\t\t\tthis->keyFrameSent   = true;\n\t\t\tthis->lastKeyFrameTs = packet->GetTimestamp();\n\t\t}/'
apply_fix "RtpStreamSend: don't resend packets older than the last key frame sent" \
	src/RTC/RtpStreamSend.cpp \
	'superseded by a key frame' \
	's/^\t\t\t\t\/\/ Don.t resent the packet if it was resent in the last RTT ms.$/\t\t\t\t\/\/ Don'"'"'t resend the packet if it was superseded by a key frame sent after it:\n\t\t\t\t\/\/ the receiver decodes from that key frame.\n\t\t\t\telse if (\n\t\t\t\t  this->keyFrameSent \&\&\n\t\t\t\t  RTC::SeqManager<uint32_t>::IsSeqLowerThan(packet->GetTimestamp(), this->lastKeyFrameTs))\n\t\t\t\t{\n\t\t\t\t\tthis->supersededNackCount++;\n\t\t\t\t}\n&/'

apply_fix "RtpStreamSend: report how many NACKed packets were superseded" \
	src/RTC/RtpStreamSend.cpp \
	'jsonObject\["supersededNackCount"\]' \
	's/^\t\tjsonObject\["bitrate"\]     = this->transmissionCounter.GetBitrate(nowMs);$/&\n\t\tjsonObject["supersededNackCount"] = this->supersededNackCount;/'

# 5. Resend a packet again only once the time the path took to report it lost
#    has passed. The RTT that gates repeated resends comes from receiver
#    reports, which lag a queue that has just filled: with a 300 ms queue and a
#    last RTT of a few ms, every repeated NACK of a packet got another copy while
#    the earlier ones still sat in the queue (measured: 330-390 kbit/s of
#    retransmissions into a 0.3 Mbit/s link after the switch to the lower layer).
#    The age of a packet when it is first NACKed is a fresh measure of that path
#    delay; the next resend waits at least that long.
apply_fix "RtpStreamSend: remember how old a packet was when it was first resent" \
	include/RTC/RtpStreamSend.hpp \
	'uint32_t firstResendAgeMs\{ 0u \};' \
	's/^\t\t\tuint64_t resentAtMs{ 0u };$/&\n\t\t\t\/\/ Age of the packet when it was first resent: how long the path took to report it lost.\n\t\t\tuint32_t firstResendAgeMs{ 0u };/'
apply_fix "RtpStreamSend: forget it when the storage item is reused" \
	src/RTC/RtpStreamSend.cpp \
	'storageItem->firstResendAgeMs = 0;' \
	's/^\t\tstorageItem->resentAtMs = 0;$/&\n\t\tstorageItem->firstResendAgeMs = 0;/'
apply_fix "RtpStreamSend: note the age at the first resend" \
	src/RTC/RtpStreamSend.cpp \
	'storageItem->firstResendAgeMs = diffMs;' \
	's/^\t\t\t\t\t\/\/ Save when this packet was resent.$/\t\t\t\t\t\/\/ Remember how long the path took to report the packet lost.\n\t\t\t\t\tif (storageItem->sentTimes == 0)\n\t\t\t\t\t\tstorageItem->firstResendAgeMs = diffMs;\n\n&/'
apply_fix "RtpStreamSend: the resend gate waits for the RTT or the path's delay, whichever is longer" \
	src/RTC/RtpStreamSend.cpp \
	'std::max<uint64_t>\(rtt, storageItem->firstResendAgeMs\)' \
	's/^\t\t\t\t\/\/ Don.t resent the packet if it was resent in the last RTT ms.$/\t\t\t\t\/\/ Don'"'"'t resend the packet if it was resent in the last RTT ms, or within the time the\n\t\t\t\t\/\/ path took to report it lost (the RTT lags a queue that has just filled)./; s/^\t\t\t\t\tnowMs - storageItem->resentAtMs <= static_cast<uint64_t>(rtt)$/\t\t\t\t\tnowMs - storageItem->resentAtMs <= std::max<uint64_t>(rtt, storageItem->firstResendAgeMs)/'

# 6. Probe back up after a large drop in the estimate. When a receiver's link
#    is overrun, the SFU's estimate falls to a fraction of the link (90-160
#    kbit/s on a 0.3 Mbit/s link) and without a probe climbs back only slowly:
#    seconds at half frame rate, because the lowest layer at full rate no longer
#    fits the estimate. libwebrtc has the answer behind a field trial: once the
#    delay detector has recovered from the overuse, probe at 85 % of the
#    estimate before the drop (ProbeController::RequestProbe). Enable it next to
#    the trial mediasoup already sets.
apply_fix "DepLibWebRTC: field trial WebRTC-BweRapidRecoveryExperiment" \
	src/DepLibWebRTC.cpp \
	'WebRTC-BweRapidRecoveryExperiment/Enabled/' \
	's|^static constexpr char FieldTrials\[\] = "WebRTC-Bwe-AlrLimitedBackoff/Enabled/";$|static constexpr char FieldTrials[] =\n  "WebRTC-Bwe-AlrLimitedBackoff/Enabled/WebRTC-BweRapidRecoveryExperiment/Enabled/";|'

# 9. Notice a growing queue sooner. GCC's delay detector fits its trend over
#    the last 20 packet groups, about 300-400 ms of video here, so a queue that
#    began growing was diluted by the calm before it and took about 300 ms to
#    count as overuse. Over 10 groups it is seen sooner (in bench:network the
#    queue at the cap peaked at 6-10 KB instead of 9-11 KB); the detector's
#    threshold still adapts to the path's noise.
apply_fix "DepLibWebRTC: field trial WebRTC-BweWindowSizeInPackets/Enabled-10/" \
	src/DepLibWebRTC.cpp \
	'WebRTC-BweWindowSizeInPackets/Enabled-10/' \
	's|^  "WebRTC-Bwe-AlrLimitedBackoff/Enabled/WebRTC-BweRapidRecoveryExperiment/Enabled/";$|  "WebRTC-Bwe-AlrLimitedBackoff/Enabled/WebRTC-BweRapidRecoveryExperiment/Enabled/"\n  "WebRTC-BweWindowSizeInPackets/Enabled-10/";|'

# 7. Back off to what got through lately. On a delay overuse GCC backs off
#    from its estimate (15 % per RTT, while sending is application-limited) or
#    from its acknowledged-rate estimate, which smooths over seconds: when a
#    0.8 Mbit/s link carrying 0.56 Mbit/s was capped to 0.3 Mbit/s, the estimate
#    took 1-2 s to come down from the 2 Mbit/s it had, the layers stayed on 480
#    lines and the queue at the cap stayed full. While the path plainly delivers
#    less than is sent (under 85 % over the last 250 ms) and the packets' delay
#    grew by 25 ms or more over as long (a queue filling, not a loss burst),
#    what it delivers is the link's rate: the backoff now goes to 85 % of it at
#    once. No later backoff goes below 85 % of what gets through, nor, for 30 s
#    (longer than the layer controller's hold after a cut), of the link's rate
#    so measured: key frames and probes on the tight link look like overuse,
#    and each backoff from what was being sent used to take the estimate lower,
#    to a third of the link (seconds at 15 fps). A new overrun measures it
#    again.
#    A step up in the path's delay (a route change; the loss step's 100 ms RTT)
#    is one stall in the arrivals, not a shortfall, and is left out of what got
#    through: taken for an overrun, it cut the estimate to 81-120 kbit/s at the
#    loss step's start, and the layers to 15 fps or less for up to 2.5 s. (So
#    did the packets the cap's queue held when the bench removed it, lost at
#    once: hence the growth.)
# 8. Leave an overrun's loss to that backoff. The receiver reports the queue's
#    overflow a second later, and the loss-based estimate used to cut the rate
#    again for it, to under half the link, from where it climbs 8 % a second.
#    Reports within 2.5 s of the last overrun seen during an overuse no longer
#    count.
# 10. Send no new frame of the higher layer while waiting for the key frame to
#    switch down (SimulcastConsumer). The switch down means it no longer fits:
#    on a link just capped below it, each further frame of it filled the queue
#    that the lower layer's key frame then waited behind and lost packets in.
# Each is a unified diff in scripts/mediasoup-worker-patches, applied in order;
# patch(1) fails on any hunk that does not apply, so no marker check follows.
for patch_file in "$PATCH_DIR"/*.patch; do
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
