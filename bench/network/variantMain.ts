// One variant's run of bench:network in its own process, started by bench/network.ts with MEDIASOUP_WORKER_BIN set:
// mediasoup 3.8 reads that path once per process, so each process can run one worker binary only. Writes the run
// as JSON to the file its argument names; progress and diagnostics go to stderr.
import { writeFile } from 'node:fs/promises';
import { NAMESPACE_IP, NetworkLab } from './NetworkLab.js';
import { runVariant, type VariantOptions } from './runVariant.js';
import { SfuProbe } from './sfuProbe.js';

const { out, ...options } = JSON.parse(process.argv[2] ?? '{}') as VariantOptions & { out: string };
if (!out || (options.engine === 'mediasoup' && process.env.MEDIASOUP_WORKER_BIN !== options.workerBin)) {
  throw new Error('run by bench/network.ts: variantMain.ts <options JSON>, with MEDIASOUP_WORKER_BIN the options\' workerBin on mediasoup');
}
const lab = NetworkLab.create();
try {
  const sfu = await SfuProbe.watch(NAMESPACE_IP, lab.downlinkDevice);
  await writeFile(out, JSON.stringify(await runVariant(lab, sfu, options)));
} finally {
  lab.close();
}
// LiveKit's native SDK (the service's participant in each room) keeps the event loop alive after its rooms closed.
process.exit(0);
