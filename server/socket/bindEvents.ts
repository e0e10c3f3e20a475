import { clientEventSchemas, ErrorCode, type Ack, type ClientEventName } from '../../signaling/index.js';
import { AppError, toErrorBody } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AppSocket, EventHandler, EventHandlers } from './types.js';

/** Limits applied to every event before its handler runs. */
export interface EdgeLimits {
  maxEventBytes: number;
  /** Larger limits for the few events whose payload may carry a picture (a guide's step cards). */
  eventBytes?: Partial<Record<ClientEventName, number>>;
}

/**
 * The one edge every client event passes: rate limit, size limit, zod schema, then the handler.
 * Each failure is a coded ack; events without an ack callback get `protocol:error` instead.
 */
export function bindEvents(socket: AppSocket, handlers: EventHandlers, limits: EdgeLimits, log: Logger): void {
  const known = new Set<string>(Object.keys(clientEventSchemas));

  socket.onAny((event: string, ...args: unknown[]) => {
    if (known.has(event)) return;
    const reply = replyOf(socket, event, args);
    if (!socket.data.bucket.take()) return reply({ ok: false, error: errorBody(AppError.rateLimited()) });
    reply({ ok: false, error: { code: ErrorCode.UnknownEvent, message: `unknown event "${String(event).slice(0, 64)}"` } });
  });

  for (const event of Object.keys(clientEventSchemas) as ClientEventName[]) {
    socket.on(event, (async (...args: unknown[]) => {
      const reply = replyOf(socket, event, args);
      try {
        if (!socket.data.bucket.take()) throw AppError.rateLimited();
        const payload = args[0];
        const maxBytes = limits.eventBytes?.[event] ?? limits.maxEventBytes;
        if (byteSize(payload) > maxBytes) throw AppError.payloadTooLarge(maxBytes);
        const handler = handlers[event] as EventHandler<typeof event> | undefined;
        if (!handler) throw AppError.forbidden(`"${event}" is not available to this participant`);
        const parsed = clientEventSchemas[event].parse(payload ?? {});
        const data = await handler(parsed as never, socket);
        reply({ ok: true, data });
      } catch (error) {
        const { status, ...body } = toErrorBody(error, (message, cause) => log.error(`${event}: ${message}`, cause));
        if (status >= 500) log.warn(`event ${event} failed with ${body.code}`);
        reply({ ok: false, error: body });
      }
    }) as never);
  }
}

function errorBody(error: AppError): { code: AppError['code']; message: string } {
  return { code: error.code, message: error.message };
}

function replyOf(socket: AppSocket, event: string, args: unknown[]): (ack: Ack<unknown>) => void {
  const last = args[args.length - 1];
  if (typeof last === 'function') return last as (ack: Ack<unknown>) => void;
  return (ack) => {
    if (!ack.ok) socket.emit('protocol:error', { event: String(event).slice(0, 64), ...ack.error });
  };
}

function byteSize(value: unknown): number {
  if (value === undefined || typeof value === 'function') return 0;
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '');
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
