import { randomInt } from 'node:crypto';

// No 0/O, 1/I/L: a customer reads the id aloud or types it into a follow-up form.
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** A new human-readable ticket id such as "SL-4K7-Q2M" (about 8.9e8 combinations). */
export function newTicketId(): string {
  const pick = (n: number) => Array.from({ length: n }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `SL-${pick(3)}-${pick(3)}`;
}
