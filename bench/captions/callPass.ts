import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { RunningServer } from '../../server/createServer.js';
import { CHROMIUM, chromiumArgs, FIXTURE_VIDEO } from '../../tests/support/chromium.js';
import { TEST_PASSWORD } from '../../tests/support/testServer.js';
import { frameClock, installCaptionRecorder, installMicProbe, readCaptions, readMicRecord, type MicRecord, type ShownCaption } from './pageProbes.js';
import { median } from '../stats.js';
import type { SpeechTrack } from './speechTrack.js';

/** The agent who takes the bench's calls; their captions (of silence) are left out. */
export const BENCH_AGENT = 'bench';
/** Quiet before the file's first sound: longer than any gap between phrases, shorter than the lead-in. */
const MARKER_QUIET_MS = 3_000;

/** Headless Chromium with the usual test flags, `microphone` (a 48 kHz WAV, looped) as its microphone. */
export async function launchWithMicrophone(microphone: string): Promise<Browser> {
  for (const file of [CHROMIUM, FIXTURE_VIDEO, microphone]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run setup"`);
  }
  const args = chromiumArgs(FIXTURE_VIDEO).map((arg) => (arg.startsWith('--use-file-for-fake-audio-capture=') ? `--use-file-for-fake-audio-capture=${microphone}` : arg));
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args });
}

/** One pass of a track through a call: the phrases' wall-clock times and the captions the listener saw. */
export interface PassRecording {
  /** Epoch ms of the file's first sample on the speaking page, found from its first sound. */
  passStartAt: number;
  /** Epoch ms of each phrase's start and end of speech on the speaking page. */
  phraseTimes: { startAt: number; endAt: number }[];
  /** The speaker's caption lines on the listening page that first showed during the pass. */
  captions: ShownCaption[];
  /** Call set-up, from opening the customer's page to captions live on the agent's. */
  setupMs: number;
  /**
   * Clean set only: how far, in ms, the speaking page's probe heard each phrase's onset from where the file's offsets
   * put it (signed median, largest either way): a check that the timing holds over the whole pass.
   */
  alignmentMs?: { median: number; max: number };
}

/**
 * A voice call in which the customer's microphone plays `track` and the agent's plays silence; the agent's page shows
 * the customer's captions. The customer's Chromium starts playing the file when the page opens its microphone, so
 * the file's lead-in of silence covers queueing, accepting and the media's set-up; the pass measured is the first one
 * that starts after captions are live (a pass is lost, and a warning printed, only if set-up outlasts the lead-in).
 */
export async function recordPass(server: RunningServer, agentBrowser: Browser, track: SpeechTrack, progress: (message: string) => void): Promise<PassRecording> {
  const agentContext = await agentBrowser.createBrowserContext();
  const customerBrowser = await launchWithMicrophone(track.file48k);
  try {
    const agent = await agentContext.newPage();
    await installCaptionRecorder(agent);
    await agent.goto(`${server.url}/agent`);
    await agentReady(agent);

    const customer = await customerBrowser.newPage();
    await installMicProbe(customer);
    const openedAt = Date.now();
    await customer.goto(`${server.url}/support`);
    await customer.waitForSelector('#device-status[data-state=ok]', { timeout: 30_000 });
    await customer.click('input[name=mode][value=voice]');
    await customer.type('input[name=topic]', 'Captions benchmark');
    await customer.click('#start');
    await agent.waitForSelector('#offer:not([hidden])', { timeout: 30_000 });
    await agent.click('#accept');
    await agent.waitForSelector('.captions[data-state=live]', { timeout: 30_000 });
    const liveAt = Date.now();
    const setupMs = liveAt - openedAt;

    // The first start of the file heard after captions went live (audio reaches the recognizer from then on).
    const onsetHandle = await customer.waitForFunction(
      (after: number, quietMs: number) => {
        const record = (window as { signlineBenchMic?: MicRecord }).signlineBenchMic;
        if (!record) return null;
        for (const [index, onset] of record.onsets.entries()) {
          if (record.onsetQuietMs[index]! < quietMs) continue;
          const near = record.frames.findIndex((frame) => frame >= onset);
          if (near >= 0 && record.arrivals[near]! > after) return onset;
        }
        return null;
      },
      { timeout: track.durationMs + 60_000, polling: 100 },
      liveAt,
      MARKER_QUIET_MS,
    );
    const onset = (await onsetHandle.jsonValue()) as number;
    const passStartAt = frameClock(await readMicRecord(customer))(onset) - track.markerMs;
    if (passStartAt > openedAt + track.durationMs / 2) progress(`call set-up (${setupMs} ms) outlasted the lead-in: measuring the next loop of the file`);

    const passEndAt = passStartAt + track.durationMs;
    await sleep(Math.max(0, passEndAt + 500 - Date.now()));
    const [mic, shown] = await Promise.all([readMicRecord(customer), readCaptions(agent)]);
    const phraseTimes = track.phrases.map((phrase) => ({ startAt: passStartAt + phrase.speechStartMs, endAt: passStartAt + phrase.speechEndMs }));
    // The customer's lines from the pass's first sound (noise comes before the first phrase) to the file's end.
    const firstSoundAt = passStartAt + track.markerMs - 100;
    const captions = shown.filter((line) => !line.who.startsWith(`Agent ${BENCH_AGENT}`) && line.firstAt >= firstSoundAt && line.firstAt < passEndAt);

    await agent.click('#hangup');
    await Promise.all([
      agent.waitForSelector('section[data-view=console]:not([hidden])', { timeout: 30_000 }),
      customer.waitForSelector('section[data-view=ended]:not([hidden])', { timeout: 30_000 }),
    ]);
    const recording: PassRecording = { passStartAt, phraseTimes, captions, setupMs };
    return track.set === 'clean' ? { ...recording, alignmentMs: alignment(mic, track.phrases.map((phrase) => passStartAt + phrase.onsetMs)) } : recording;
  } finally {
    await agentContext.close().catch(() => undefined);
    await customerBrowser.close();
  }
}

async function agentReady(agent: Page): Promise<void> {
  await agent.type('input[name=username]', BENCH_AGENT);
  await agent.type('input[name=password]', TEST_PASSWORD);
  await agent.click('#signin');
  await agent.waitForSelector('section[data-view=console]:not([hidden])');
  await agent.waitForFunction(() => (document.querySelector('#self-preview') as HTMLVideoElement).readyState >= 2, { timeout: 30_000 });
  await agent.waitForSelector('#toggle-status:not([disabled])');
  await agent.click('#toggle-status');
  await agent.waitForSelector('#status-label[data-status=available]');
}

// How far from each phrase's expected onset the probe heard the nearest one (within 300 ms), signed median and largest.
function alignment(mic: MicRecord, expected: readonly number[]): { median: number; max: number } | undefined {
  const clock = frameClock(mic);
  const heard = mic.onsets.map(clock);
  const errors: number[] = [];
  for (const at of expected) {
    const nearest = heard.reduce((best, time) => (Math.abs(time - at) < Math.abs(best - at) ? time : best), Number.POSITIVE_INFINITY);
    if (Math.abs(nearest - at) <= 300) errors.push(nearest - at);
  }
  if (errors.length === 0) return undefined;
  return { median: median(errors), max: Math.max(...errors.map(Math.abs)) };
}
