import { ErrorCode } from './errors.js';

/** An error the product expects, with a stable code and the HTTP status that carries it. */
export class AppError extends Error {
  /** Stable code sent to clients. */
  readonly code: ErrorCode;
  /** HTTP status for the same error over HTTP. */
  readonly status: number;

  constructor(code: ErrorCode, status: number, message: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
  }

  /** Input that does not fit its schema. */
  static badRequest(message: string): AppError {
    return new AppError(ErrorCode.BadRequest, 400, message);
  }

  /** A missing or wrong credential. */
  static unauthorized(message = 'sign-in required'): AppError {
    return new AppError(ErrorCode.Unauthorized, 401, message);
  }

  /** A valid caller asking for something its role may not do. */
  static forbidden(message: string): AppError {
    return new AppError(ErrorCode.Forbidden, 403, message);
  }

  /** An object the caller may see does not exist, e.g. `producer with id "x" not found`. */
  static notFound(what: string, id: string): AppError {
    return new AppError(ErrorCode.NotFound, 404, `${what} with id "${id}" not found`);
  }

  /** A request that is valid but not now, e.g. consume before join. */
  static invalidState(message: string): AppError {
    return new AppError(ErrorCode.InvalidState, 409, message);
  }

  /** An offer that lapsed or was withdrawn before the reply. */
  static offerExpired(offerId: string): AppError {
    return new AppError(ErrorCode.OfferExpired, 410, `offer "${offerId}" is no longer open`);
  }

  /** Too many events or requests in a short time. */
  static rateLimited(): AppError {
    return new AppError(ErrorCode.RateLimited, 429, 'too many requests; slow down');
  }

  /** A sealed record that failed its integrity check; what it belongs to is named, never what it holds. */
  static recordTampered(what: string): AppError {
    return new AppError(ErrorCode.RecordTampered, 500, `the sealed record ${what} failed its integrity check`);
  }

  /** Something that may happen once happened already, e.g. a second survey of one ticket. */
  static conflict(message: string): AppError {
    return new AppError(ErrorCode.Conflict, 409, message);
  }

  /** A payload over the size limit. */
  static payloadTooLarge(limit: number): AppError {
    return new AppError(ErrorCode.PayloadTooLarge, 413, `payload larger than ${limit} bytes`);
  }
}
