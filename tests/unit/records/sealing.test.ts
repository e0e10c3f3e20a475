import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../signaling/index.js';
import { createLogger } from '../../../server/logger.js';
import { loadKeyring, readKeyFile } from '../../../server/records/keys.js';
import { Keyring, newMasterKeyText, parseMasterKey, seal, unseal } from '../../../server/records/sealing.js';

const log = createLogger('error');

describe('sealing records', () => {
  const key = parseMasterKey(newMasterKeyText()).key;

  it('opens what it sealed with the same key and context, and nothing else', () => {
    const sealed = seal(key, Buffer.from('路由器 password: hunter2'), 'transcript:SL-1:1');
    expect(sealed.includes(Buffer.from('hunter2'))).toBe(false);
    expect(unseal(key, sealed, 'transcript:SL-1:1').toString()).toBe('路由器 password: hunter2');
    // Another row's context, another key, one changed bit: a coded error naming the record, not its content.
    expect(() => unseal(key, sealed, 'transcript:SL-1:2')).toThrow(expect.objectContaining({ code: ErrorCode.RecordTampered }));
    expect(() => unseal(parseMasterKey(newMasterKeyText()).key, sealed, 'transcript:SL-1:1')).toThrow(/integrity check/);
    for (const at of [0, 12, 28, sealed.length - 1]) {
      const changed = Buffer.from(sealed);
      changed[at]! ^= 1;
      expect(() => unseal(key, changed, 'transcript:SL-1:1')).toThrow(expect.objectContaining({ code: ErrorCode.RecordTampered }));
    }
  });

  it('seals the same text differently every time (a fresh nonce)', () => {
    expect(seal(key, Buffer.from('same'), 'c').equals(seal(key, Buffer.from('same'), 'c'))).toBe(false);
  });

  it('reads master keys in base64 or hex, 32 bytes, and refuses others with the reason', () => {
    const text = newMasterKeyText();
    const hex = Buffer.from(text, 'base64').toString('hex');
    expect(parseMasterKey(hex)).toEqual(parseMasterKey(text));
    expect(parseMasterKey(text).id).toMatch(/^[0-9a-f]{16}$/);
    expect(() => parseMasterKey('c2hvcnQ=')).toThrow(/must be 32 random bytes.*5 bytes/);
  });

  it('wraps data keys under the newest master key and unwraps under any it has; a missing one is named', () => {
    const [older, newer] = [parseMasterKey(newMasterKeyText()), parseMasterKey(newMasterKeyText())];
    const made = new Keyring([older]).newDataKey('SL-1');
    expect(made.masterKeyId).toBe(older.id);
    const both = new Keyring([newer, older]);
    const rewrapped = both.rewrap(made.wrapped, made.masterKeyId, 'SL-1');
    expect(rewrapped.masterKeyId).toBe(newer.id);
    expect(new Keyring([newer]).unwrap(rewrapped.wrapped, rewrapped.masterKeyId, 'SL-1').equals(made.key)).toBe(true);
    expect(() => new Keyring([newer]).unwrap(made.wrapped, older.id, 'SL-1')).toThrow(`wrapped by master key ${older.id}, which is not configured`);
    // A data key moved to another ticket's row does not open.
    expect(() => both.unwrap(made.wrapped, older.id, 'SL-2')).toThrow(/integrity check/);
  });
});

describe('loading the master keys', () => {
  it('makes a key file readable by its owner only on an embedded store’s first start, and reads it after', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'signline-keys-'));
    try {
      const file = path.join(dir, 'records.key');
      const first = loadKeyring({ defaultFile: file, embedded: true }, log);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(loadKeyring({ defaultFile: file, embedded: true }, log).current.id).toBe(first.current.id);
      expect(readKeyFile(file)).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses PostgreSQL records without a configured key, and an empty key file', async () => {
    expect(() => loadKeyring({ defaultFile: undefined, embedded: false }, log)).toThrow(/set RECORDS_KEY or RECORDS_KEY_FILE/);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'signline-keys-'));
    try {
      const file = path.join(dir, 'empty.key');
      await writeFile(file, '# nothing\n\n');
      expect(() => loadKeyring({ file, defaultFile: undefined, embedded: false }, log)).toThrow(/holds no key/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes RECORDS_KEY first and RECORDS_KEY_PREVIOUS after it', () => {
    const [now, before] = [newMasterKeyText(), newMasterKeyText()];
    const keyring = loadKeyring({ key: now, previous: before, defaultFile: undefined, embedded: false }, log);
    expect(keyring.ids).toEqual([parseMasterKey(now).id, parseMasterKey(before).id]);
  });

  it('picks up a newer key added to its file while the server runs', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'signline-keys-'));
    try {
      const file = path.join(dir, 'records.key');
      const keyring = loadKeyring({ defaultFile: file, embedded: true }, log);
      const newer = newMasterKeyText();
      await writeFile(file, `${newer}\n${await readFile(file, 'utf8')}`);
      const wrapped = new Keyring([parseMasterKey(newer)]).newDataKey('SL-9');
      // A record under the newer key opens at once (an unknown id rereads the file) and new keys go under it.
      expect(keyring.unwrap(wrapped.wrapped, wrapped.masterKeyId, 'SL-9').equals(wrapped.key)).toBe(true);
      expect(keyring.current.id).toBe(parseMasterKey(newer).id);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
