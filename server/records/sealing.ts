import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { AppError } from '../../signaling/index.js';

/** AES-256-GCM: a 12-byte nonce and a 16-byte tag around each sealed value. */
const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/** A master key: it only wraps data keys. Its id (a hash prefix, not secret) is stored beside what it wrapped. */
export interface MasterKey {
  id: string;
  key: Buffer;
}

/** Reads a master key written as base64 (or 64 hex digits) of 32 random bytes. */
export function parseMasterKey(text: string): MasterKey {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) throw new Error(`a records key must be ${KEY_BYTES} random bytes in base64 (or 64 hex digits); this one is ${key.length} bytes`);
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 16), key };
}

/** A new random master key, as `parseMasterKey` reads it. */
export function newMasterKeyText(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/** Seals `plaintext` with `key`; `context` (the row it belongs to) must be given again to open it. */
export function seal(key: Buffer, plaintext: Buffer, context: string): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, nonce);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), body]);
}

/** Opens what `seal` made; a changed byte, another key or another row's context is a RECORD_TAMPERED error. */
export function unseal(key: Buffer, sealed: Buffer, context: string): Buffer {
  try {
    const decipher = createDecipheriv(ALGORITHM, key, sealed.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(sealed.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw AppError.recordTampered(context);
  }
}

/** Where a keyring's keys are kept, when that is a file the server watches. */
export interface KeyringFile {
  /** The keys in the file now, newest first. */
  read(): MasterKey[];
  /** True when the file changed since it was last read. */
  changed(): boolean;
}

/**
 * The master keys the server knows, newest first: the newest wraps new data keys, any of them unwraps (so a rotation
 * can rewrap row by row while the service runs).
 */
export class Keyring {
  #keys: MasterKey[];
  readonly #file: KeyringFile | undefined;

  /** With `file`, the keys are read again when it changed (a rotation added a newer key) or a record names another. */
  constructor(keys: MasterKey[], file?: KeyringFile) {
    if (keys.length === 0) throw new Error('the records keyring needs at least one key');
    this.#keys = keys;
    this.#file = file;
  }

  get current(): MasterKey {
    if (this.#file?.changed()) this.#reload();
    return this.#keys[0]!;
  }

  get ids(): string[] {
    return this.#keys.map((k) => k.id);
  }

  /** A new data key and its wrapped form under the current master key. */
  newDataKey(context: string): { key: Buffer; wrapped: Buffer; masterKeyId: string } {
    const key = randomBytes(KEY_BYTES);
    return { key, wrapped: seal(this.current.key, key, `data-key:${context}`), masterKeyId: this.current.id };
  }

  /** Unwraps a data key; a master key the keyring does not have is a clear error (which key is missing). */
  unwrap(wrapped: Buffer, masterKeyId: string, context: string): Buffer {
    let master = this.#keys.find((k) => k.id === masterKeyId);
    if (!master && this.#file) {
      this.#reload();
      master = this.#keys.find((k) => k.id === masterKeyId);
    }
    if (!master) throw new Error(`records of ${context} are wrapped by master key ${masterKeyId}, which is not configured (RECORDS_KEY / RECORDS_KEY_FILE)`);
    return unseal(master.key, wrapped, `data-key:${context}`);
  }

  #reload(): void {
    const keys = this.#file!.read();
    if (keys.length > 0) this.#keys = keys;
  }

  /** The data key wrapped again under the current master key. */
  rewrap(wrapped: Buffer, masterKeyId: string, context: string): { wrapped: Buffer; masterKeyId: string } {
    const key = this.unwrap(wrapped, masterKeyId, context);
    return { wrapped: seal(this.current.key, key, `data-key:${context}`), masterKeyId: this.current.id };
  }
}
