import type { Page } from 'puppeteer-core';
import { phrases, type Locale } from '../../client/src/i18n.js';

/** The attributes assistive technology reads instead of, or beside, an element's text. */
const READ_ATTRIBUTES = ['aria-label', 'aria-valuetext', 'alt', 'title', 'placeholder'] as const;

/** A phrase as a pattern for a whole attribute value, its `{name}` placeholders matching anything. */
function phrasePattern(phrase: string): RegExp {
  const literal = phrase.split(/\{\w+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${literal.join('.+?')}$`, 's');
}

/**
 * The attributes people read through a screen reader that still say a phrase of `from` after the page switched to
 * `to`, as "tag attribute: value" (phrases the two languages share, and ones without a word of their own, are left
 * out: they cannot tell).
 */
export async function attributesLeftIn(page: Page, from: Locale, to: Locale): Promise<string[]> {
  const [old, now] = [phrases(from), phrases(to)];
  const patterns = Object.entries(old)
    .filter(([key, phrase]) => phrase !== now[key as keyof typeof now] && /\p{L}{2,}/u.test(phrase.replace(/\{\w+\}/g, '')))
    .map(([, phrase]) => phrasePattern(phrase));
  const values = await page.$$eval(
    READ_ATTRIBUTES.map((attribute) => `[${attribute}]`).join(','),
    (elements, attributes) =>
      elements.flatMap((element) =>
        attributes.flatMap((attribute) => {
          const value = element.getAttribute(attribute);
          return value ? [`${element.tagName.toLowerCase()} ${attribute}: ${value}`] : [];
        }),
      ),
    [...READ_ATTRIBUTES],
  );
  return values.filter((entry) => {
    const value = entry.slice(entry.indexOf(': ') + 2);
    return patterns.some((pattern) => pattern.test(value));
  });
}
