import { describe, expect, it } from 'vitest';
import { csatOf } from '../../../signaling/index.js';
import { progressStatusOf, progressStepOf } from '../../../server/tickets/progressSteps.js';

describe('a ticket history as its customer reads it', () => {
  it('says who acted only as you, an agent or the service, and keeps the queue a step moved the ticket to', () => {
    expect(progressStepOf({ seq: 1, at: 10, actor: 'customer', kind: 'opened', detail: { queue: 'csl', category: 'software' } })).toEqual({ seq: 1, at: 10, kind: 'opened', by: 'you', queue: 'csl' });
    expect(progressStepOf({ seq: 2, at: 20, actor: 'agent:a-7f3', kind: 'in-call', detail: { sessionId: 's-secret' } })).toEqual({ seq: 2, at: 20, kind: 'in-call', by: 'agent' });
    expect(progressStepOf({ seq: 3, at: 30, actor: 'agent:a-7f3', kind: 'handed-over', detail: { to: 'a-9' } })).toEqual({ seq: 3, at: 30, kind: 'handed-over', by: 'agent' });
    expect(progressStepOf({ seq: 4, at: 40, actor: 'system', kind: 'ended', detail: { reason: 'hangup' } })).toEqual({ seq: 4, at: 40, kind: 'ended', by: 'system' });
  });

  it('leaves out a kind of change the page does not know, and reads an unknown status as after the call', () => {
    expect(progressStepOf({ seq: 5, at: 50, actor: 'system', kind: 'wrapped-up' as never, detail: {} })).toBeNull();
    expect(progressStepOf({ seq: 6, at: 60, actor: 'customer', kind: 'transferred', detail: { queue: "csl'; DROP TABLE tickets; --" } })).toEqual({ seq: 6, at: 60, kind: 'transferred', by: 'you' });
    expect(progressStatusOf('in-call')).toBe('in-call');
    expect(progressStatusOf('wrap-up')).toBe('ended');
  });

  it('counts CSAT as the share of 4 and 5 ratings, with no figure before any answer', () => {
    expect(csatOf(0, 0)).toEqual({ responses: 0, satisfied: 0, csat: null });
    expect(csatOf(4, 3)).toEqual({ responses: 4, satisfied: 3, csat: 0.75 });
  });
});
