import type { ParticipantRole } from '../../../signaling/index.js';

/** A remote participant as the stage sees it. */
export interface StageCandidate {
  role: ParticipantRole;
  signing: boolean;
  /** Epoch ms when they last started signing; 0 if never. */
  signingSince: number;
}

/**
 * Who gets the large tile: the active signer, not the active speaker. Someone signing keeps the stage
 * while they sign (no flapping when two sign at once); otherwise the one who started signing last
 * takes it; with nobody signing the stage stays with whoever signed last, and before anyone has signed
 * it goes to the first of `fallback` present. Pure.
 */
export function chooseStage(current: ParticipantRole | null, candidates: readonly StageCandidate[], fallback: readonly ParticipantRole[]): ParticipantRole | null {
  const present = new Map(candidates.map((c) => [c.role, c]));
  if (current !== null && present.get(current)?.signing) return current;
  const signers = candidates.filter((c) => c.signing).sort((a, b) => b.signingSince - a.signingSince);
  if (signers.length > 0) return signers[0]!.role;
  if (current !== null && (present.get(current)?.signingSince ?? 0) > 0) return current;
  return fallback.find((role) => present.has(role)) ?? candidates[0]?.role ?? null;
}
