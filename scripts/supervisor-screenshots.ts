// Saves the supervisor console with live data as docs/supervisor-en.png and docs/supervisor-zh-CN.png.
// Run after "npm run build:client": npm run screenshots:supervisor
// The Chinese screenshot needs a CJK font (Debian: fonts-noto-cjk). Past hours are seeded demo tickets and surveys in an in-memory
// records database; the agents, the call and the waiting customers are live, driven over Socket.IO like the tests.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';
import puppeteer from 'puppeteer-core';
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, QualitySample, ServerToClientEvents } from '../signaling/index.js';
import { AgentDirectory } from '../server/auth/AgentDirectory.js';
import { loadConfig } from '../server/config.js';
import { startServer } from '../server/createServer.js';
import { createLogger } from '../server/logger.js';
import { openRecords } from '../server/records/openRecords.js';
import type { RecordsDb } from '../server/records/RecordsDb.js';
import { newMasterKeyText } from '../server/records/sealing.js';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PASSWORD = 'screenshots only';
const hash = bcrypt.hashSync(PASSWORD, 4);
const accounts = [
  { username: 'lin', name: 'Lin Yue', passwordHash: hash, skills: {}, role: 'supervisor' as const },
  { username: 'mei', name: 'Chen Mei', passwordHash: hash, skills: { csl: 5, zh: 5, phone: 4, tier: 1 } },
  { username: 'wang', name: 'Wang Lei', passwordHash: hash, skills: { zh: 5, en: 4, laptop: 4, tier: 1 } },
  { username: 'sara', name: 'Sara Lind', passwordHash: hash, skills: { asl: 4, en: 5, tablet: 3, tier: 1 } },
];

/** Four hours of answered and abandoned tickets, as the ticket journal would have written them. */
async function seedHistory(records: RecordsDb, now: number): Promise<void> {
  let seed = 7;
  const random = () => ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647);
  const categories = ['consultation', 'software', 'hardware'] as const;
  for (let i = 0; i < 90; i++) {
    const id = `SL-D${String(i).padStart(2, '0')}-SEED`;
    const openedAt = now - 4 * 3_600_000 + i * 155_000 + Math.round(random() * 60_000);
    const category = categories[i % 3]!;
    // Busier in the middle of the window: longer waits then.
    const rush = Math.sin((i / 90) * Math.PI);
    const waitMs = Math.round((20 + random() * 120 + rush * 260 * random()) * 1000);
    const abandoned = random() < 0.06 + rush * 0.08;
    const at = openedAt + waitMs;
    await records.query(`INSERT INTO tickets (id, status, queue, mode, device, created_at_ms, updated_at_ms) VALUES ($1, $2, 'csl', 'csl', 'phone', $3, $4)`, [
      id,
      abandoned ? 'abandoned' : 'ended',
      openedAt,
      at + 300_000,
    ]);
    await records.query(`INSERT INTO ticket_events (ticket_id, seq, at_ms, actor, kind, detail) VALUES ($1, 1, $2, 'customer', 'opened', $3)`, [id, openedAt, JSON.stringify({ queue: 'csl', category })]);
    await records.query(`INSERT INTO ticket_events (ticket_id, seq, at_ms, actor, kind, detail) VALUES ($1, 2, $2, $3, $4, '{}')`, [id, at, abandoned ? 'customer' : 'agent:mei', abandoned ? 'abandoned' : 'in-call']);
    // About half of the served customers answer the survey, mostly content: the CSAT figures.
    if (!abandoned && random() < 0.5) {
      const r = random();
      const rating = r < 0.55 ? 5 : r < 0.8 ? 4 : r < 0.9 ? 3 : r < 0.96 ? 2 : 1;
      await records.query(`INSERT INTO surveys (ticket_id, queue, agent_id, rating, solved, at_ms) VALUES ($1, 'csl', 'mei', $2, $3, $4)`, [id, rating, rating >= 3, at + 300_000]);
    }
  }
}

function connected(url: string, token?: string): Promise<ClientSocket> {
  const socket: ClientSocket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...(token ? { auth: { token } } : {}) });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function ask<T>(socket: ClientSocket, event: string, payload: unknown): Promise<T> {
  const ack = (await (socket as unknown as Socket).timeout(5_000).emitWithAck(event, payload)) as Ack<T>;
  if (!ack.ok) throw new Error(`${event}: ${ack.error.message}`);
  return ack.data;
}

async function login(url: string, username: string): Promise<string> {
  const response = await fetch(`${url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  return ((await response.json()) as { data: { token: string } }).data.token;
}

const log = createLogger('error');
const records = await openRecords({ dir: 'memory' }, log);
await seedHistory(records, Date.now());
const config = loadConfig({}, { PORT: 0, HOST: '127.0.0.1', MEDIASOUP_WORKERS: 1, LOG_LEVEL: 'error', CAPTIONS: 'off', RECORDS_KEY: newMasterKeyText() });
const server = await startServer(config, { agents: AgentDirectory.fromAccounts(accounts), log, records });
const sockets: ClientSocket[] = [];
const browser = await puppeteer.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--lang=en-US'] });
try {
  const agent = async (username: string) => {
    const socket = await connected(server.url, await login(server.url, username));
    sockets.push(socket);
    return socket;
  };
  const [mei, wang] = await Promise.all([agent('mei'), agent('wang'), agent('sara')]);
  const customer = async (mode: string, category: string) => {
    const socket = await connected(server.url);
    sockets.push(socket);
    await ask(socket, 'queue:join', { mode, topic: 'My phone will not connect to Wi-Fi', device: 'phone', category });
    return socket;
  };

  // Chen Mei answers a CSL caller; both sides report a few seconds of receive quality.
  const caller = await customer('csl', 'software');
  const offered = new Promise<{ offerId: string }>((resolve) => mei.once('offer:new', resolve));
  await ask(mei, 'agent:status', { status: 'available' });
  const started = new Promise<{ sessionId: string }>((resolve) => caller.once('call:started', resolve));
  await ask(mei, 'offer:accept', { offerId: (await offered).offerId });
  const { sessionId } = await started;
  const now = Date.now();
  for (let i = 0; i < 6; i++) {
    const base = { at: now - 12_000 + i * 2_000, width: 640, height: 480, freezes: 0, freezeMs: 0, jitterBufferMs: 40, avSyncMs: 20, rttMs: 30 };
    const samples: [ClientSocket, QualitySample][] = [
      [caller, { ...base, fps: 29 }],
      [mei, { ...base, fps: 27 }],
    ];
    for (const [socket, sample] of samples) await ask(socket, 'call:quality', { sessionId, sample });
  }
  await ask(wang, 'agent:status', { status: 'available' });
  // Waiting: two CSL callers (the CSL agent is busy) and a Hong Kong Sign Language caller nobody here signs.
  await customer('csl', 'hardware');
  await customer('csl', 'consultation');
  await customer('hksl', 'software');

  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900, deviceScaleFactor: 1 });
  await page.evaluateOnNewDocument(() => localStorage.setItem('signline.locale', 'en'));
  await page.goto(`${server.url}/supervisor`);
  await page.type('input[name=username]', 'lin');
  await page.type('input[name=password]', PASSWORD);
  await page.click('#signin');
  await page.waitForSelector('#calls tr[data-session] button');
  await page.waitForSelector('#chart-service .uplot canvas');
  await page.click('#calls tr[data-session] button');
  await page.waitForSelector('#quality-panel:not([hidden])');
  for (const locale of ['en', 'zh-CN']) {
    if (locale === 'zh-CN') {
      await page.click('#lang-switch');
      await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    }
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const file = path.join(root, `docs/supervisor-${locale}.png`);
    await page.screenshot({ path: file as `${string}.png`, fullPage: true });
    console.log(`saved ${path.relative(root, file)}`);
  }
} finally {
  for (const socket of sockets) socket.close();
  await browser.close();
  await server.close();
  await records.close();
}
