import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../server/logger.js';
import { loadKeyring, readKeyFile } from '../../server/records/keys.js';
import { masterKeysInUse } from '../../server/records/maintenance.js';
import { migrate } from '../../server/records/migrations.js';
import { openPglite } from '../../server/records/pgliteDb.js';
import { parseMasterKey } from '../../server/records/sealing.js';
import { DataKeys } from '../../server/records/DataKeys.js';
import { SqlTranscriptStore } from '../../server/records/SqlTranscriptStore.js';

const log = createLogger('error');

/** Runs `npm run rotate-key`'s script as an operator would, with `env` added; resolves with its exit code and output. */
function rotateKey(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/rotate-key.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run rotate-key on embedded records', () => {
  it('puts every ticket under a new master key, leaves only that key in the file, and the transcripts still read', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'signline-rotate-'));
    const dir = path.join(root, 'records');
    const keyFile = `${dir}.key`;
    try {
      const before = loadKeyring({ defaultFile: keyFile, embedded: true }, log);
      const oldId = before.current.id;
      const db = await openPglite(dir);
      await migrate(db);
      await new SqlTranscriptStore(db, new DataKeys(before)).append('SL-ROT-ATE', { at: Date.now(), kind: 'chat', speaker: { role: 'customer', name: 'SL-ROT-ATE' }, text: 'before the rotation' });
      await db.close();

      const run = await rotateKey({ RECORDS_DIR: dir, LOG_LEVEL: 'error' });
      expect(run.code, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { rotated: number; masterKeyId: string };
      expect(result.rotated).toBe(1);
      expect(result.masterKeyId).not.toBe(oldId);
      expect(readKeyFile(keyFile).map((text) => parseMasterKey(text).id)).toEqual([result.masterKeyId]);

      const after = loadKeyring({ defaultFile: keyFile, embedded: true }, log);
      const reopened = await openPglite(dir);
      try {
        expect([...(await masterKeysInUse(reopened)).entries()]).toEqual([[result.masterKeyId, 1]]);
        expect((await new SqlTranscriptStore(reopened, new DataKeys(after)).lines('SL-ROT-ATE')).map((line) => line.text)).toEqual(['before the rotation']);
      } finally {
        await reopened.close();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 120_000);
});
