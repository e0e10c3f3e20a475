import type { z } from 'zod';

/** What this tab's sessionStorage holds under `key` when it fits `schema`, else null; anything unreadable is forgotten. */
export function sessionValue<S extends z.ZodType>(key: string, schema: S): z.output<S> | null {
  let stored: unknown = null;
  try {
    stored = JSON.parse(sessionStorage.getItem(key) ?? 'null');
  } catch {
    // Unreadable: forgotten below.
  }
  const parsed = schema.safeParse(stored);
  if (parsed.success) return parsed.data;
  sessionStorage.removeItem(key);
  return null;
}
