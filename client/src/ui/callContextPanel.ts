import { translate } from '../i18n.js';
import { minutesAndSeconds, type CallContext } from './callContext.js';

type Translate = Parameters<typeof translate>;

/**
 * Fills the agent's context panel (`<aside id="call-context">`, beside the video) with what is known of the
 * customer, so the agent keeps topic, device, mode, wait and colleagues' notes in sight through the call; every
 * label and value is a translation key, so switching language mid-call re-renders it. Unknown facts say so rather
 * than vanish: a technician by link sees which ones nobody told them.
 */
export function showCallContext(panel: HTMLElement, context: CallContext): void {
  const list = panel.querySelector('dl') ?? panel.appendChild(document.createElement('dl'));
  list.replaceChildren();
  const row = (name: string, label: Translate[1], value: HTMLElement) => {
    const term = document.createElement('dt');
    translate(term, label);
    const detail = document.createElement('dd');
    detail.dataset.field = name;
    detail.append(value);
    list.append(term, detail);
  };
  const text = (value: string) => Object.assign(document.createElement('span'), { textContent: value });
  const keyed = (...args: [Translate[1], Translate[2]?]) => {
    const span = document.createElement('span');
    translate(span, ...args);
    return span;
  };
  const unknown = () => keyed('context.unknown');
  row('ticket', 'context.ticket', text(context.ticketId));
  row('topic', 'context.topic', context.topic ? text(context.topic) : unknown());
  row('device', 'context.device', context.device ? keyed(`device.${context.device}`) : unknown());
  row('mode', 'context.mode', keyed(`mode.${context.mode}`));
  if (context.category) row('category', 'context.category', keyed(`category.${context.category}`));
  row('waited', 'context.waited', context.waitedMs === null ? unknown() : keyed('context.waitedValue', minutesAndSeconds(context.waitedMs)));
  if (context.notes.length === 0) row('notes', 'context.notes', keyed('context.noNotes'));
  else {
    const notes = document.createElement('ul');
    for (const { from, note } of context.notes) {
      const item = document.createElement('li');
      translate(item, 'context.note', { from, note });
      notes.append(item);
    }
    row('notes', 'context.notes', notes);
  }
  panel.hidden = false;
}
