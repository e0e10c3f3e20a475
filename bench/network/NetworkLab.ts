import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The link between the host and the namespace: a /30 nothing else on this machine is addressed in. */
export const HOST_IP = '10.213.0.1';
export const NAMESPACE_IP = '10.213.0.2';
const PREFIX = 30;
const NAME_PREFIX = 'slbench-';
const DELAY_HELPER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'nfqueue_delay.py');
const QUEUE_NUM = '0';

/** One shaping step: a downlink rate cap, downlink loss and a one-way delay each way; absent fields mean unlimited. */
export interface Shape {
  downlinkKbit?: number;
  downlinkLossPercent?: number;
  oneWayDelayMs?: number;
}

const run = (command: string, ...args: string[]): string => execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const tryRun = (command: string, ...args: string[]): void => {
  try {
    run(command, ...args);
  } catch {
    // Cleanup of something already gone.
  }
};

/**
 * A network namespace joined to the host by a veth pair, for one benchmark process. The host side's egress is the
 * namespace's downlink. Everything it creates is removed by `close()`, which also runs on exit, SIGINT and SIGTERM.
 *
 * Shaping, as this kernel allows (it has tbf but no netem):
 * - rate cap: `tc qdisc replace dev <host veth> root tbf rate <R>kbit burst 6kb latency 150ms` (about four full
 *   packets of burst; a queue of 150 ms at the cap, then tail drop, like a small home router);
 * - loss: in the namespace, `iptables -A INPUT -i <ns veth> -m statistic --mode random --probability <p> -j DROP`;
 * - delay: in the namespace, `-j NFQUEUE` on INPUT and OUTPUT of its veth, held for the delay by nfqueue_delay.py
 *   (the userspace stand-in for `netem delay`), so RTT = 2 x delay.
 */
export class NetworkLab {
  /** Namespace name, `slbench-<pid>`. */
  readonly namespace = `${NAME_PREFIX}${process.pid}`;
  readonly #hostVeth = `slb${process.pid}h`;
  readonly #nsVeth = `slb${process.pid}n`;
  #delayHelper: ChildProcess | null = null;
  #closed = false;
  readonly #onExit = () => this.close();
  readonly #onSignal = (signal: NodeJS.Signals) => {
    this.close();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };

  private constructor() {}

  /** The host's end of the link: its egress qdisc is the namespace's downlink cap. */
  get downlinkDevice(): string {
    return this.#hostVeth;
  }

  /** Checks the tools, removes namespaces left by killed runs, and builds the namespace and its link. */
  static create(): NetworkLab {
    if (os.platform() !== 'linux' || process.getuid?.() !== 0) throw new Error('bench:network needs root on Linux (ip netns, tc, iptables)');
    for (const tool of ['ip', 'tc', 'iptables', 'python3']) {
      try {
        run('sh', '-c', `command -v ${tool}`);
      } catch {
        throw new Error(`bench:network needs ${tool} (apt-get install iproute2 iptables python3)`);
      }
    }
    if (!existsSync(DELAY_HELPER)) throw new Error(`${DELAY_HELPER} is missing`);
    removeStaleNamespaces();
    if (run('ip', '-o', 'addr', 'show').includes(` ${HOST_IP}/`)) throw new Error(`${HOST_IP} is already in use: is another bench:network running?`);
    const lab = new NetworkLab();
    process.once('exit', lab.#onExit);
    process.once('SIGINT', lab.#onSignal);
    process.once('SIGTERM', lab.#onSignal);
    try {
      run('ip', 'netns', 'add', lab.namespace);
      run('ip', 'link', 'add', lab.#hostVeth, 'type', 'veth', 'peer', 'name', lab.#nsVeth);
      run('ip', 'link', 'set', lab.#nsVeth, 'netns', lab.namespace);
      run('ip', 'addr', 'add', `${HOST_IP}/${PREFIX}`, 'dev', lab.#hostVeth);
      run('ip', 'link', 'set', lab.#hostVeth, 'up');
      lab.#inNamespace('ip', 'addr', 'add', `${NAMESPACE_IP}/${PREFIX}`, 'dev', lab.#nsVeth);
      lab.#inNamespace('ip', 'link', 'set', lab.#nsVeth, 'up');
      lab.#inNamespace('ip', 'link', 'set', 'lo', 'up');
    } catch (error) {
      lab.close();
      throw error;
    }
    return lab;
  }

  /** Replaces the current shaping with `shape`. */
  async shape(shape: Shape): Promise<void> {
    this.#clear();
    if (shape.downlinkKbit !== undefined) {
      run('tc', 'qdisc', 'replace', 'dev', this.#hostVeth, 'root', 'tbf', 'rate', `${shape.downlinkKbit}kbit`, 'burst', '6kb', 'latency', '150ms');
    }
    if (shape.downlinkLossPercent !== undefined) {
      const probability = String(shape.downlinkLossPercent / 100);
      this.#inNamespace('iptables', '-A', 'INPUT', '-i', this.#nsVeth, '-m', 'statistic', '--mode', 'random', '--probability', probability, '-j', 'DROP');
    }
    if (shape.oneWayDelayMs !== undefined) {
      await this.#startDelayHelper(shape.oneWayDelayMs);
      this.#inNamespace('iptables', '-A', 'INPUT', '-i', this.#nsVeth, '-j', 'NFQUEUE', '--queue-num', QUEUE_NUM);
      this.#inNamespace('iptables', '-A', 'OUTPUT', '-o', this.#nsVeth, '-j', 'NFQUEUE', '--queue-num', QUEUE_NUM);
    }
  }

  /** Removes every shaping rule: the link is unlimited again. */
  unshape(): void {
    this.#clear();
  }

  /** Deletes the namespace (its veth end, rules and queue go with it) and the host's veth end. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    process.off('exit', this.#onExit);
    process.off('SIGINT', this.#onSignal);
    process.off('SIGTERM', this.#onSignal);
    this.#stopDelayHelper();
    killProcessesIn(this.namespace);
    tryRun('ip', 'netns', 'del', this.namespace);
    tryRun('ip', 'link', 'del', this.#hostVeth);
  }

  #clear(): void {
    tryRun('tc', 'qdisc', 'del', 'dev', this.#hostVeth, 'root');
    this.#inNamespace('iptables', '-F');
    this.#stopDelayHelper();
  }

  async #startDelayHelper(delayMs: number): Promise<void> {
    const helper = spawn('ip', ['netns', 'exec', this.namespace, 'python3', DELAY_HELPER, QUEUE_NUM, String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.#delayHelper = helper;
    const lines = createInterface({ input: helper.stdout! });
    const [line] = (await Promise.race([once(lines, 'line'), once(helper, 'exit').then(() => ['exited'])])) as string[];
    if (line !== 'ready') throw new Error(`the delay helper did not start (${line})`);
  }

  #stopDelayHelper(): void {
    if (this.#delayHelper?.exitCode === null) this.#delayHelper.kill('SIGTERM');
    this.#delayHelper = null;
  }

  #inNamespace(command: string, ...args: string[]): void {
    run('ip', 'netns', 'exec', this.namespace, command, ...args);
  }
}

/** Deletes `slbench-<pid>` namespaces whose process is gone (a run killed with SIGKILL cannot clean up). */
function removeStaleNamespaces(): void {
  for (const line of run('ip', 'netns', 'list').split('\n')) {
    const match = new RegExp(`^${NAME_PREFIX}(\\d+)\\b`).exec(line);
    if (!match || processAlive(Number(match[1]))) continue;
    killProcessesIn(`${NAME_PREFIX}${match[1]}`);
    tryRun('ip', 'netns', 'del', `${NAME_PREFIX}${match[1]}`);
    tryRun('ip', 'link', 'del', `slb${match[1]}h`);
  }
}

/** Kills what still runs in a namespace of ours (Chromium's helpers outliving a killed browser would keep it alive). */
function killProcessesIn(namespace: string): void {
  let pids: string[] = [];
  try {
    pids = run('ip', 'netns', 'pids', namespace).split('\n').filter(Boolean);
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
