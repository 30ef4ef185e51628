// EngineHost on Node: liveness by kill(pid, 0) plus the Linux start time so a reused pid is not
// taken for a live host; SIGUSR2 as the doorbell; background containers go to the per-user
// engine process (runtime/engine-server).

import { readFileSync } from 'node:fs';
import type { EngineHost, HostSignal } from './host.ts';

/** Linux: state letter (field 3) and start time (field 22) of a process; undefined elsewhere. */
function procStat(pid: number | 'self'): { state: string; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces, so count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, start: fields[19]! };
  } catch {
    return undefined;
  }
}

export class NodeHost implements EngineHost {
  readonly pid = process.pid;
  readonly startTime = procStat('self')?.start;
  /** Path of bin/berth.cjs and the berth root, for the engine that hosts detached containers. */
  constructor(
    private readonly launcher?: string,
    private readonly root?: string,
  ) {}

  isAlive(pid: number, startTime?: string): boolean {
    if (pid <= 0) return false;
    if (pid === this.pid) return startTime === undefined || startTime === this.startTime;
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
    }
    const now = procStat(pid);
    // A zombie (killed, not yet reaped where nothing reaps orphans) is dead for berth.
    if (now && (now.state === 'Z' || now.state === 'X')) return false;
    return startTime === undefined || now === undefined || now.start === startTime;
  }

  ring(pid: number): void {
    try {
      if (pid === this.pid) process.emit('SIGUSR2', 'SIGUSR2');
      else process.kill(pid, 'SIGUSR2');
    } catch {}
  }

  onRing(handler: () => void): () => void {
    const h = () => handler();
    process.on('SIGUSR2', h);
    return () => process.off('SIGUSR2', h);
  }

  onSignal(handler: (signal: HostSignal) => void): () => void {
    const signals: HostSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    const h = (s: NodeJS.Signals) => handler(s as HostSignal);
    for (const s of signals) process.on(s, h);
    return () => {
      for (const s of signals) process.off(s, h);
    };
  }

  /** The per-user engine (runtime/engine-server) starts it; one engine hosts all of them. */
  async spawnDetached(id: string): Promise<void> {
    if (!this.launcher || !this.root) throw new Error('no launcher to start the berth engine');
    const { EngineClient } = await import('../engine-server/node-engine-client.ts');
    const client = await EngineClient.connect(this.root, { launcher: this.launcher });
    try {
      await client.request({ op: 'start', container: id });
    } finally {
      client.close();
    }
  }

  now(): number {
    return Date.now();
  }
}
