import { existsSync } from 'node:fs';
import { loadConfig } from '../../server/config.js';

/** Fails the run early, with the fix, when setup has not been run. */
export default function checkSetup(): void {
  const config = loadConfig({});
  const missing = [config.MEDIASOUP_WORKER_BIN, `${config.CLIENT_DIR}/support.html`].filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}: run "npm run setup" first`);
}
