import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import bcrypt from 'bcryptjs';
import { z } from 'zod';
import { staffRoleSchema, type AgentProfile, type StaffRole } from '../../signaling/index.js';
import { skillMapSchema, type SkillMap } from '../routing/model.js';
import { modesOf } from '../routing/requirements.js';

const accountSchema = z.strictObject({
  username: z.string().min(1).max(64),
  name: z.string().min(1).max(100),
  passwordHash: z.string().regex(/^\$2[aby]\$\d{2}\$.{53}$/, 'must be a bcrypt hash (npm run hash-password)'),
  /** Levels 1-5 per sign language, spoken language and product area, and `tier` 1-3, e.g. {"csl": 4, "zh": 5, "phone": 3, "tier": 1}. */
  skills: skillMapSchema,
  /** `supervisor` signs in to the supervisor console only and is never offered calls; `agent` when absent. */
  role: staffRoleSchema.default('agent'),
});
const accountsSchema = z.array(accountSchema).min(1);

/** One agent or supervisor account as configured: never a plain-text password. */
export type AgentAccount = z.input<typeof accountSchema>;

/** Where the accounts came from; the demo account exists only when none were configured. */
export type AccountSource = { kind: 'env' } | { kind: 'file'; path: string } | { kind: 'demo'; username: string; password: string };

// Compared against when the username is unknown, so that sign-in takes as long for unknown names.
const DUMMY_HASH = bcrypt.hashSync('not-a-password', 10);

/** The agents and supervisors who may sign in, with their bcrypt-hashed passwords and roles. */
export class AgentDirectory {
  /** Where the accounts were read from. */
  readonly source: AccountSource;
  readonly #accounts = new Map<string, z.infer<typeof accountSchema>>();

  private constructor(accounts: z.infer<typeof accountSchema>[], source: AccountSource) {
    this.source = source;
    for (const account of accounts) this.#accounts.set(account.username, account);
  }

  /** Reads accounts from AGENT_ACCOUNTS (JSON) or AGENT_ACCOUNTS_FILE; with neither, makes one demo agent with a random password. */
  static load(options: { json?: string | undefined; file?: string | undefined }): AgentDirectory {
    if (options.json) return new AgentDirectory(parseAccounts(options.json, 'AGENT_ACCOUNTS'), { kind: 'env' });
    if (options.file) {
      const text = readFileSync(options.file, 'utf8');
      return new AgentDirectory(parseAccounts(text, options.file), { kind: 'file', path: options.file });
    }
    const password = randomBytes(9).toString('base64url');
    const demo: z.infer<typeof accountSchema> = {
      username: 'demo',
      name: 'Demo Agent',
      passwordHash: bcrypt.hashSync(password, 10),
      skills: { csl: 4, asl: 3, hksl: 3, zh: 5, en: 4, phone: 4, tablet: 3, laptop: 3, watch: 2, 'smart-home': 2, tier: 1 },
      role: 'agent',
    };
    return new AgentDirectory([demo], { kind: 'demo', username: 'demo', password });
  }

  /** Builds a directory from accounts already in memory (tests). */
  static fromAccounts(accounts: AgentAccount[]): AgentDirectory {
    return new AgentDirectory(accountsSchema.parse(accounts), { kind: 'env' });
  }

  /** Checks a password; resolves to the account's profile, skills and role, or null for a wrong name or password. */
  async verify(username: string, password: string): Promise<{ profile: AgentProfile; skills: SkillMap; role: StaffRole } | null> {
    const account = this.#accounts.get(username);
    const ok = await bcrypt.compare(password, account?.passwordHash ?? DUMMY_HASH);
    if (!account || !ok) return null;
    return { profile: { id: account.username, name: account.name, modes: modesOf(account.skills) }, skills: { ...account.skills }, role: account.role };
  }
}

function parseAccounts(text: string, origin: string): z.infer<typeof accountSchema>[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${origin}: agent accounts are not valid JSON`);
  }
  const parsed = accountsSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${origin}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
