import type { ParticipantRole } from '../../../signaling/index.js';
import { attachStream } from './dom.js';
import { chooseStage, type StageCandidate } from './stageChoice.js';

/** What the stage tells its page when the large tile changes hands or someone's signing changes. */
export type StageListener = (stage: ParticipantRole | null, signing: ReadonlySet<ParticipantRole>) => void;

/**
 * The call's video layout: the active signer in the large view, everyone else in small tiles. Streams
 * and signing states come in per remote participant; `chooseStage` decides who is large.
 */
export class Stage {
  readonly #large: HTMLVideoElement;
  readonly #tiles: HTMLElement;
  readonly #fallback: readonly ParticipantRole[];
  readonly #streams = new Map<ParticipantRole, MediaStream>();
  readonly #candidates = new Map<ParticipantRole, StageCandidate>();
  readonly #listener: StageListener;
  readonly #tileElements = new Map<ParticipantRole, HTMLVideoElement>();
  #current: ParticipantRole | null = null;

  /** `fallback`: who is large while nobody has signed yet, first present wins. */
  constructor(large: HTMLVideoElement, tiles: HTMLElement, fallback: readonly ParticipantRole[], listener: StageListener) {
    this.#large = large;
    this.#tiles = tiles;
    this.#fallback = fallback;
    this.#listener = listener;
  }

  /** Who is in the large view now. */
  get current(): ParticipantRole | null {
    return this.#current;
  }

  /** A participant's media arrived or changed. */
  setStream(role: ParticipantRole, stream: MediaStream): void {
    this.#streams.set(role, stream);
    if (!this.#candidates.has(role)) this.#candidates.set(role, { role, signing: false, signingSince: 0 });
    this.#render();
  }

  /** A participant left. */
  remove(role: ParticipantRole): void {
    this.#streams.delete(role);
    this.#candidates.delete(role);
    this.#render();
  }

  /** A participant started or stopped signing. */
  setSigning(role: ParticipantRole, signing: boolean): void {
    const before = this.#candidates.get(role) ?? { role, signing: false, signingSince: 0 };
    this.#candidates.set(role, { role, signing, signingSince: signing && !before.signing ? Date.now() : before.signingSince });
    this.#render();
  }

  /** Empties the stage (the call ended). */
  clear(): void {
    this.#streams.clear();
    this.#candidates.clear();
    this.#current = null;
    this.#render();
  }

  #render(): void {
    this.#current = chooseStage(this.#current, [...this.#candidates.values()], this.#fallback);
    attachStream(this.#large, this.#current === null ? null : (this.#streams.get(this.#current) ?? null));
    if (this.#current === null) delete this.#large.dataset.role;
    else this.#large.dataset.role = this.#current;
    // Tiles are kept across renders, so a change of stage does not restart anyone else's picture or sound.
    const small = new Map([...this.#streams].filter(([role]) => role !== this.#current));
    for (const [role, video] of this.#tileElements) {
      if (small.has(role)) continue;
      attachStream(video, null);
      video.remove();
      this.#tileElements.delete(role);
    }
    for (const [role, stream] of small) {
      let video = this.#tileElements.get(role);
      if (!video) {
        video = Object.assign(document.createElement('video'), { autoplay: true, playsInline: true, className: 'tile' });
        video.dataset.role = role;
        this.#tiles.append(video);
        this.#tileElements.set(role, video);
      }
      attachStream(video, stream);
    }
    const signing = new Set([...this.#candidates.values()].filter((c) => c.signing).map((c) => c.role));
    this.#listener(this.#current, signing);
  }
}
