import { z } from 'zod';
import { AppError, ErrorCode, type ErrorBody } from '../signaling/index.js';

export { AppError };

/** Summarises a zod error as one readable line naming the fields. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'payload'}: ${issue.message}`)
    .join('; ');
}

/** Maps any thrown value to the coded body a client may see; internals become INTERNAL. */
export function toErrorBody(error: unknown, log: (message: string, error: unknown) => void): ErrorBody & { status: number } {
  if (error instanceof AppError) return { code: error.code, message: error.message, status: error.status };
  if (error instanceof z.ZodError) return { code: ErrorCode.BadRequest, message: describeZodError(error), status: 400 };
  // mediasoup rejects malformed RTP parameters and capabilities with TypeError or UnsupportedError.
  if (error instanceof Error && (error.name === 'TypeError' || error.name === 'UnsupportedError')) {
    return { code: ErrorCode.BadRequest, message: error.message.slice(0, 200), status: 400 };
  }
  log('unexpected error', error);
  return { code: ErrorCode.Internal, message: 'internal error', status: 500 };
}
