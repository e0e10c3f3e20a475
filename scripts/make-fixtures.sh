#!/usr/bin/env bash
# Generates the media fixtures that end-to-end tests and benchmarks feed to Chromium's fake capture devices.
# Nothing here is committed: a real hand photo from Debian's opencv-doc moving across the frame or held still, the
# moving hand with a machine-readable frame counter burnt in, and speech from flite.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/.cache/fixtures"
hand=/usr/share/doc/opencv-doc/opencv4/html/handSrc.jpg
stamp_want="v4"
mkdir -p "$out"
if [[ -f "$out/stamp" && "$(cat "$out/stamp")" == "$stamp_want" && -s "$out/hand-640x480-30fps.y4m" && -s "$out/hand-still-640x480-30fps.y4m"
  && -s "$out/counter-640x480-30fps.y4m" && -s "$out/speech-48k.wav" ]]; then
  echo "[fixtures] up to date in $out"
  exit 0
fi
for tool in ffmpeg flite; do
  command -v "$tool" >/dev/null || { echo "[fixtures] missing $tool (apt-get install $tool)" >&2; exit 1; }
done
[[ -f "$hand" ]] || { echo "[fixtures] missing $hand (apt-get install opencv-doc)" >&2; exit 1; }

echo "[fixtures] video: 640x480, 30 fps, 6 s, hand photo sweeping across a studio backdrop"
# The hand swings on a 6 s sine so that Chromium's looping of the file has no jump.
ffmpeg -loglevel error -y \
  -f lavfi -i "color=c=0x30343c:s=640x480:r=30:d=6" \
  -loop 1 -framerate 30 -t 6 -i "$hand" \
  -filter_complex "[1:v]scale=360:-2,format=yuva420p[h];[0:v][h]overlay=x='(W-w)/2+120*sin(2*PI*t/6)':y='(H-h)/2+40*sin(4*PI*t/6)':shortest=1,format=yuv420p" \
  -r 30 -pix_fmt yuv420p "$out/hand-640x480-30fps.y4m"

echo "[fixtures] video: 640x480, 30 fps, 2 s, the same hand photo held still in the centre"
ffmpeg -loglevel error -y \
  -f lavfi -i "color=c=0x30343c:s=640x480:r=30:d=2" \
  -loop 1 -framerate 30 -t 2 -i "$hand" \
  -filter_complex "[1:v]scale=360:-2,format=yuva420p[h];[0:v][h]overlay=x='(W-w)/2':y='(H-h)/2':shortest=1,format=yuv420p" \
  -r 30 -pix_fmt yuv420p "$out/hand-still-640x480-30fps.y4m"

echo "[fixtures] video: 640x480, 30 fps, 18 s (three turns of the hand), the moving hand with its frame index burnt in as 16 blocks"
# Top band, 16 cells of 40x64 px: white reference, the 12 bits of the frame index (most significant first), even
# parity, inverted parity, black reference. bench:network reads them back from decoded video down to 160x120.
bits="" parity=""
for bit in {11..0}; do
  parity+="${parity:++}mod(floor(n/$((1 << bit))),2)"
  bits+=",drawbox=x=$((40 * (12 - bit) + 4)):y=8:w=32:h=48:color=white:t=fill:enable='eq(mod(floor(n/$((1 << bit))),2),1)'"
done
ffmpeg -loglevel error -y -stream_loop 3 -i "$out/hand-640x480-30fps.y4m" \
  -vf "drawbox=x=0:y=0:w=640:h=64:color=black:t=fill,drawbox=x=4:y=8:w=32:h=48:color=white:t=fill${bits},drawbox=x=524:y=8:w=32:h=48:color=white:t=fill:enable='eq(mod($parity,2),1)',drawbox=x=564:y=8:w=32:h=48:color=white:t=fill:enable='eq(mod($parity,2),0)'" \
  -frames:v 540 -r 30 -pix_fmt yuv420p "$out/counter-640x480-30fps.y4m"

echo "[fixtures] audio: flite speech (voice slt), 48 kHz mono"
flite -voice slt -t "Hello. My phone will not connect to the wireless network. Can you help me reset the settings?" -o "$out/speech-raw.wav"
ffmpeg -loglevel error -y -i "$out/speech-raw.wav" -af "apad=pad_dur=1" -ar 48000 -ac 1 -c:a pcm_s16le "$out/speech-48k.wav"
rm -f "$out/speech-raw.wav"
echo "$stamp_want" > "$out/stamp"
echo "[fixtures] ready in $out"
