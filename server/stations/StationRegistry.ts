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

  constructor(media: MediaEngine) {
    this.#media = media;
  }

  /** Opens a fresh station for the agent, closing any previous one (a reload). */
  async open(agentKey: string): Promise<MediaRoom> {
    this.close(agentKey);
    const room = await this.#media.createRoom(`station-${randomUUID()}`);
    this.#stations.set(agentKey, room);
    room.once('closed', () => {
      if (this.#stations.get(agentKey) === room) this.#stations.delete(agentKey);
    });
    return room;
  }

  /** The agent's station, or undefined. */
  get(agentKey: string): MediaRoom | undefined {
    return this.#stations.get(agentKey);
  }

  /** Closes the agent's station; a missing one is ignored. */
  close(agentKey: string): void {
    this.#stations.get(agentKey)?.close();
  }
}
