// npm run rotate-key: wraps every ticket's data key under a new master key, so an old master key can be retired.
//
// With a key file (RECORDS_KEY_FILE, or the one embedded records made): a new key is put first in the file (the old
// ones stay, so servers can still read everything meanwhile), every data key is rewrapped under it, and once none
// uses an old key the old keys are removed from the file. With RECORDS_KEY: set the new key there and the old one in
// RECORDS_KEY_PREVIOUS on every node first; this rewraps, and RECORDS_KEY_PREVIOUS can then be dropped.
// Embedded records can be opened by one process at a time: stop the server first.
import { loadConfig } from '../server/config.js';
import { createLogger } from '../server/logger.js';
import { keyFileOf, keySourceOf, loadKeyring, readKeyFile, writeKeyFile } from '../server/records/keys.js';
import { masterKeysInUse, rewrapAll } from '../server/records/maintenance.js';
import { openRecords } from '../server/records/openRecords.js';
import { Keyring, newMasterKeyText, parseMasterKey } from '../server/records/sealing.js';

async function rotate(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('info');
  if (!config.DATABASE_URL && config.RECORDS_DIR === 'memory') throw new Error('RECORDS_DIR=memory: there is nothing stored to rotate');
  const source = keySourceOf(config);
  const file = keyFileOf(source);
  // The records first: if they cannot be opened (a server holds the embedded folder), the key file stays as it was.
  const db = await openRecords({ databaseUrl: config.DATABASE_URL, dir: config.RECORDS_DIR }, log);
  try {
    let keyring: Keyring;
    if (file) {
      const old = readKeyFile(file);
      const fresh = newMasterKeyText();
      writeKeyFile(file, [fresh, ...old]);
      keyring = new Keyring([fresh, ...old].map((text) => parseMasterKey(text)));
      log.info(`rotate-key: new master key ${keyring.current.id} added to ${file}`);
    } else {
      keyring = loadKeyring(source, log);
      log.info(`rotate-key: rewrapping under RECORDS_KEY (${keyring.current.id})`);
    }
    const rewrapped = await rewrapAll(db, keyring, (done) => log.info(`rotate-key: ${done} tickets rewrapped...`));
    const stale = [...(await masterKeysInUse(db)).keys()].filter((id) => id !== keyring.current.id);
    if (stale.length > 0) throw new Error(`records still use master keys ${stale.join(', ')}; run again`);
    // Embedded records: no server can be running (one process per folder), so the old keys go now. PostgreSQL:
    // running nodes may hold the old key for a second more, so the old keys stay in the file for the operator to remove.
    const retired = file && source.embedded;
    if (retired) writeKeyFile(file, [readKeyFile(file)[0]!]);
    const after = !file ? 'RECORDS_KEY_PREVIOUS can be removed' : retired ? `the only key left in ${file}` : `the old keys stay in ${file} (lines after the first) until you remove them`;
    log.info(`rotate-key: done, ${rewrapped} tickets rewrapped; every record is under master key ${keyring.current.id}; ${after}`);
    console.log(JSON.stringify({ rotated: rewrapped, masterKeyId: keyring.current.id }));
  } finally {
    await db.close();
  }
}

try {
  await rotate();
} catch (error) {
  console.error(`rotate-key: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
