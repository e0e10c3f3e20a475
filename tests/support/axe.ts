import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'puppeteer-core';

/** axe-core's browser build, injected into a page over the DevTools protocol (so the page's own CSP does not apply). */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Every violation axe-core finds on the page as it is now (all of axe's rules, WCAG 2.x A and AA and its best
 * practices), one line each: rule, impact, how many elements and the first few of them. An empty list is a clean page.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    type Result = { id: string; impact?: string; nodes: { target: string[] }[] };
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: Result[] }> } }).axe;
    const { violations } = await axe.run(document);
    return violations.map((v) => `${v.id} (${v.impact ?? '-'}) x${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
}
