// Loads an engine once in a throwaway child process and decodes a second of silence with it, so that a model that
// cannot load (or that makes native code abort, as onnxruntime does on a corrupt file) fails the server's start-up
// with its reason instead of crashing the server. Input: the EngineSpec as JSON on stdin. Exit 0 when it works.
import { text } from 'node:stream/consumers';
import { createEngine, type EngineSpec } from './createEngine.js';

try {
  const spec: EngineSpec = JSON.parse(await text(process.stdin));
  const engine = await createEngine(spec);
  engine.write(new Int16Array(16_000), 0);
  engine.flush(16_000);
  engine.free();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
}
