import { z } from 'zod';

/** Stable error codes carried by every failed ack and HTTP error body. */
export const ErrorCode = {
  BadRequest: 'BAD_REQUEST',
  UnknownEvent: 'UNKNOWN_EVENT',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  RateLimited: 'RATE_LIMITED',
  Unauthorized: 'UNAUTHORIZED',
  Forbidden: 'FORBIDDEN',
  NotFound: 'NOT_FOUND',
  InvalidState: 'INVALID_STATE',
  OfferExpired: 'OFFER_EXPIRED',
  /** A one-time technician link that lapsed, was used already, or never existed. */
  LinkInvalid: 'LINK_INVALID',
  Unsupported: 'UNSUPPORTED',
  /** A sealed record that does not open: changed in storage, moved to another row, or under another key. */
  RecordTampered: 'RECORD_TAMPERED',
  /** Something that may happen once happened already (a ticket's survey answered twice). */
  Conflict: 'CONFLICT',
  Internal: 'INTERNAL',
} as const;

/** One of the stable error codes. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The error half of an ack or of an HTTP error body. */
export const errorBodySchema = z.object({
  code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
});

/** A coded error as it travels on the wire. */
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Every ack: success with data, or a coded error. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: ErrorBody };

/** The callback a client passes as the last argument of an event. */
export type AckCallback<T> = (result: Ack<T>) => void;
