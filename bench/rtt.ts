// bench:rtt: how long a typed character takes to appear on the other side of a text call, real pages end to end:
// from the keydown in one Chromium to the character in the other's "them" area. Two paths, the same pages and the
// same span: the call's T.140 data channel through the SFU (RFC 8865, the product's default), and Socket.IO
// (RTT_DATA_CHANNELS=off: what a team would build on the signaling socket it already has, and the product's
// fallback). The customer's Chromium runs in its own network namespace (bench:network's lab); each path runs on the
// unshaped link ("loopback") and with 3% loss on the customer's downlink and 100 ms RTT ("loss3_rtt100"). Both directions are
// measured: agent to customer crosses the lossy downlink with the text, customer to agent with the acknowledgements.
// Paths interleave, the whole run repeats BENCH_RTT_RUNS times (default 3); each figure is the median of runs with
// the lowest and highest. Characters are typed every BENCH_RTT_KEY_MS (default 150 ms, a quick typist). EN 301 549
// clause 6.2.4 asks real-time text to be sent within 1 s of typing (500 ms better); the share of characters shown
// within each is printed. Figures are measured, never asserted; only setup errors fail the run.
// BENCH_RTT_NETWORKS and BENCH_RTT_PATHS run a subset; MEDIASOUP_WORKER_BIN runs the servers on another worker
// binary (each line then names it), so that two builds can be compared run against run.
import { basename } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import type { RunningServer } from '../server/createServer.js';
import { FIXTURE_VIDEO, launchChromium } from '../tests/support/chromium.js';
import { startTestServer, TEST_PASSWORD, testAgent } from '../tests/support/testServer.js';
import { launchChromiumInNamespace } from './network/namespaceChromium.js';
import { HOST_IP, NetworkLab, type Shape } from './network/NetworkLab.js';
import { emit, median, quantile, round1 } from './stats.js';

const RUNS = Math.max(1, Number(process.env.BENCH_RTT_RUNS ?? 3));
const KEY_MS = Number(process.env.BENCH_RTT_KEY_MS ?? 150);
const CHARACTERS = Number(process.env.BENCH_RTT_CHARACTERS ?? 100);
/** `loopback`: the namespace's veth link unshaped (both Chromiums and the server on this machine, nothing in between). */
const ALL_NETWORKS: Record<string, Shape> = { loopback: {}, loss3_rtt100: { downlinkLossPercent: 3, oneWayDelayMs: 50 } };
const ALL_PATHS = ['data-channel', 'socket'] as const;
type RttPath = (typeof ALL_PATHS)[number];
/** BENCH_RTT_NETWORKS and BENCH_RTT_PATHS: subsets to run, comma-separated (default all). */
const NETWORKS = Object.fromEntries(Object.entries(ALL_NETWORKS).filter(([name]) => chosen('BENCH_RTT_NETWORKS', name)));
const PATHS = ALL_PATHS.filter((path) => chosen('BENCH_RTT_PATHS', path));
/** MEDIASOUP_WORKER_BIN picks another worker binary (for example one built without a patch, to compare). */
const WORKER_BIN = process.env.MEDIASOUP_WORKER_BIN;
const WORKER_FIELD: Record<string, string> = WORKER_BIN ? { worker: basename(WORKER_BIN) } : {};
type Direction = 'customer-to-agent' | 'agent-to-customer';

const progress = (message: string) => process.stderr.write(`[bench:rtt] ${message}\n`);

/** Records, in the page, when each key went down in its "you" area and when each length of a "them" line showed. */
async function instrument(page: Page): Promise<void> {
  // tsx compiles with esbuild's keepNames, which wraps the functions below in a `__name` helper the page lacks.
  await page.evaluate('globalThis.__name = (fn) => fn');
  await page.evaluate(() => {
    const record = { keys: [] as number[], shown: [] as { role: string; length: number; at: number }[] };
    (window as unknown as { rttBench: typeof record }).rttBench = record;
    const now = () => performance.timeOrigin + performance.now();
    document.querySelector('[data-part=rtt-you]')!.addEventListener('keydown', (event) => {
      if ((event as KeyboardEvent).key.length === 1) record.keys.push(now());
    });
    new MutationObserver(() => {
      const at = now();
      document.querySelectorAll<HTMLElement>('.rtt-speaker').forEach((speaker) => {
        const length = speaker.querySelector('.rtt-current')?.textContent?.length ?? 0;
        const last = record.shown.filter((entry) => entry.role === speaker.dataset.speaker).at(-1);
        if (length > (last?.length ?? 0) || (last && length < last.length)) record.shown.push({ role: speaker.dataset.speaker ?? '', length, at });
      });
    }).observe(document.querySelector('[data-part=rtt-them]')!, { subtree: true, childList: true, characterData: true });
  });
}

async function readRecord(page: Page): Promise<{ keys: number[]; shown: { role: string; length: number; at: number }[] }> {
  return page.evaluate(() => (window as unknown as { rttBench: { keys: number[]; shown: { role: string; length: number; at: number }[] } }).rttBench);
}

/** Types `CHARACTERS` letters into the sender's "you" area and returns each one's delay until the receiver showed it. */
async function typeAndMeasure(sender: Page, receiver: Page, senderRole: string): Promise<number[]> {
  await Promise.all([instrument(sender), instrument(receiver)]);
  await sender.focus('[data-part=rtt-you]');
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  for (let i = 0; i < CHARACTERS; i++) {
    await sender.keyboard.press(letters[i % letters.length] as 'a');
    await new Promise((resolve) => setTimeout(resolve, KEY_MS));
  }
  // Wait for the whole line on the other side (the state expected), then read both records.
  await receiver.waitForFunction(
    (role: string, count: number) => (document.querySelector(`.rtt-speaker[data-speaker=${role}] .rtt-current`)?.textContent?.length ?? 0) >= count,
    { timeout: 60_000 },
    senderRole,
    CHARACTERS,
  );
  const [sent, received] = await Promise.all([readRecord(sender), readRecord(receiver)]);
  await sender.keyboard.press('Enter');
  const shownAt = new Map<number, number>();
  for (const entry of received.shown) {
    if (entry.role !== senderRole) continue;
    for (let length = 1; length <= entry.length; length++) if (!shownAt.has(length)) shownAt.set(length, entry.at);
  }
  return sent.keys.slice(0, CHARACTERS).map((keyAt, index) => (shownAt.get(index + 1) ?? Number.NaN) - keyAt);
}

/** One text call on a server: returns the per-character delays of each direction. */
async function oneCall(server: RunningServer, path: RttPath, agentBrowser: Browser, customerBrowser: Browser): Promise<Record<Direction, number[]>> {
  const [agentContext, customerContext] = await Promise.all([agentBrowser.createBrowserContext(), customerBrowser.createBrowserContext()]);
  try {
    const [agent, customer] = await Promise.all([agentContext.newPage(), customerContext.newPage()]);
    await Promise.all([agent.goto(`${server.url}/agent`), customer.goto(`${server.url}/support?mode=text`)]);
    await agent.type('input[name=username]', 'bench');
    await agent.type('input[name=password]', TEST_PASSWORD);
    await agent.click('#signin');
    await agent.waitForSelector('#toggle-status:not([disabled])');
    await agent.click('#toggle-status');
    await agent.waitForSelector('#status-label[data-status=available]');
    await customer.type('input[name=topic]', 'Text call benchmark');
    await customer.click('#start');
    await agent.waitForSelector('#offer:not([hidden])', { timeout: 30_000 });
    await agent.click('#accept');
    // Both pages on the path being measured before the first key.
    await Promise.all([agent, customer].map((page) => page.waitForSelector(`[data-part=rtt-path][data-path=${path}]`, { timeout: 30_000 })));
    const customerToAgent = await typeAndMeasure(customer, agent, 'customer');
    const agentToCustomer = await typeAndMeasure(agent, customer, 'agent');
    await agent.click('#hangup');
    await customer.waitForSelector('section[data-view=ended]:not([hidden])');
    return { 'customer-to-agent': customerToAgent, 'agent-to-customer': agentToCustomer };
  } finally {
    await Promise.all([agentContext.close(), customerContext.close()]);
  }
}

interface RunFigures {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  within500: number;
  within1000: number;
  lost: number;
}

function figuresOf(delays: number[]): RunFigures {
  const shown = delays.filter(Number.isFinite);
  return {
    p50: quantile(shown, 0.5),
    p95: quantile(shown, 0.95),
    p99: quantile(shown, 0.99),
    max: Math.max(...shown),
    within500: (100 * shown.filter((d) => d <= 500).length) / delays.length,
    within1000: (100 * shown.filter((d) => d <= 1000).length) / delays.length,
    lost: delays.length - shown.length,
  };
}

async function main(): Promise<void> {
  const lab = NetworkLab.create();
  const servers = {} as Record<RttPath, RunningServer>;
  let agentBrowser: Browser | undefined;
  let customerBrowser: Browser | undefined;
  try {
    for (const path of PATHS) {
      servers[path] = await startTestServer([testAgent('bench', ['csl', 'text'])], {
        HOST: HOST_IP,
        MEDIA_LISTEN_IP: HOST_IP,
        RTT_DATA_CHANNELS: path === 'data-channel' ? 'on' : 'off',
        ...(WORKER_BIN ? { MEDIASOUP_WORKER_BIN: WORKER_BIN } : {}),
      });
    }
    const origins = PATHS.map((path) => servers[path].url).join(',');
    agentBrowser = await launchChromium(FIXTURE_VIDEO, [`--unsafely-treat-insecure-origin-as-secure=${origins}`]);
    customerBrowser = await launchChromiumInNamespace(lab.namespace, FIXTURE_VIDEO, origins);
    const results = new Map<string, RunFigures[]>();
    for (const [network, shape] of Object.entries(NETWORKS)) {
      await lab.shape(shape);
      for (let run = 1; run <= RUNS; run++) {
        // Interleaved: each run measures both paths, in alternating order.
        const order = run % 2 === 1 ? PATHS : [...PATHS].reverse();
        for (const path of order) {
          progress(`${network}, run ${run}/${RUNS}, ${path}`);
          const delays = await oneCall(servers[path], path, agentBrowser, customerBrowser);
          for (const direction of Object.keys(delays) as Direction[]) {
            const figures = figuresOf(delays[direction]);
            emit({ bench: 'rtt', metric: 'keystroke_to_display_ms', kind: 'run', network, path, direction, run, ...WORKER_FIELD, ...mapValues(figures, round1) });
            const key = `${network}|${path}|${direction}`;
            results.set(key, [...(results.get(key) ?? []), figures]);
          }
        }
      }
      lab.unshape();
    }
    for (const [key, runs] of results) {
      const [network, path, direction] = key.split('|');
      const summary: Record<string, string | number> = {
        bench: 'rtt',
        metric: 'keystroke_to_display_ms',
        kind: 'median-of-runs',
        network: network!,
        path: path!,
        direction: direction!,
        runs: runs.length,
        keyIntervalMs: KEY_MS,
        characters: CHARACTERS,
        ...WORKER_FIELD,
      };
      for (const figure of ['p50', 'p95', 'p99', 'max', 'within500', 'within1000', 'lost'] as const) {
        const values = runs.map((r) => r[figure]);
        summary[`${figure}`] = round1(median(values));
        summary[`${figure}Low`] = round1(Math.min(...values));
        summary[`${figure}High`] = round1(Math.max(...values));
      }
      emit(summary);
    }
  } finally {
    await Promise.all([agentBrowser?.close(), customerBrowser?.close()]);
    for (const server of Object.values(servers)) await server.close();
    lab.close();
  }
}

function chosen(variable: string, name: string): boolean {
  const list = process.env[variable];
  return !list || list.split(',').map((item) => item.trim()).includes(name);
}

function mapValues(figures: RunFigures, map: (value: number) => number): Record<string, number> {
  return Object.fromEntries(Object.entries(figures).map(([key, value]) => [key, map(value)]));
}

main().catch((error: unknown) => {
  console.error(`[bench:rtt] ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
