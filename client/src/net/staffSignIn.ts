import { agentLoginReplySchema, envelopeSchema, type AgentLoginReply } from '../../../signaling/index.js';
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

/**
 * Where this tab keeps its sign-in, so a reload (or a crash of the tab's page) comes back signed in, to the call it
 * was in; sessionStorage, so it goes with the tab. The token still expires and is revoked on sign-out as ever.
 */
const STAFF_SESSION_KEY = 'signline.staffSession';

/** Keeps the sign-in for this tab. */
export function keepStaffSession(reply: AgentLoginReply): void {
  sessionStorage.setItem(STAFF_SESSION_KEY, JSON.stringify(reply));
}

/** The sign-in this tab kept, checked as the server's reply is, or null. */
export function keptStaffSession(): AgentLoginReply | null {
  return sessionValue(STAFF_SESSION_KEY, agentLoginReplySchema);
}

/** Forgets the tab's sign-in (signed out, or the server refused its token). */
export function forgetStaffSession(): void {
  sessionStorage.removeItem(STAFF_SESSION_KEY);
}
