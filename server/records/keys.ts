import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { Keyring, type KeyringFile, newMasterKeyText, parseMasterKey } from './sealing.js';

/** Where the master keys come from (README: RECORDS_KEY, RECORDS_KEY_PREVIOUS, RECORDS_KEY_FILE). */
export interface KeySource {
  /** The current master key, base64. */
  key?: string | undefined;
  /** Older master keys still able to unwrap, comma-separated (during a rotation with `RECORDS_KEY`). */
  previous?: string | undefined;
  /** A file of master keys, one per line, newest first. */
  file?: string | undefined;
  /** The file made on first start when nothing is configured and the records are embedded; none for records in memory. */
  defaultFile: string | undefined;
  /** Embedded records (PGlite) own their key file; PostgreSQL, shared by nodes, needs a key every node is given. */
  embedded: boolean;
}

/** Reads a key file: one base64 key per line, newest first; blank lines and `#` comments are skipped. */
export function readKeyFile(file: string): string[] {
  const keys = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  if (keys.length === 0) throw new Error(`the records key file ${file} holds no key`);
  return keys;
}

/** Writes a key file readable by its owner only, atomically (a crash leaves the old file or the new one). */
export function writeKeyFile(file: string, keys: string[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  writeFileSync(partial, `# Signline records master keys, newest first. Without them the records cannot be read.\n${keys.join('\n')}\n`, { mode: 0o600 });
  renameSync(partial, file);
}

/** The key file the configuration names, or made for embedded records; undefined when keys come from the environment. */
export function keyFileOf(source: KeySource): string | undefined {
  return source.key ? undefined : (source.file ?? source.defaultFile);
}

/**
 * The master keys the configuration names; on an embedded store's first start, a new key file is made. Keys read
 * from a file are read again when the file changes or a record names a key the server does not have yet (both what
 * `npm run rotate-key` does).
 */
export function loadKeyring(source: KeySource, log: Logger): Keyring {
  const parse = (texts: string[]) => texts.map((text) => parseMasterKey(text));
  if (source.key) return new Keyring(parse([source.key, ...(source.previous?.split(',').filter(Boolean) ?? [])]));
  if (!source.file && !source.embedded) throw new Error('records in PostgreSQL are sealed with a master key every node shares: set RECORDS_KEY or RECORDS_KEY_FILE');
  const file = keyFileOf(source);
  if (!file) {
    log.warn('records: in memory with a key made for this run');
    return new Keyring(parse([newMasterKeyText()]));
  }
  if (!source.file && !existsSync(file)) {
    writeKeyFile(file, [newMasterKeyText()]);
    log.warn(`records: made a new master key in ${file}; back it up, the records cannot be read without it`);
  }
  const watched = watchedKeyFile(file);
  return new Keyring(watched.read(), watched);
}

/** A key file the server reads again when its modification time moves (checked at most once a second). */
function watchedKeyFile(file: string): KeyringFile {
  const mtime = () => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  let readAt = mtime();
  let checkedAt = Date.now();
  return {
    read() {
      readAt = mtime();
      return readKeyFile(file).map((text) => parseMasterKey(text));
    },
    changed() {
      if (Date.now() - checkedAt < 1000) return false;
      checkedAt = Date.now();
      return mtime() !== readAt;
    },
  };
}

/** The key source a configuration names. */
export function keySourceOf(config: Pick<Config, 'RECORDS_KEY' | 'RECORDS_KEY_PREVIOUS' | 'RECORDS_KEY_FILE' | 'RECORDS_DIR' | 'DATABASE_URL'>): KeySource {
  const embedded = !config.DATABASE_URL;
  return {
    key: config.RECORDS_KEY,
    previous: config.RECORDS_KEY_PREVIOUS,
    file: config.RECORDS_KEY_FILE,
    defaultFile: embedded && config.RECORDS_DIR !== 'memory' ? `${path.resolve(config.RECORDS_DIR)}.key` : undefined,
    embedded,
  };
}
