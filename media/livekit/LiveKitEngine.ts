import type { MediaPolicy } from '../../signaling/index.js';
import type { MediaEngine, MediaRoom, RoomOptions } from '../MediaEngine.js';
import { LiveKitRoom } from './LiveKitRoom.js';
import { LiveKitRooms, type LiveKitServer } from './LiveKitRooms.js';

/** How the service reaches its LiveKit server. */
export interface LiveKitEngineOptions extends LiveKitServer {
  policy: MediaPolicy;
}

/**
 * Media on a LiveKit server (`MEDIA_ENGINE=livekit`), for deployments of several nodes: every node opens rooms on the
 * same server (or cluster), so a call's media does not live or die with the node that hosts its logic. Browsers
 * connect to LiveKit with least-privilege tokens; rooms are made, emptied and closed through its REST API.
 */
export class LiveKitEngine implements MediaEngine {
  readonly kind = 'livekit' as const;
  readonly stations = false;
  /** Browsers negotiate codecs with the LiveKit server itself. */
  readonly rtpCapabilities = {};
  /** The server's rooms and webhooks; the HTTP app mounts the webhook route on it. */
  readonly rooms: LiveKitRooms;
  readonly #options: LiveKitEngineOptions;
  readonly #open = new Map<string, LiveKitRoom>();
  #closed = false;

  private constructor(options: LiveKitEngineOptions) {
    this.#options = options;
    this.rooms = new LiveKitRooms(options);
    // A room LiveKit finished (emptied out, deleted by an operator) is closed here too if this node hosts it.
    this.rooms.on('roomFinished', (name) => this.#open.get(name)?.close());
  }

  /** Connects to the LiveKit server; fails with what to check when it does not answer or refuses the keys. */
  static async create(options: LiveKitEngineOptions): Promise<LiveKitEngine> {
    const engine = new LiveKitEngine(options);
    try {
      await engine.rooms.list();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`the LiveKit server at ${options.httpUrl} did not answer with these keys (${reason}); check LIVEKIT_URL, LIVEKIT_API_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET`);
    }
    return engine;
  }

  async createRoom(sessionId: string, options: RoomOptions = {}): Promise<MediaRoom> {
    if (this.#closed) throw new Error('media engine is closed');
    const room = await LiveKitRoom.open(sessionId, {
      server: this.#options,
      rooms: this.rooms,
      policy: this.#options.policy,
      // A room made without a mode (a test's) lets each role send whatever a sign call's may.
      mode: options.mode ?? 'csl',
      roleOf: options.roleOf ?? (() => 'agent'),
    });
    this.#open.set(sessionId, room);
    room.once('closed', () => {
      if (this.#open.get(sessionId) === room) this.#open.delete(sessionId);
    });
    return room;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const room of [...this.#open.values()]) room.close();
  }
}
