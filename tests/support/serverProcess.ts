import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LISTENING = /signline listening on (http:\/\/\S+)/;
/** Kept of a node's stderr, enough to show what went wrong without flooding the report. */
const STDERR_KEPT = 20_000;

/** One server node running as its own process (`server/main.ts`), as a deployment runs it. */
export interface ServerProcess {
  /** Base URL the node printed when it started listening. */
  url: string;
  /** The node's process id (its SFU workers are its children). */
  pid: number;
  /** The tail of what the node wrote to stderr: warnings and errors. */
  stderr(): string;
  /** Ends the node (SIGTERM, then SIGKILL after `graceMs`); resolves once it exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `server/main.ts` with `env` added to this process's environment; resolves once it listens. */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<ServerProcess> {
  // The default records folder is the repository's own, which one process at a time may open.
  if (!env.DATABASE_URL && !env.RECORDS_DIR) throw new Error('give a server process DATABASE_URL (freshDatabaseUrl) or RECORDS_DIR');
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_KEPT);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const url = await listeningUrl(child, () => stderr, timeoutMs);
    return { url, pid: child.pid!, stderr: () => stderr, stop: (graceMs = 5000) => stop(child, exited, graceMs) };
  } catch (error) {
    await stop(child, exited, 0);
    throw error;
  }
}

function listeningUrl(child: ChildProcess, stderr: () => string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`server did not listen within ${timeoutMs} ms: ${stderr().slice(-500)}`)), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening: ${stderr().slice(-500)}`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = LISTENING.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      resolve(match[1]!);
    });
  });
}

async function stop(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
  if ((await Promise.race([exited, late])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}
