import { randomUUID } from 'node:crypto';
import type { MediaEngine, MediaRoom } from '../../media/MediaEngine.js';

/**
 * Agents' stations: a media room per signed-in agent that carries the agent's camera and microphone
 * between calls, so an accepted call starts with the agent's media already flowing (a persistent
 * agent connection). Calls adopt the station's producers; nobody but the agent joins a station.
 */
export class StationRegistry {
  readonly #media: MediaEngine;
  readonly #stations = new Map<string, MediaRoom>();
  /** Stations being closed on purpose (a reload, a sign-out), which `onLost` does not hear of. */
  readonly #closing = new Set<MediaRoom>();
  readonly #onLost: (agentKey: string, stationId: string) => void;

  /** `onLost` hears of a station closed underneath (its SFU worker died), so its page can open another. */
  constructor(media: MediaEngine, onLost: (agentKey: string, stationId: string) => void = () => undefined) {
    this.#media = media;
    this.#onLost = onLost;
  }

  /** Opens a fresh station for the agent, closing any previous one (a reload). */
  async open(agentKey: string): Promise<MediaRoom> {
    this.close(agentKey);
    const room = await this.#media.createRoom(`station-${randomUUID()}`);
    this.#stations.set(agentKey, room);
    room.once('closed', () => {
      const lost = !this.#closing.delete(room);
      if (this.#stations.get(agentKey) !== room) return;
      this.#stations.delete(agentKey);
      if (lost) this.#onLost(agentKey, room.id);
    });
    return room;
  }

  /** The agent's station, or undefined. */
  get(agentKey: string): MediaRoom | undefined {
    return this.#stations.get(agentKey);
  }

  /** Closes the agent's station; a missing one is ignored. */
  close(agentKey: string): void {
    const room = this.#stations.get(agentKey);
    if (!room || room.closed) return;
    this.#closing.add(room);
    room.close();
  }
}
