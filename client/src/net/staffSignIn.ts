import { agentLoginReplySchema, envelopeSchema, type AgentLoginReply } from '../../../signaling/index.js';
import { t } from '../i18n.js';

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
