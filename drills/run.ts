// npm run drills [-- name ...]: each drill starts what it needs, injects one fault, measures, restores, and prints
// JSON lines {"drill","metric","value","lost",...} (see drills/drill.ts). Like the benchmarks, a drill never fails the
// run: one that breaks prints an "error" line and the next one runs. Progress goes to stderr.
import { progress, report } from './drill.js';

const DRILLS: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  'worker-death': () => import('./workerDeath.js'),
  fuzz: () => import('./fuzz.js'),
  probes: () => import('./probes.js'),
  crowd: () => import('./crowd.js'),
  'redis-restart': () => import('./redisRestart.js'),
  'node-death': () => import('./nodeDeath.js'),
  'lossy-link': async () => ({ run: (await import('./linkDrills.js')).lossyLink }),
  'long-call': async () => ({ run: (await import('./linkDrills.js')).longCall }),
};

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !(name in DRILLS));
if (unknown.length > 0) {
  console.error(`unknown drill ${unknown.join(', ')}; the drills are: ${Object.keys(DRILLS).join(', ')}`);
  process.exit(2);
}
for (const name of asked.length > 0 ? asked : Object.keys(DRILLS)) {
  const startedAt = Date.now();
  progress(name, 'starting');
  try {
    await (await DRILLS[name]!()).run();
  } catch (error) {
    report({ drill: name, metric: 'error', value: error instanceof Error ? error.message : String(error), lost: null });
  }
  progress(name, `done in ${Math.round((Date.now() - startedAt) / 1000)} s`);
}
// Chromium, servers and sockets are closed by each drill; anything a library keeps open must not hold the run.
process.exit(0);
