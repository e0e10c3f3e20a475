import express from 'express';
import type { LiveKitRooms } from '../../media/livekit/LiveKitRooms.js';
import { AppError } from '../../signaling/index.js';

/** Where the LiveKit server posts its webhooks (its `webhook.urls`). */
export const LIVEKIT_WEBHOOK_PATH = '/livekit/webhook';

/**
 * The route LiveKit's webhooks arrive on. The body is taken raw, as signed: `LiveKitRooms.receiveWebhook` checks the
 * signature over these exact bytes before the protobuf JSON parser (strict: unknown fields and wrong types are
 * refused) reads it, so nothing of an unsigned or altered body is believed. A refusal answers with the coded error.
 */
export function livekitWebhookRouter(rooms: LiveKitRooms): express.Router {
  const router = express.Router();
  router.post(LIVEKIT_WEBHOOK_PATH, express.raw({ type: 'application/webhook+json', limit: '64kb' }), async (req, res) => {
    if (!Buffer.isBuffer(req.body)) throw AppError.badRequest('a LiveKit webhook is sent as application/webhook+json');
    await rooms.receiveWebhook(req.body.toString('utf8'), req.get('authorization'));
    res.json({ ok: true, data: null });
  });
  return router;
}
