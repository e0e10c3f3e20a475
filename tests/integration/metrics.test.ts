import { describe, expect, it } from 'vitest';
import { serverPerTest } from '../support/liveServer.js';
import { call, openCall } from '../support/sockets.js';
import { testAgent } from '../support/testServer.js';

const TOKEN = 'scrape-me-please-0123456789';

/** One sample's value from Prometheus text, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics (Prometheus)', () => {
  const live = serverPerTest(() => [testAgent('alice', ['csl']), testAgent('bob', ['asl'])], { METRICS_TOKEN: TOKEN });

  it('reports the queues, agents by state and live calls as they are, and only to the bearer of its token', async () => {
    const scrape = async (token = TOKEN) => fetch(`${live.server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    const refused = await scrape('scrape-me-please-wrong-token');
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect((await fetch(`${live.server.url}/metrics`)).status).toBe(401);

    const open = await openCall(live.pool, 'alice');
    await live.pool.queuedCustomer({ mode: 'asl' });
    await live.pool.agent('bob');
    const reply = await scrape();
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toContain('text/plain');
    const text = await reply.text();
    expect(sample(text, 'signline_calls_active')).toBe(1);
    expect(sample(text, 'signline_queue_waiting{queue="asl"}')).toBe(1);
    expect(sample(text, 'signline_queue_waiting{queue="csl"}')).toBe(0);
    expect(sample(text, 'signline_queue_answered{queue="csl"}')).toBe(1);
    expect(sample(text, 'signline_agents{status="away"}')).toBe(1);
    expect(sample(text, 'signline_agents{status="in-call"}')).toBe(1);
    expect(sample(text, 'signline_process_resident_memory_bytes')).toBeGreaterThan(0);

    await call(open.agent, 'call:end', { sessionId: open.sessionId });
    const after = await (await scrape()).text();
    expect(sample(after, 'signline_calls_active')).toBe(0);
  });
});

describe('GET /metrics without METRICS_TOKEN', () => {
  const live = serverPerTest(() => [testAgent('alice', ['csl'])]);

  it('is off: refused with a coded error that says how to turn it on, with or without a token', async () => {
    for (const headers of [{}, { authorization: 'Bearer anything-at-all-0123456789' }] as Record<string, string>[]) {
      const response = await fetch(`${live.server.url}/metrics`, { headers });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', message: expect.stringContaining('METRICS_TOKEN') } });
    }
  });
});
