import type { ParticipantRole } from '../../../signaling/index.js';
import { attachStream } from './dom.js';
import { largePerson } from './layoutChoice.js';
import { chooseStage, type StageCandidate } from './stageChoice.js';

/** What the stage tells its page when the large tile changes hands or someone's signing changes. */
export type StageListener = (stage: ParticipantRole | null, signing: ReadonlySet<ParticipantRole>) => void;

/** Options of a stage. */
export interface StageOptions {
  /** Makes the pin button of a person's small tile (the page's layout owns what pinning does). */
  pinButton?(role: ParticipantRole): HTMLElement;
}

/**
 * The call's video layout: the active signer in the large view, everyone else in small tiles. Streams
 * and signing states come in per remote participant; `chooseStage` decides who is large unless the viewer
 * pinned someone (`largePerson`).
 */
export class Stage {
  readonly #large: HTMLVideoElement;
  readonly #tiles: HTMLElement;
  readonly #fallback: readonly ParticipantRole[];
  readonly #streams = new Map<ParticipantRole, MediaStream>();
  readonly #candidates = new Map<ParticipantRole, StageCandidate>();
  readonly #listener: StageListener;
  readonly #options: StageOptions;
  readonly #tileElements = new Map<ParticipantRole, { tile: HTMLElement; video: HTMLVideoElement }>();
  /** The active-signer rule's own choice, kept apart from a pin so that unpinning resumes the rule where it is. */
  #chosen: ParticipantRole | null = null;
  #current: ParticipantRole | null = null;
  #pinned: ParticipantRole | null = null;

  /** `fallback`: who is large while nobody has signed yet, first present wins. */
  constructor(large: HTMLVideoElement, tiles: HTMLElement, fallback: readonly ParticipantRole[], listener: StageListener, options: StageOptions = {}) {
    this.#large = large;
    this.#tiles = tiles;
    this.#fallback = fallback;
    this.#listener = listener;
    this.#options = options;
  }

  /** Who is in the large view now. */
  get current(): ParticipantRole | null {
    return this.#current;
  }

  /** Pins a participant to the large view over the active-signer rule; null hands it back to the rule. */
  pin(role: ParticipantRole | null): void {
    if (this.#pinned === role) return;
    this.#pinned = role;
    this.#render();
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
    this.#chosen = null;
    this.#current = null;
    this.#pinned = null;
    this.#render();
  }

  #render(): void {
    this.#chosen = chooseStage(this.#chosen, [...this.#candidates.values()], this.#fallback);
    this.#current = largePerson(this.#pinned === null ? null : { kind: 'person', role: this.#pinned }, this.#chosen, [...this.#streams.keys()]);
    attachStream(this.#large, this.#current === null ? null : (this.#streams.get(this.#current) ?? null));
    if (this.#current === null) delete this.#large.dataset.role;
    else this.#large.dataset.role = this.#current;
    // Tiles are kept across renders, so a change of stage does not restart anyone else's picture or sound.
    const small = new Map([...this.#streams].filter(([role]) => role !== this.#current));
    for (const [role, { tile, video }] of this.#tileElements) {
      if (small.has(role)) continue;
      attachStream(video, null);
      tile.remove();
      this.#tileElements.delete(role);
    }
    for (const [role, stream] of small) {
      let element = this.#tileElements.get(role);
      if (!element) {
        const tile = Object.assign(document.createElement('div'), { className: 'tile' });
        const video = Object.assign(document.createElement('video'), { autoplay: true, playsInline: true });
        tile.dataset.role = video.dataset.role = role;
        tile.append(video);
        if (this.#options.pinButton) tile.append(this.#options.pinButton(role));
        this.#tiles.append(tile);
        element = { tile, video };
        this.#tileElements.set(role, element);
      }
      attachStream(element.video, stream);
    }
    const signing = new Set([...this.#candidates.values()].filter((c) => c.signing).map((c) => c.role));
    this.#listener(this.#current, signing);
  }
}
