import type { CallEnded } from '../../signaling/index.js';

/** Ends kept per console: one away for longer than a few calls has nothing more to learn from older ones. */
const KEPT_PER_AGENT = 8;

/**
 * The ends of calls an agent's console did not hear because it was not connected (a reload or a network drop, a
 * restart of this node, a node that died), told to it as `call:ended` when it connects again (on another node,
 * that node asks this one: `sharePresence`): so the console leaves a call that is over, and opens the wrap-up that is
 * still theirs to write. An end is kept as soon as the call ends, while its wrap-up is still being opened, so a
 * console that comes back at that moment waits for it.
 */
export class UntoldEnds {
  /** By the agent's participant key (`agentKey`), which is also the Socket.IO room their consoles are in. */
  readonly #byKey = new Map<string, Promise<CallEnded>[]>();

  add(key: string, ended: CallEnded | Promise<CallEnded>): void {
    const ends = [...(this.#byKey.get(key) ?? []), Promise.resolve(ended)];
    this.#byKey.set(key, ends.slice(-KEPT_PER_AGENT));
  }

  /** The ends the agent has not heard, oldest first, forgotten once taken. */
  take(key: string): Promise<CallEnded[]> {
    const ends = this.#byKey.get(key) ?? [];
    this.#byKey.delete(key);
    return Promise.all(ends);
  }
}
