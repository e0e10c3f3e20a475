import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Debian's Chromium; puppeteer never downloads a browser here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The 640x480, 30 fps hand clip and the flite speech made by scripts/make-fixtures.sh. */
export const FIXTURE_VIDEO = path.join(root, '.cache/fixtures/hand-640x480-30fps.y4m');
export const FIXTURE_AUDIO = path.join(root, '.cache/fixtures/speech-48k.wav');
/** The same hand photo held still, 640x480, 30 fps. */
export const FIXTURE_STILL_VIDEO = path.join(root, '.cache/fixtures/hand-still-640x480-30fps.y4m');

/**
 * Launches headless Chromium with a fixture clip (the moving hand unless told) as camera and the speech file as
 * microphone; `extraArgs` go after the usual flags.
 */
export async function launchChromium(video: string = FIXTURE_VIDEO, extraArgs: string[] = []): Promise<Browser> {
  for (const file of [CHROMIUM, video, FIXTURE_AUDIO]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run setup"`);
  }
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: [...chromiumArgs(video), ...extraArgs] });
}

/** Flags of every headless test Chromium as root on this offline machine, with `video` as its camera and the speech as microphone. */
export function chromiumArgs(video: string): string[] {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows',
    '--autoplay-policy=no-user-gesture-required',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${video}`,
    `--use-file-for-fake-audio-capture=${FIXTURE_AUDIO}`,
  ];
}
