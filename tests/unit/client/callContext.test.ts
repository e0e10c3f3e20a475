import { describe, expect, it } from 'vitest';
import type { CallInvitation, CallStarted, Offer } from '../../../signaling/index.js';
import { callContext, minutesAndSeconds } from '../../../client/src/ui/callContext.js';

const started = (extra: Partial<CallStarted> = {}): CallStarted => ({ sessionId: 's1', ticketId: 'SL-ABC-123', role: 'agent', mode: 'csl', peerName: 'SL-ABC-123', color: 0, media: 'mediasoup', ...extra });
const offer = (extra: Partial<Offer> = {}): Offer => ({
  offerId: 'o1',
  ticketId: 'SL-ABC-123',
  mode: 'csl',
  topic: 'My phone will not connect to Wi-Fi',
  device: 'phone',
  slaClass: 'software',
  priority: 'normal',
  waitedMs: 65_000,
  deadline: 0,
  queue: { waiting: 1, longestWaitMs: 65_000 },
  ...extra,
});
const invitation = (extra: Partial<CallInvitation> = {}): CallInvitation => ({
  sessionId: 's1',
  ticketId: 'SL-ABC-123',
  mode: 'csl',
  topic: 'Printer offline',
  device: 'laptop',
  fromAgent: 'Agent alice',
  purpose: 'help',
  note: 'Driver reinstalled, still offline',
  ...extra,
});

describe('the customer context beside the agent’s video', () => {
  it('comes from the accepted offer, with the wait counted until the answer', () => {
    const context = callContext(started(), { offer: offer(), receivedAt: 1_000 }, null, 6_000);
    expect(context).toEqual({
      sessionId: 's1',
      ticketId: 'SL-ABC-123',
      mode: 'csl',
      topic: 'My phone will not connect to Wi-Fi',
      device: 'phone',
      category: 'software',
      waitedMs: 70_000,
      notes: [],
    });
  });

  it('carries the transferring agent’s note', () => {
    const context = callContext(started(), { offer: offer({ transfer: { fromAgent: 'Agent bob', note: 'Reset done' } }), receivedAt: 0 }, null, 0);
    expect(context.notes).toEqual([{ from: 'Agent bob', note: 'Reset done' }]);
  });

  it('leaves out a transfer without a note', () => {
    expect(callContext(started(), { offer: offer({ transfer: { fromAgent: 'Agent bob', note: '  ' } }), receivedAt: 0 }, null, 0).notes).toEqual([]);
  });

  it('comes from the invitation for a technician who joined by it, with the briefing as a note', () => {
    const context = callContext(started({ role: 'technician' }), null, invitation(), 0);
    expect(context).toMatchObject({ topic: 'Printer offline', device: 'laptop', category: null, waitedMs: null });
    expect(context.notes).toEqual([{ from: 'Agent alice', note: 'Driver reinstalled, still offline' }]);
  });

  it('ignores an offer or invitation about another call', () => {
    const context = callContext(started(), { offer: offer({ ticketId: 'SL-ZZZ-999' }), receivedAt: 0 }, invitation({ sessionId: 's2' }), 0);
    expect(context).toMatchObject({ ticketId: 'SL-ABC-123', mode: 'csl', topic: null, device: null, category: null, waitedMs: null, notes: [] });
  });

  it('shows only what the call says when nothing else is known (a one-time link, a reload)', () => {
    expect(callContext(started({ mode: 'voice' }), null, null, 0)).toMatchObject({ mode: 'voice', topic: null, notes: [] });
  });
});

describe('a wait in words', () => {
  it('splits into minutes and seconds, rounded to the second', () => {
    expect(minutesAndSeconds(70_400)).toEqual({ minutes: 1, seconds: 10 });
    expect(minutesAndSeconds(59_600)).toEqual({ minutes: 1, seconds: 0 });
    expect(minutesAndSeconds(4_000)).toEqual({ minutes: 0, seconds: 4 });
    expect(minutesAndSeconds(-5)).toEqual({ minutes: 0, seconds: 0 });
  });
});
