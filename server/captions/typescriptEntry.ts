import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The server runs its TypeScript through tsx, whose loader a worker thread or a child process does not always have
 * (vitest's workers and `node` run without it). A `.ts` entry is therefore started behind a line that registers tsx
 * first; a compiled `.js` entry starts as it is.
 */
const needsLoader = (entry: URL): boolean => entry.pathname.endsWith('.ts');

/** Starts a worker thread on a TypeScript or JavaScript module. */
export function startWorker(entry: URL, options: WorkerOptions): Worker {
  if (!needsLoader(entry)) return new Worker(entry, options);
  const api = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** Node arguments that run a TypeScript or JavaScript module as a child process's main script. */
export function nodeArguments(entry: URL): string[] {
  const file = fileURLToPath(entry);
  return needsLoader(entry) ? ['--import', import.meta.resolve('tsx'), file] : [file];
}
