import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import { describeZodError } from '../../server/errors.js';
import {
  agentLoginSchema,
  clientEventSchemas,
  type ClientEventName,
  type ClientEventReplies,
  produceSchema,
  queueJoinSchema,
} from '../../signaling/index.js';

/** The issues of a payload the schema must reject, as `path: message` lines. */
function rejection(schema: z.ZodType, payload: unknown): { paths: string[]; summary: string } {
  const result = schema.safeParse(payload);
  if (result.success) throw new Error(`expected ${JSON.stringify(payload)} to be rejected`);
  return { paths: result.error.issues.map((issue) => issue.path.join('.')), summary: describeZodError(result.error) };
}

const validJoin = () => ({ mode: 'csl', topic: 'My phone will not connect to Wi-Fi', device: 'phone' });

const vp8RtpParameters = () => ({
  mid: '0',
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }] }],
  headerExtensions: [],
  encodings: [{ ssrc: 1111 }],
  rtcp: { cname: 'x' },
});

const validProduce = () => ({
  sessionId: 'session-1',
  transportId: 'transport-1',
  kind: 'video',
  rtpParameters: vp8RtpParameters(),
  source: 'camera',
});

describe('queue:join schema', () => {
  it('accepts a plain request and fills in category, needs and locale defaults', () => {
    expect(queueJoinSchema.parse(validJoin())).toEqual({ ...validJoin(), category: 'software', needs: {}, locale: 'en' });
  });

  it('keeps the needs and locale a customer gives', () => {
    const parsed = queueJoinSchema.parse({ ...validJoin(), needs: { captions: true }, locale: 'zh-CN' });
    expect(parsed.needs).toEqual({ captions: true });
    expect(parsed.locale).toBe('zh-CN');
  });

  it('rejects an unknown mode and names the mode field', () => {
    const { paths, summary } = rejection(queueJoinSchema, { ...validJoin(), mode: 'klingon' });
    expect(paths).toEqual(['mode']);
    expect(summary).toMatch(/^mode: /);
  });

  it('rejects a topic longer than 120 characters and names the topic field', () => {
    const { paths, summary } = rejection(queueJoinSchema, { ...validJoin(), topic: 'x'.repeat(121) });
    expect(paths).toEqual(['topic']);
    expect(summary).toMatch(/^topic: .*120/);
  });

  it('accepts a topic of exactly 120 characters', () => {
    expect(queueJoinSchema.safeParse({ ...validJoin(), topic: 'x'.repeat(120) }).success).toBe(true);
  });

  it('rejects an empty topic', () => {
    expect(rejection(queueJoinSchema, { ...validJoin(), topic: '' }).paths).toEqual(['topic']);
  });

  it('rejects a field it does not know instead of ignoring it', () => {
    const { summary } = rejection(queueJoinSchema, { ...validJoin(), priority: 'vip' });
    expect(summary).toContain('priority');
  });

  it('rejects a field it does not know inside needs', () => {
    const { paths, summary } = rejection(queueJoinSchema, { ...validJoin(), needs: { captions: true, interpreter: true } });
    expect(paths).toEqual(['needs']);
    expect(summary).toContain('interpreter');
  });

  it('rejects a missing device and a wrong-typed topic together, naming both', () => {
    const { paths } = rejection(queueJoinSchema, { mode: 'csl', topic: 42 });
    expect(paths.sort()).toEqual(['device', 'topic']);
  });
});

describe('media:produce schema', () => {
  it('accepts RTP parameters as mediasoup-client produces them', () => {
    expect(produceSchema.safeParse(validProduce()).success).toBe(true);
  });

  it('keeps fields of the RTP parameters that it does not check', () => {
    const parsed = produceSchema.parse({ ...validProduce(), rtpParameters: { ...vp8RtpParameters(), extra: 1 } });
    expect(parsed.rtpParameters).toHaveProperty('extra', 1);
  });

  it('rejects RTP parameters without codecs and names rtpParameters.codecs', () => {
    const { codecs: _codecs, ...noCodecs } = vp8RtpParameters();
    const { paths, summary } = rejection(produceSchema, { ...validProduce(), rtpParameters: noCodecs });
    expect(paths).toEqual(['rtpParameters.codecs']);
    expect(summary).toMatch(/^rtpParameters\.codecs: /);
  });

  it('rejects an empty codec list', () => {
    expect(rejection(produceSchema, { ...validProduce(), rtpParameters: { ...vp8RtpParameters(), codecs: [] } }).paths).toEqual([
      'rtpParameters.codecs',
    ]);
  });

  it('rejects a payload type outside 0 to 127 and names the codec', () => {
    const rtpParameters = { ...vp8RtpParameters(), codecs: [{ mimeType: 'video/VP8', payloadType: 200, clockRate: 90000 }] };
    expect(rejection(produceSchema, { ...validProduce(), rtpParameters }).paths).toEqual(['rtpParameters.codecs.0.payloadType']);
  });

  it('rejects a source other than camera, microphone or screen', () => {
    const { paths, summary } = rejection(produceSchema, { ...validProduce(), source: 'webcam' });
    expect(paths).toEqual(['source']);
    expect(summary).toMatch(/^source: /);
  });

  it('rejects a kind other than audio or video', () => {
    expect(rejection(produceSchema, { ...validProduce(), kind: 'data' }).paths).toEqual(['kind']);
  });

  it('rejects an empty session id', () => {
    expect(rejection(produceSchema, { ...validProduce(), sessionId: '' }).paths).toEqual(['sessionId']);
  });
});

describe('agent login schema', () => {
  it('accepts a username and a password', () => {
    expect(agentLoginSchema.parse({ username: 'alice', password: 'secret' })).toEqual({ username: 'alice', password: 'secret' });
  });

  it('rejects a missing password and names it', () => {
    const { paths, summary } = rejection(agentLoginSchema, { username: 'alice' });
    expect(paths).toEqual(['password']);
    expect(summary).toMatch(/^password: /);
  });

  it('rejects an empty username', () => {
    expect(rejection(agentLoginSchema, { username: '', password: 'secret' }).paths).toEqual(['username']);
  });

  it('rejects a password longer than 256 characters', () => {
    expect(rejection(agentLoginSchema, { username: 'alice', password: 'p'.repeat(257) }).paths).toEqual(['password']);
  });

  it('rejects an extra field such as a role claim', () => {
    expect(rejection(agentLoginSchema, { username: 'alice', password: 'secret', role: 'admin' }).summary).toContain('role');
  });

  it('summarises a body that is not an object as a payload issue', () => {
    expect(rejection(agentLoginSchema, 'alice:secret').summary).toMatch(/^payload: /);
  });
});

describe('the client event map', () => {
  // Compiles only when every event with a schema has a reply type: otherwise `true` is not assignable.
  type EventsWithoutReply = Exclude<ClientEventName, keyof ClientEventReplies>;
  const everyEventHasAReply: [EventsWithoutReply] extends [never] ? true : EventsWithoutReply = true;

  it('gives every event with a schema a reply type, and no reply type lacks a schema', () => {
    expectTypeOf<keyof ClientEventReplies>().toEqualTypeOf<ClientEventName>();
    expect(everyEventHasAReply).toBe(true);
    expect(Object.keys(clientEventSchemas).length).toBeGreaterThan(0);
  });

  it('rejects unknown fields in every event payload', () => {
    for (const [event, schema] of Object.entries(clientEventSchemas)) {
      const result = schema.safeParse({ unexpected: true });
      expect(result.success, event).toBe(false);
      expect(result.error?.issues.some((issue) => issue.code === 'unrecognized_keys'), event).toBe(true);
    }
  });
});
