import type { z } from 'zod';
import { agentLoginReplySchema, envelopeSchema, techJoinReplySchema, type AgentLoginReply, type TechJoinReply } from '../../../signaling/index.js';
import { t } from '../i18n.js';
import { sessionValue } from './sessionValue.js';

const loginReply = envelopeSchema(agentLoginReplySchema);

/**
 * Signs a member of staff in with the sign-in form's username and password; resolves with the reply, or null after
 * saying in `errorBanner` why not (wrong password, no network). The caller checks the role it needs.
 */
export async function staffSignIn(form: FormData, errorBanner: HTMLElement): Promise<AgentLoginReply | null> {
  errorBanner.textContent = '';
  const response = await fetch('/api/agent/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: form.get('username'), password: form.get('password') }),
  }).catch(() => null);
  const body = loginReply.safeParse(await response?.json().catch(() => null));
  if (!body.success || !body.data.ok) {
    errorBanner.textContent = t('agent.signInFailed', { message: body.success && !body.data.ok ? body.data.error.message : 'network error' });
    return null;
  }
  return body.data.data;
}

/** A sign-in this tab keeps in sessionStorage, so it goes with the tab; the token still expires and is revoked as ever. */
export interface TabSession<T> {
  keep(value: T): void;
  /** What the tab kept, checked as the server's reply is, or null. */
  kept(): T | null;
  /** Forgets it (signed out, or the server refused its token). */
  forget(): void;
}

function tabSession<S extends z.ZodType>(key: string, schema: S): TabSession<z.output<S>> {
  return {
    keep: (value) => sessionStorage.setItem(key, JSON.stringify(value)),
    kept: () => sessionValue(key, schema),
    forget: () => sessionStorage.removeItem(key),
  };
}

/**
 * This tab's staff sign-in, so a reload (or a crash of the tab's page) comes back signed in, to the call it was in.
 */
export const staffSession: TabSession<AgentLoginReply> = tabSession('signline.staffSession', agentLoginReplySchema);

/**
 * The token of a technician who came by a one-time link (the link itself is spent): a reload comes back into the call
 * while they are in it. The server revokes it when they leave or the call ends.
 */
export const guestSession: TabSession<TechJoinReply> = tabSession('signline.guestSession', techJoinReplySchema);
