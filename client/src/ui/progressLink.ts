import QRCode from 'qrcode';
import { progressPath } from '../../../signaling/index.js';
import { translate, translateAttribute } from '../i18n.js';

/**
 * Shows the ticket's progress link in `container`, and with `qr` its QR code (drawn in the browser as SVG: the secret
 * in the link never goes to the server to be drawn).
 */
export async function showProgressLink(container: HTMLElement, ticketId: string, secret: string, options: { qr: boolean }): Promise<void> {
  const url = new URL(progressPath(ticketId, secret), location.origin).href;
  const intro = document.createElement('p');
  translate(intro, 'progress.linkIntro');
  const link = Object.assign(document.createElement('a'), { href: url, target: '_blank', rel: 'noopener', className: 'progress-link', textContent: url });
  container.replaceChildren(intro, link);
  container.hidden = false;
  if (!options.qr) return;
  const figure = Object.assign(document.createElement('figure'), { className: 'progress-qr' });
  // The SVG is the library's own drawing of our URL: paths only, nothing from the page's input.
  figure.innerHTML = await QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  figure.querySelector('svg')?.setAttribute('role', 'img');
  const caption = document.createElement('figcaption');
  translate(caption, 'progress.qrCaption');
  const svg = figure.querySelector('svg');
  if (svg) translateAttribute(svg, 'aria-label', 'progress.qrCaption');
  figure.append(caption);
  container.append(figure);
}
