import type { QueueJoin } from '../../signaling/index.js';
import { createLogger } from '../../server/logger.js';
import { DataKeys } from '../../server/records/DataKeys.js';
import type { RecordsDb } from '../../server/records/RecordsDb.js';
import type { Keyring } from '../../server/records/sealing.js';
import { SqlTicketJournal } from '../../server/records/SqlTicketJournal.js';
import { SqlTranscriptStore } from '../../server/records/SqlTranscriptStore.js';
import type { NewTranscriptLine } from '../../server/transcripts/TranscriptStore.js';
import { TicketRegistry } from '../../server/tickets/TicketRegistry.js';
import { mulberry32 } from '../../tests/support/random.js';

/** Latencies of one measured part, in milliseconds, in the order they were taken. */
export interface Latencies {
  ms: number[];
  /** The first write of each ticket (its row, or its data key), also counted in `ms`. */
  firstMs: number[];
}

/** A sustained-load window: every append that finished in it, and how long it lasted. */
export interface Sustained {
  lines: number;
  seconds: number;
  ms: number[];
}

const log = createLogger('error');
const elapsedMs = (started: bigint): number => Number(process.hrtime.bigint() - started) / 1e6;

const REQUEST: QueueJoin = { mode: 'csl', topic: 'Router keeps restarting', device: 'smart-home', category: 'hardware', needs: { captions: true }, locale: 'zh-CN' };

/**
 * Ticket changes as the service makes them, through the real TicketRegistry and SqlTicketJournal: `samples` changes
 * one at a time, round-robin over `tickets` tickets (opened, then in call, escalated, handed over, requeued, again in
 * call...). Each figure runs from the registry's call, which hands the change to the journal and returns, to the
 * journal's `settled()`: the change written, as a reader of the records would then find it.
 */
export async function ticketEventAppends(db: RecordsDb, samples: number, tickets: number): Promise<Latencies> {
  const journal = new SqlTicketJournal(db, log);
  const registry = new TicketRegistry({ journal });
  const ids: string[] = [];
  const steps: number[] = [];
  const result: Latencies = { ms: [], firstMs: [] };
  for (let i = 0; i < samples; i++) {
    const slot = i % tickets;
    const started = process.hrtime.bigint();
    if (slot === ids.length) {
      ids.push(registry.open(REQUEST).id);
      steps.push(0);
    } else {
      change(registry, ids[slot]!, steps[slot]!++);
    }
    await journal.settled();
    const ms = elapsedMs(started);
    result.ms.push(ms);
    if (i < tickets) result.firstMs.push(ms);
  }
  return result;
}

/** The next change of a ticket in a plausible cycle; every one rewrites the ticket's row and adds an event. */
function change(registry: TicketRegistry, id: string, step: number): void {
  switch (step % 4) {
    case 0:
      return registry.inCall(id, `session-${id}-${step}`, 'alice');
    case 1:
      return registry.escalated(id, 'alice', 2, 'warm');
    case 2:
      return registry.handedOver(id, 'alice', 'bob');
    case 3:
      return registry.requeued(id, 'bob', 'technical');
  }
}

/**
 * Transcript lines through the real SqlTranscriptStore, sealed with a data key per ticket wrapped by `keyring`:
 * `samples` appends one at a time, each awaited, round-robin over `tickets` tickets (so each ticket's first line also
 * makes its data key, as a call's first line does).
 */
export async function transcriptAppends(db: RecordsDb, keyring: Keyring, samples: number, tickets: number, seed: number): Promise<Latencies> {
  const store = new SqlTranscriptStore(db, new DataKeys(keyring));
  const lines = lineSource(seed);
  const ids = Array.from({ length: tickets }, (_, i) => `SL-B${seed}-${i}`);
  const result: Latencies = { ms: [], firstMs: [] };
  for (let i = 0; i < samples; i++) {
    const started = process.hrtime.bigint();
    await store.append(ids[i % tickets]!, lines());
    const ms = elapsedMs(started);
    result.ms.push(ms);
    if (i < tickets) result.firstMs.push(ms);
  }
  return result;
}

/**
 * `calls` tickets at once, each appending its next line as soon as the last one is stored, for `durationMs`: the
 * lines per second the store keeps up and the latency of each append under that load.
 */
export async function sustainedAppends(db: RecordsDb, keyring: Keyring, calls: number, durationMs: number, seed: number): Promise<Sustained> {
  const store = new SqlTranscriptStore(db, new DataKeys(keyring));
  const ms: number[] = [];
  const started = process.hrtime.bigint();
  const end = performance.now() + durationMs;
  await Promise.all(
    Array.from({ length: calls }, async (_, call) => {
      const ticketId = `SL-S${seed}-${call}`;
      const lines = lineSource(seed * 1000 + call);
      while (performance.now() < end) {
        const appended = process.hrtime.bigint();
        await store.append(ticketId, lines());
        ms.push(elapsedMs(appended));
      }
    }),
  );
  const seconds = elapsedMs(started) / 1000;
  return { lines: ms.length, seconds, ms };
}

const ENGLISH = ['the router', 'keeps restarting', 'when I plug in', 'the second cable', 'can you see', 'the light on the left', 'it blinks orange', 'I already tried', 'turning it off and on', 'please hold it', 'closer to the camera', 'thank you'];
const CHINESE = ['路由器', '一直在重启', '我插上网线以后', '指示灯', '闪橙色', '请把它', '靠近摄像头', '我已经试过', '重新开机', '谢谢您', '稍等一下', '您能看到吗'];

/**
 * Caption and real-time text lines of 20 to 120 characters, in English and in Chinese (three bytes a character), from
 * customer and agent in turn; the same seed gives the same lines.
 */
function lineSource(seed: number): () => NewTranscriptLine {
  const random = mulberry32(seed);
  let n = 0;
  return () => {
    const words = random() < 0.5 ? ENGLISH : CHINESE;
    const length = 20 + Math.floor(random() * 101);
    let text = '';
    while (text.length < length) text += `${words[Math.floor(random() * words.length)]!}${words === ENGLISH ? ' ' : '，'}`;
    const customer = n++ % 2 === 0;
    return {
      at: Date.now(),
      kind: random() < 0.6 ? 'caption' : 'rtt',
      speaker: customer ? { role: 'customer', name: 'SL-4K7-Q2M' } : { role: 'agent', name: 'Agent 王' },
      text: text.slice(0, length),
    };
  };
}
