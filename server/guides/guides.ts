import { readFileSync } from 'node:fs';
import { guidesSchema, type Guides } from '../../signaling/index.js';

/**
 * Reads the guides for common problems (zh-CN and en) from a JSON file at start-up. A missing or malformed file stops
 * the server with the file's name and what is wrong, rather than leaving agents with an empty list they would not
 * notice mid-call.
 */
export function loadGuides(file: string): Guides {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`guides file ${file} cannot be read (set GUIDES_FILE): ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`guides file ${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = guidesSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`guides file ${file} is not valid: ${problems}`);
  }
  for (const [language, guides] of Object.entries(parsed.data)) {
    const ids = new Set<string>();
    for (const guide of guides) {
      if (ids.has(guide.id)) throw new Error(`guides file ${file}: id "${guide.id}" appears twice in ${language}`);
      ids.add(guide.id);
    }
  }
  return parsed.data;
}
