// Writes docs/progress-en.png and docs/progress-zh-CN.png: the progress page of a ticket whose call has ended, with
// its history, transcript and survey, in both languages. Run: npm run screenshots:progress (after build:client).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { progressPath } from '../signaling/index.js';
import { launchChromium } from '../tests/support/chromium.js';
import { call, once, openCall, SocketPool } from '../tests/support/sockets.js';
import { startTestServer, testAgent } from '../tests/support/testServer.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const server = await startTestServer([testAgent('alice', ['csl'])]);
const pool = new SocketPool(server.url);
const browser = await launchChromium();
try {
  const open = await openCall(pool, 'alice', { topic: 'My phone will not connect to Wi-Fi' });
  await call(open.customer, 'text:chat', { sessionId: open.sessionId, clientId: 'c1', text: 'My phone will not connect to the Wi-Fi at home.' });
  await call(open.agent, 'text:chat', { sessionId: open.sessionId, clientId: 'a1', text: 'Please open Settings, then Wi-Fi, and forget the network.' });
  await call(open.customer, 'text:chat', { sessionId: open.sessionId, clientId: 'c2', text: 'Done, and it connects now. Thank you!' });
  const watcher = pool.open();
  watcher.connect();
  await call(watcher, 'progress:watch', { ticketId: open.ticketId, secret: open.secret });
  const ended = once(watcher, 'progress:update', 5000, (update) => update.status === 'ended');
  await call(open.agent, 'call:end', { sessionId: open.sessionId });
  await ended;

  for (const locale of ['en', 'zh-CN'] as const) {
    const context = await browser.createBrowserContext();
    const page = await context.newPage();
    await page.setViewport({ width: 900, height: 1200 });
    await page.evaluateOnNewDocument((chosen) => localStorage.setItem('signline.locale', chosen), locale);
    await page.goto(`${server.url}${progressPath(open.ticketId, open.secret)}`);
    await page.waitForSelector('#ticket-status[data-status=ended]');
    await page.waitForSelector('#survey-area:not([hidden]) .survey');
    await page.click('#survey-area .survey-choice:has(input[name=rating][value="5"])');
    await page.click('#survey-area .survey-choice:has(input[name=solved][value=yes])');
    const file = path.join(root, `docs/progress-${locale}.png`);
    await page.screenshot({ path: file as `${string}.png`, fullPage: true });
    console.log(`wrote ${path.relative(root, file)}`);
    await context.close();
  }
} finally {
  pool.closeAll();
  await browser.close();
  await server.close();
}
