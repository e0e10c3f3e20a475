// A recognition worker thread: loads one engine for one stream and decodes the audio the stream posts, in order.
import { parentPort, workerData } from 'node:worker_threads';
import { createEngine } from './createEngine.js';
import type { FromWorker, ToWorker, WorkerData } from './workerProtocol.js';

const port = parentPort;
if (!port) throw new Error('recognizerWorker runs only as a worker thread');
const post = (message: FromWorker) => port.postMessage(message);
const { engine: spec, stop }: WorkerData = workerData;

try {
  const engine = await createEngine(spec);
  let done = 0;
  let position = 0;
  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'audio':
        if (Atomics.load(stop, 0) === 1) break;
        for (const event of engine.write(message.pcm, message.at)) post(event);
        position = message.at + message.pcm.length;
        done += message.pcm.length;
        post({ type: 'progress', done });
        break;
      case 'gap':
        for (const event of engine.flush(position)) post(event);
        position = message.at;
        break;
      case 'flush':
        for (const event of engine.flush(position)) post(event);
        post({ type: 'flushed' });
        break;
      case 'close':
        engine.free();
        process.exit(0);
    }
  });
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'failed', message: (error as Error).message });
  throw error;
}
