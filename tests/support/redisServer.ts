import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './freePort.js';

/** A real redis-server (Debian's) on a free loopback port; without persistence unless given a folder. */
export interface RedisProcess {
  url: string;
  stop(): Promise<void>;
  /** Stops the server (SIGTERM, or SIGKILL as a crash) and starts it again on the same port and folder. */
  restart(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

export interface RedisOptions {
  /** Keep an append-only file (fsync every second, Redis's default) in this folder, which a restart reads back. */
  appendOnlyDir?: string;
  attempts?: number;
}

/** Starts redis-server and resolves once it accepts connections; retries when another process took the port first. */
export async function startRedis(options: RedisOptions = {}): Promise<RedisProcess> {
  const persistence = options.appendOnlyDir ? ['--appendonly', 'yes', '--dir', options.appendOnlyDir] : ['--appendonly', 'no'];
  const launch = async (port: number): Promise<ChildProcess> => {
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await ready(child);
      return child;
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  };
  const stop = (child: ChildProcess, signal: 'SIGTERM' | 'SIGKILL') =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      let child = await launch(port);
      return {
        url: `redis://127.0.0.1:${port}`,
        stop: () => stop(child, 'SIGTERM'),
        restart: async (signal = 'SIGTERM') => {
          await stop(child, signal);
          child = await launch(port);
        },
      };
    } catch (error) {
      if (attempt >= (options.attempts ?? 3)) throw error;
    }
  }
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.once('error', (error) => reject(new Error(`cannot start redis-server (apt-get install redis-server): ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output.slice(-500)}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
  });
}
