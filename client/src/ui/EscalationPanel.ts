import type { InvitePurpose, Technician } from '../../../signaling/index.js';
import { t, translate } from '../i18n.js';
import type { SignalingClient } from '../net/SignalingClient.js';
import { byId } from './dom.js';

/** How often the list of who is online refreshes while the panel is open. */
const REFRESH_MS = 10_000;

/**
 * The call agent's "get help" panel: everyone online with tier, skills and state, each of whom can be asked to help
 * or to take the call over; a warm transfer to the best free agent of tier 2 or 3; a one-time link for a technician
 * without an account; and, once someone joined to take over, "hand over and leave". The briefing note goes with
 * every request, and the customer sees it too.
 */
export class EscalationPanel {
  readonly #signaling: SignalingClient;
  readonly #sessionId: string;
  readonly #onError: (error: unknown) => void;
  readonly #listeners = new AbortController();
  readonly #timer: number;

  constructor(options: { signaling: SignalingClient; sessionId: string; onError: (error: unknown) => void }) {
    this.#signaling = options.signaling;
    this.#sessionId = options.sessionId;
    this.#onError = options.onError;
    const signal = this.#listeners.signal;
    byId('escalate').hidden = false;
    byId('handover').hidden = true;
    byId('link-out').hidden = true;
    byId('invite-status').textContent = '';
    for (const tier of [2, 3] as const) byId(`escalate-${tier}`).addEventListener('click', () => void this.#invite({ tier }, 'takeover'), { signal });
    byId('make-link').addEventListener('click', () => void this.#makeLink(), { signal });
    byId('handover').addEventListener('click', () => void this.#handOver(), { signal });
    byId('refresh-technicians').addEventListener('click', () => void this.refresh(), { signal });
    byId('technicians').addEventListener(
      'click',
      (event) => {
        const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-agent-id]');
        if (button) void this.#invite({ agentId: button.dataset.agentId! }, button.dataset.purpose as InvitePurpose);
      },
      { signal },
    );
    this.#timer = window.setInterval(() => void this.refresh(), REFRESH_MS);
    void this.refresh();
  }

  /** Reads who is online now and redraws the list. */
  async refresh(): Promise<void> {
    try {
      const { technicians } = await this.#signaling.request('technicians:list', {});
      if (!this.#listeners.signal.aborted) this.#render(technicians);
    } catch (error) {
      this.#onError(error);
    }
  }

  /** Hides the panel and stops its refreshes and listeners. */
  close(): void {
    window.clearInterval(this.#timer);
    this.#listeners.abort();
    byId('escalate').hidden = true;
  }

  async #invite(target: { agentId: string } | { tier: 2 | 3 }, purpose: InvitePurpose): Promise<void> {
    const note = byId<HTMLTextAreaElement>('escalate-note').value.trim();
    try {
      const invited = await this.#signaling.request('call:invite', { sessionId: this.#sessionId, ...target, purpose, note });
      translate(byId('invite-status'), purpose === 'takeover' ? 'escalate.askedTakeover' : 'escalate.asked', { name: invited.name });
      if (purpose === 'takeover') byId('handover').hidden = false;
    } catch (error) {
      this.#onError(error);
    }
  }

  async #makeLink(): Promise<void> {
    try {
      const link = await this.#signaling.request('call:link', { sessionId: this.#sessionId });
      const input = byId<HTMLInputElement>('link-url');
      input.value = new URL(link.path, location.origin).href;
      translate(byId('link-expiry'), 'escalate.linkExpires', { time: new Date(link.expiresAt).toLocaleTimeString() });
      byId('link-out').hidden = false;
      input.select();
    } catch (error) {
      this.#onError(error);
    }
  }

  async #handOver(): Promise<void> {
    try {
      await this.#signaling.request('call:handover', { sessionId: this.#sessionId });
    } catch (error) {
      this.#onError(error);
    }
  }

  #render(technicians: readonly Technician[]): void {
    const body = byId('technicians').querySelector('tbody')!;
    if (technicians.length === 0) {
      const cell = document.createElement('td');
      cell.colSpan = 5;
      cell.textContent = t('escalate.none');
      body.replaceChildren(row([cell]));
      return;
    }
    body.replaceChildren(
      ...technicians.map((technician) => {
        const skills = Object.entries(technician.skills)
          .map(([skill, level]) => `${skill} ${level}`)
          .join(', ');
        const actions = document.createElement('td');
        for (const purpose of ['help', 'takeover'] as const) {
          const button = document.createElement('button');
          button.type = 'button';
          button.dataset.agentId = technician.agentId;
          button.dataset.purpose = purpose;
          button.textContent = t(purpose === 'help' ? 'escalate.help' : 'escalate.takeover');
          button.disabled = technician.status !== 'available' && technician.status !== 'away';
          actions.append(button);
        }
        const line = row([cell(technician.name), cell(t(`tier.${technician.tier}` as 'tier.1')), cell(skills), cell(t(`agent.status.${technician.status === 'missed' ? 'away' : technician.status}`)), actions]);
        line.dataset.agentId = technician.agentId;
        line.dataset.status = technician.status;
        return line;
      }),
    );
  }
}

function cell(text: string): HTMLTableCellElement {
  const element = document.createElement('td');
  element.textContent = text;
  return element;
}

function row(cells: HTMLTableCellElement[]): HTMLTableRowElement {
  const element = document.createElement('tr');
  element.append(...cells);
  return element;
}
