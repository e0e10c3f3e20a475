import type { PocketSphinxEngineOptions } from './pocketsphinx/PocketSphinxEngine.js';
import type { SherpaEngineOptions } from './sherpa/SherpaEngine.js';
import type { UtteranceEngine } from './UtteranceEngine.js';

/** Which engine a recognition worker runs, with its settings; plain data, so it crosses to a worker or a child process. */
export type EngineSpec = ({ kind: 'pocketsphinx' } & PocketSphinxEngineOptions) | ({ kind: 'sherpa-onnx' } & SherpaEngineOptions);

/** Loads an engine's model (synchronously, once its module is in): only in a worker thread or a child process. */
export async function createEngine(spec: EngineSpec): Promise<UtteranceEngine> {
  switch (spec.kind) {
    case 'pocketsphinx': {
      // Each engine's native library is loaded only where it is used.
      const { PocketSphinxEngine } = await import('./pocketsphinx/PocketSphinxEngine.js');
      return new PocketSphinxEngine(spec);
    }
    case 'sherpa-onnx': {
      const { SherpaEngine } = await import('./sherpa/SherpaEngine.js');
      return new SherpaEngine(spec);
    }
  }
}
