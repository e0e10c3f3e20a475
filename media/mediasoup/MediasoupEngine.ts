import { existsSync } from 'node:fs';
import type { types } from 'mediasoup';
import type { MediaEngine, MediaRoom, RoomOptions } from '../MediaEngine.js';
import { MediasoupRoom } from './MediasoupRoom.js';
import { mediaCodecs, type MediasoupEngineOptions } from './mediasoupSettings.js';

type MediasoupModule = typeof import('mediasoup');

/** The embedded SFU: one mediasoup worker per core, one router per session, rooms spread round-robin. */
export class MediasoupEngine implements MediaEngine {
  readonly kind = 'mediasoup' as const;
  readonly stations = true;
  #rtpCapabilities: types.RtpCapabilities | undefined;
  readonly #options: MediasoupEngineOptions;
  readonly #mediasoup: MediasoupModule;
  readonly #workers: types.Worker[] = [];
  /** Replacements of dead workers still starting, by slot: a room asked for while every worker is dead waits for one. */
  readonly #restarts = new Map<number, Promise<types.Worker>>();
  readonly #rooms = new Set<MediaRoom>();
  /**
   * How many open rooms use each router. A call's room shares its agent's station router, and after a warm transfer
   * the call outlives that station, so a router closes only when its last room does.
   */
  readonly #routerUsers = new Map<types.Router, number>();
  #next = 0;
  #closed = false;

  private constructor(mediasoup: MediasoupModule, options: MediasoupEngineOptions) {
    this.#mediasoup = mediasoup;
    this.#options = options;
  }

  /** Starts the workers; fails with a clear message when the worker binary has not been built. */
  static async create(options: MediasoupEngineOptions): Promise<MediasoupEngine> {
    if (!existsSync(options.workerBin)) {
      throw new Error(`mediasoup worker binary not found at ${options.workerBin}; run "npm run setup" (or set MEDIASOUP_WORKER_BIN)`);
    }
    // mediasoup 3.8 reads MEDIASOUP_WORKER_BIN once, when the module loads.
    process.env.MEDIASOUP_WORKER_BIN = options.workerBin;
    const mediasoup = await import('mediasoup');
    const engine = new MediasoupEngine(mediasoup, options);
    await Promise.all(Array.from({ length: options.workers }, (_, index) => engine.#startWorker(index)));
    // Every router built from the same codec list has the same capabilities; read them once.
    const probe = await engine.#workers[0]!.createRouter({ mediaCodecs });
    engine.#rtpCapabilities = probe.rtpCapabilities;
    probe.close();
    return engine;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.#rtpCapabilities!;
  }

  async createRoom(sessionId: string, options: RoomOptions = {}): Promise<MediaRoom> {
    if (this.#closed) throw new Error('media engine is closed');
    const host = options.colocateWith instanceof MediasoupRoom && !options.colocateWith.closed ? options.colocateWith : undefined;
    const router = host ? host.router : await (await this.#liveWorker()).createRouter({ mediaCodecs });
    const transportOptions = {
      listenIps: [{ ip: this.#options.listenIp, ...(this.#options.announcedIp ? { announcedIp: this.#options.announcedIp } : {}) }],
      initialAvailableOutgoingBitrate: this.#options.initialAvailableOutgoingBitrate,
      policy: this.#options.policy,
    };
    const room = new MediasoupRoom(sessionId, router, transportOptions, { roleOf: options.roleOf });
    this.#rooms.add(room);
    this.#routerUsers.set(router, (this.#routerUsers.get(router) ?? 0) + 1);
    room.once('closed', () => {
      this.#rooms.delete(room);
      const users = (this.#routerUsers.get(router) ?? 1) - 1;
      if (users > 0) return void this.#routerUsers.set(router, users);
      this.#routerUsers.delete(router);
      if (!router.closed) router.close();
    });
    return room;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const room of [...this.#rooms]) room.close();
    for (const worker of this.#workers) worker.close();
    this.#workers.length = 0;
  }

  /** The next live worker round-robin, skipping dead ones; with every worker dead, the first replacement to start. */
  async #liveWorker(): Promise<types.Worker> {
    for (let tried = 0; tried < this.#workers.length; tried++) {
      const worker = this.#workers[this.#next++ % this.#workers.length]!;
      if (!worker.closed) return worker;
    }
    // Rooms hear of their worker's death before the worker reports it: the replacement may not be under way yet.
    for (let index = 0; index < this.#workers.length; index++) this.#replace(index);
    if (this.#restarts.size === 0) throw new Error('no mediasoup worker is running');
    return await Promise.any(this.#restarts.values());
  }

  /** Starts a replacement for the dead worker in a slot, once. */
  #replace(index: number): void {
    if (this.#closed || this.#restarts.has(index) || !this.#workers[index]?.closed) return;
    const restart = this.#startWorker(index);
    this.#restarts.set(index, restart);
    const done = () => this.#restarts.delete(index);
    restart.then(done, (error: unknown) => {
      done();
      console.error('[media] restarting worker failed', error);
    });
  }

  async #startWorker(index: number): Promise<types.Worker> {
    const worker = await this.#mediasoup.createWorker({
      logLevel: this.#options.logLevel,
      rtcMinPort: this.#options.rtcMinPort,
      rtcMaxPort: this.#options.rtcMaxPort,
    });
    this.#workers[index] = worker;
    worker.on('died', (error: Error) => {
      // Rooms on a dead worker have lost their routers: the worker is replaced and the rooms close, so their calls
      // re-home to a live worker (or end cleanly) and stations reopen.
      console.error(`[media] mediasoup worker ${worker.pid} died: ${error.message}`);
      this.#replace(index);
      for (const room of [...this.#rooms]) if ((room as MediasoupRoom).routerClosed) room.close();
    });
    return worker;
  }
}
