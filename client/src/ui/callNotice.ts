import type { CallComing, CallHandedOver } from '../../../signaling/index.js';
import { t } from '../i18n.js';

/** What a page says while someone is on the way into the call, or the call goes back to a queue: who and why. */
export function comingText(coming: CallComing): string {
  const tier = coming.tier === null ? '' : t(`tier.${coming.tier}` as 'tier.1');
  let head: string;
  if (coming.purpose === 'transfer') head = t('coming.transfer', { tier: tier || queueLabel(coming.name) });
  else if (coming.tier === null) head = t('coming.guest', { name: coming.name });
  else head = t(coming.purpose === 'takeover' ? 'coming.takeover' : 'coming.help', { name: coming.name, tier });
  return coming.note ? `${head} ${t('coming.why', { note: coming.note })}` : head;
}

/** What a page says when a warm transfer completes; `selfAgentId` is this page's agent, if it is one. */
export function handedOverText(handedOver: CallHandedOver, selfAgentId: string | null): string {
  return handedOver.toAgentId === selfAgentId ? t('handedOver.you', { from: handedOver.fromName }) : t('handedOver.others', { from: handedOver.fromName, to: handedOver.toName });
}

/** Shows a notice in the call's status line (read out by screen readers) and keeps it until the next one. */
export function showCallNotice(element: HTMLElement, text: string): void {
  element.textContent = text;
  element.hidden = false;
}

function queueLabel(queue: string): string {
  return queue === 'technical' ? t('queue.name.technical') : t(`mode.${queue}` as 'mode.csl');
}
