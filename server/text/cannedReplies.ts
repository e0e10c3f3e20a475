import { readFileSync } from 'node:fs';
import { cannedRepliesSchema, type CannedReplies } from '../../signaling/index.js';

/**
 * Reads the agents' canned replies (zh-CN and en) from a JSON file at start-up. A missing or malformed file stops the
 * server with the file's name and what is wrong, rather than leaving agents with an empty list they would not notice.
 */
export function loadCannedReplies(file: string): CannedReplies {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`canned replies file ${file} cannot be read (set CANNED_REPLIES_FILE): ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`canned replies file ${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = cannedRepliesSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`canned replies file ${file} is not valid: ${problems}`);
  }
  for (const [language, replies] of Object.entries(parsed.data)) {
    const ids = new Set<string>();
    for (const reply of replies) {
      if (ids.has(reply.id)) throw new Error(`canned replies file ${file}: id "${reply.id}" appears twice in ${language}`);
      ids.add(reply.id);
    }
  }
  return parsed.data;
}
