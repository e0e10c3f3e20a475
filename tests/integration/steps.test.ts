import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  guidesSchema,
  MAX_GUIDE_EVENT_BYTES,
  type Ack,
  type Guide,
  type Guides,
  type StepsState,
  type TranscriptLine,
} from '../../signaling/index.js';
import { serverPerTest } from '../support/liveServer.js';
import { call, connect, errorOf, loginAgent, once, openCall, record, request, technicianJoins, type ClientSocket } from '../support/sockets.js';
import { testAgent, testTechnician } from '../support/testServer.js';

const guide: Guide = {
  id: 'restart-router',
  title: 'Restart the router',
  steps: [{ text: 'Unplug the power cable. All the lights go out.' }, { text: 'Wait 30 seconds.' }, { text: 'Plug it back in.' }],
};

/** A JPEG data URL of about `chars` characters (the server checks its form, not its picture). */
const jpeg = (chars: number) => `data:image/jpeg;base64,${'A'.repeat(chars - 'data:image/jpeg;base64,'.length)}`;

/** The next `call:steps` push on a socket that matches. */
const nextState = (socket: ClientSocket, accept: (state: StepsState) => boolean = () => true) => once(socket, 'call:steps', undefined, accept);

/** The step events of the ticket's transcript, as "event text". */
async function stepEvents(socket: ClientSocket, sessionId: string): Promise<string[]> {
  const { lines } = await call(socket, 'text:transcript', { sessionId });
  return lines.filter((line: TranscriptLine) => line.event && (line.event.startsWith('step-') || line.event === 'guide-sent')).map((line) => `${line.speaker.role} ${line.event} ${line.text}`);
}

describe('step-by-step guidance in a call (Socket.IO, real server and SFU worker)', () => {
  const live = serverPerTest(() => [testAgent('alice', ['csl']), testTechnician('tess')]);

  it('walks the customer through a guide card by card: done moves on, again repeats, stuck alerts the agent, all in the transcript', async () => {
    const open = await openCall(live.pool, 'alice');
    const { sessionId } = open;
    const customerFirst = nextState(open.customer);
    const agentFirst = nextState(open.agent);
    expect(await call(open.agent, 'call:guide', { sessionId, guide, slow: false })).toEqual({ guideNo: 1, cards: 3 });
    const first = await customerFirst;
    expect(first).toMatchObject({ sessionId, guideNo: 1, guideId: 'restart-router', title: 'Restart the router', slow: false, current: 0, shown: 1, statuses: ['current', 'pending', 'pending'], lastReply: null });
    expect(first.from).toEqual({ role: 'agent', name: 'Agent alice' });
    expect(first.cards?.map((card) => card.text)).toEqual(guide.steps.map((step) => step.text));
    expect((await agentFirst).cards).toHaveLength(3);

    const afterDone = nextState(open.agent, (state) => state.lastReply?.reply === 'done');
    await call(open.customer, 'call:stepReply', { sessionId, guideNo: 1, index: 0, reply: 'done' });
    const done = await afterDone;
    expect(done).toMatchObject({ current: 1, shown: 1, statuses: ['done', 'current', 'pending'], lastReply: { index: 0, reply: 'done' } });
    // Progress alone: the cards came with the guide.
    expect(done.cards).toBeUndefined();

    const afterAgain = nextState(open.customer, (state) => state.lastReply?.reply === 'again');
    await call(open.customer, 'call:stepReply', { sessionId, guideNo: 1, index: 1, reply: 'again' });
    expect(await afterAgain).toMatchObject({ current: 1, shown: 2, statuses: ['done', 'current', 'pending'], lastReply: { index: 1, reply: 'again' } });

    const agentSeesStuck = nextState(open.agent, (state) => state.lastReply?.reply === 'stuck');
    await call(open.customer, 'call:stepReply', { sessionId, guideNo: 1, index: 1, reply: 'stuck' });
    expect(await agentSeesStuck).toMatchObject({ current: 1, statuses: ['done', 'stuck', 'pending'], lastReply: { index: 1, reply: 'stuck' } });

    // A resend with a snapshot puts the card in front of the customer again, picture and all.
    const snapshot = jpeg(120_000);
    const resent = nextState(open.customer, (state) => state.shown === 3);
    await call(open.agent, 'call:step', { sessionId, guideNo: 1, index: 1, image: snapshot });
    const withPicture = await resent;
    expect(withPicture).toMatchObject({ current: 1, shown: 3, statuses: ['done', 'current', 'pending'] });
    expect(withPicture.cards?.[1]?.image).toBe(snapshot);

    await expect.poll(() => stepEvents(open.agent, sessionId)).toEqual([
      'agent guide-sent Restart the router',
      'agent step-shown 1/3: Unplug the power cable. All the lights go out.',
      'customer step-done 1/3',
      'agent step-shown 2/3: Wait 30 seconds.',
      'customer step-again 2/3',
      'customer step-stuck 2/3',
      'agent step-shown 2/3: Wait 30 seconds. [picture]',
    ]);
  });

  it('refuses a stale card with INVALID_STATE and changes nothing', async () => {
    const open = await openCall(live.pool, 'alice');
    const { sessionId } = open;
    await call(open.agent, 'call:guide', { sessionId, guide, slow: false });
    // The agent's page has every push of the guide so far before the refusals begin.
    const moved = nextState(open.agent, (state) => state.current === 1);
    await call(open.customer, 'call:stepReply', { sessionId, guideNo: 1, index: 0, reply: 'done' });
    await moved;
    const pushes = record(open.agent, 'call:steps');
    const linesBefore = (await call(open.agent, 'text:transcript', { sessionId })).lines.length;

    // A double press answers the card that is gone; an answer to a guide that was never sent is as stale.
    for (const stale of [{ guideNo: 1, index: 0 }, { guideNo: 1, index: 2 }, { guideNo: 2, index: 1 }]) {
      const error = errorOf(await request(open.customer, 'call:stepReply', { sessionId, ...stale, reply: 'done' }));
      expect(error.code, JSON.stringify(stale)).toBe(ErrorCode.InvalidState);
    }
    expect(errorOf(await request(open.agent, 'call:step', { sessionId, guideNo: 1, index: 7 })).code).toBe(ErrorCode.InvalidState);

    // The next valid answer shows the state exactly as it was.
    const after = nextState(open.agent, (state) => state.lastReply?.reply === 'again');
    await call(open.customer, 'call:stepReply', { sessionId, guideNo: 1, index: 1, reply: 'again' });
    expect(await after).toMatchObject({ current: 1, shown: 2, statuses: ['done', 'current', 'pending'] });
    expect(pushes).toHaveLength(1);
    expect((await call(open.agent, 'text:transcript', { sessionId })).lines.length).toBe(linesBefore + 1);
  });

  it('lets only the agent or a technician send and show steps, and only the customer answer them', async () => {
    const open = await openCall(live.pool, 'alice');
    const { sessionId } = open;
    const customerPushes = record(open.customer, 'call:steps');
    expect(errorOf(await request(open.customer, 'call:guide', { sessionId, guide, slow: false })).code).toBe(ErrorCode.Forbidden);
    expect(errorOf(await request(open.customer, 'call:stepReply', { sessionId, guideNo: 1, index: 0, reply: 'done' })).code).toBe(ErrorCode.InvalidState);
    await call(open.agent, 'call:guide', { sessionId, guide, slow: false });
    expect(errorOf(await request(open.customer, 'call:step', { sessionId, guideNo: 1, index: 1 })).code).toBe(ErrorCode.Forbidden);
    expect(errorOf(await request(open.agent, 'call:stepReply', { sessionId, guideNo: 1, index: 0, reply: 'done' })).code).toBe(ErrorCode.Forbidden);
    // Someone in another call, or in none, is told the call does not exist.
    const other = await live.pool.queuedCustomer();
    expect(errorOf(await request(other.socket, 'call:stepReply', { sessionId, guideNo: 1, index: 0, reply: 'done' })).code).toBe(ErrorCode.NotFound);
    await expect.poll(() => customerPushes.length).toBe(1);
    expect(customerPushes[0]).toMatchObject({ current: 0, statuses: ['current', 'pending', 'pending'] });
    // Bad input never reaches the call.
    expect(errorOf(await request(open.agent, 'call:guide', { sessionId, guide: { ...guide, steps: [{ text: 'x', image: 'javascript:alert(1)' }] }, slow: false })).code).toBe(ErrorCode.BadRequest);
    expect(errorOf(await request(open.customer, 'call:stepReply', { sessionId, guideNo: 1, index: 0, reply: 'skip' } as never)).code).toBe(ErrorCode.BadRequest);
  });

  it('lets a technician send a slow guide, one sentence per card, and shows a page that joins or comes back the guide in progress', async () => {
    const open = await openCall(live.pool, 'alice');
    const { sessionId } = open;
    const tess = await live.pool.agent('tess');
    await technicianJoins(open, tess);
    const slow = nextState(open.customer);
    expect(await call(tess.socket, 'call:guide', { sessionId, guide, slow: true })).toEqual({ guideNo: 1, cards: 4 });
    const state = await slow;
    expect(state.from.role).toBe('technician');
    expect(state.cards?.map((card) => [card.step, card.text])).toEqual([
      [1, 'Unplug the power cable.'],
      [1, 'All the lights go out.'],
      [2, 'Wait 30 seconds.'],
      [3, 'Plug it back in.'],
    ]);
    await call(open.customer, 'call:stepReply', { sessionId, guideNo: 1, index: 0, reply: 'done' });

    // The customer reloads: the new page gets the cards with the progress.
    const back = live.pool.open({ token: open.token });
    const resumed = nextState(back);
    await connect(back);
    expect(await resumed).toMatchObject({ guideNo: 1, current: 1, statuses: ['done', 'current', 'pending', 'pending'], cards: expect.any(Array) });
  });

  it('limits guides to a few in a row, takes pictures past the usual event size and refuses a guide larger than its own limit', async () => {
    const open = await openCall(live.pool, 'alice');
    const { sessionId } = open;
    const withPictures: Guide = { ...guide, id: 'own-1', steps: [{ text: 'Tap here.', image: jpeg(250_000) }, { text: 'Then here.', image: jpeg(250_000) }] };
    expect(await call(open.agent, 'call:guide', { sessionId, guide: withPictures, slow: false })).toEqual({ guideNo: 1, cards: 2 });
    const tooLarge: Guide = { ...withPictures, steps: [...withPictures.steps, { text: 'And here.', image: jpeg(250_000) }] };
    expect(JSON.stringify(tooLarge).length).toBeGreaterThan(MAX_GUIDE_EVENT_BYTES);
    expect(errorOf(await request(open.agent, 'call:guide', { sessionId, guide: tooLarge, slow: false })).code).toBe(ErrorCode.PayloadTooLarge);
    await call(open.agent, 'call:guide', { sessionId, guide, slow: false });
    await call(open.agent, 'call:guide', { sessionId, guide, slow: false });
    const flood = errorOf(await request(open.agent, 'call:guide', { sessionId, guide, slow: false }));
    expect(flood.code).toBe(ErrorCode.RateLimited);
    // The guide in front of the customer is still the last one sent.
    const resent = nextState(open.customer);
    await call(open.agent, 'call:step', { sessionId, guideNo: 3, index: 0 });
    expect(await resent).toMatchObject({ guideNo: 3, current: 0, shown: 2 });
  });

  it('serves the guides file to signed-in staff only', async () => {
    const anonymous = await fetch(`${live.server.url}/api/guides`);
    expect(anonymous.status).toBe(401);
    const { token } = await loginAgent(live.server.url, 'alice');
    const response = await fetch(`${live.server.url}/api/guides`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as Ack<Guides>;
    expect(body.ok).toBe(true);
    if (!body.ok) return;
    const guides = guidesSchema.parse(body.data);
    expect(guides.en.map((one) => one.id)).toContain('restart-router');
    expect(guides['zh-CN'].find((one) => one.id === 'restart-router')?.title).toBe('重启路由器');
  });
});
