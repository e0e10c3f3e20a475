import { envelopeSchema, surveyAnswerSchema, type ErrorBody, ticketProgressSchema, ticketRejoinSchema, type SurveyAnswer, type TicketRejoin, type SurveySubmit, type TicketProgress } from '../../../signaling/index.js';
import { RequestError } from './SignalingClient.js';
import type { z } from 'zod';

/** Milliseconds an API call may take before it fails with code TIMEOUT. */
const API_TIMEOUT_MS = 8000;

/** Calls the ticket API with the ticket's secret as the Bearer credential and checks the reply against `schema`. */
async function ticketRequest<T extends z.ZodType>(path: string, secret: string, schema: T, init: RequestInit = {}): Promise<z.infer<T>> {
  let body: unknown;
  try {
    const response = await fetch(path, {
      ...init,
      headers: { ...init.headers, authorization: `Bearer ${secret}` },
      signal: AbortSignal.timeout(API_TIMEOUT_MS),
    });
    body = await response.json();
  } catch (error) {
    throw error instanceof DOMException && error.name === 'TimeoutError'
      ? new RequestError('TIMEOUT', `no answer within ${API_TIMEOUT_MS / 1000} s`)
      : new RequestError('DISCONNECTED', 'the service could not be reached');
  }
  const reply = envelopeSchema(schema).safeParse(body);
  if (!reply.success) throw new RequestError('BAD_REPLY', 'the service answered with something unexpected');
  const envelope = reply.data as { ok: true; data: z.infer<T> } | { ok: false; error: ErrorBody };
  if (!envelope.ok) throw new RequestError(envelope.error.code, envelope.error.message);
  return envelope.data;
}

/** The ticket's progress over HTTP (the progress page watches it over the socket instead). */
export function fetchProgress(ticketId: string, secret: string): Promise<TicketProgress> {
  return ticketRequest(`/api/tickets/${encodeURIComponent(ticketId)}`, secret, ticketProgressSchema);
}

/** A fresh customer token for a ticket still being served: a callback's customer joins the call with it. */
export function rejoinTicket(ticketId: string, secret: string): Promise<TicketRejoin> {
  return ticketRequest(`/api/tickets/${encodeURIComponent(ticketId)}/rejoin`, secret, ticketRejoinSchema, { method: 'POST' });
}

/** Sends the ticket's one survey; a second one fails with code CONFLICT. */
export function submitSurvey(ticketId: string, secret: string, answer: SurveySubmit): Promise<SurveyAnswer> {
  return ticketRequest(`/api/tickets/${encodeURIComponent(ticketId)}/survey`, secret, surveyAnswerSchema, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(answer),
  });
}
