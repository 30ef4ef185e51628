// Test support for the network: guests compiled with berth_socket.h (cached by source hash),
// and containers started straight on a process runtime with an EngineNetworks of their own
// (a memory store, real host TCP on 127.0.0.1) — no container store needed.

import { randomBytes } from 'node:crypto';
import { spawnWasm, type WasmProcess } from '../../runtime/run-wasm.ts';
import { EngineNetworks, type NetworkSettings } from '../../runtime/networks/engine-networks.ts';
import type { ContainerNet } from '../../runtime/networks/container-net.ts';
import { MemoryNetworkStore } from '../../runtime/networks/network-store.ts';
import { NodeHostTcp } from '../../runtime/networks/node-host-tcp.ts';
import { parsePublish } from '../../runtime/networks/port-spec.ts';
import type { ProcessRuntime } from '../../runtime/run-wasm.ts';
import { collector, guest } from '../process/guest.ts';

/** Compiles images/tests/<name>.c against images/include (cached by the sources' hash). */
export function netGuest(name: string): Uint8Array {
  return guest(name, ['berth_socket.h']);
}

export interface Guest {
  readonly id: string;
  readonly proc: WasmProcess;
  readonly net: ContainerNet;
  readonly settings: NetworkSettings;
  text(): string;
  /** Resolves once stdout matches `pattern` (rejects after `ms`). */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  exited(): Promise<number>;
}

export interface StartOptions {
  network?: string;
  aliases?: string[];
  publish?: string[];
  exposed?: number[];
  publishAll?: boolean;
  extraHosts?: string[];
}

export class NetHarness {
  readonly networks = new EngineNetworks(new MemoryNetworkStore(), new NodeHostTcp());
  private readonly guests: Guest[] = [];

  constructor(private readonly runtime: ProcessRuntime) {}

  async start(name: string, module: Uint8Array, args: string[], o: StartOptions = {}): Promise<Guest> {
    const id = randomBytes(32).toString('hex');
    const mode = o.network ?? 'bridge';
    await this.networks.join(id, name, mode, o.aliases ?? []);
    const rec = {
      Id: id,
      Name: `/${name}`,
      Config: {
        Hostname: id.slice(0, 12),
        ExposedPorts: Object.fromEntries((o.exposed ?? []).map((p) => [`${p}/tcp`, {}])),
      },
      HostConfig: {
        NetworkMode: mode,
        PortBindings: parsePublish(o.publish ?? []),
        PublishAllPorts: o.publishAll ?? false,
        ExtraHosts: o.extraHosts ?? [],
      },
    };
    const { net, settings } = await this.networks.attach(rec);
    const out = collector();
    const proc = spawnWasm(module, {
      runtime: this.runtime,
      args: [name, ...args],
      stdout: out.sink,
      stderr: out.sink,
      network: net,
    });
    const done = proc.exited.then(async (exit) => {
      await this.networks.detach(id);
      return exit.exitCode;
    });
    const guest: Guest = {
      id,
      proc,
      net,
      settings,
      text: out.text,
      waitFor: async (pattern, ms = 10_000) => {
        const until = Date.now() + ms;
        for (;;) {
          const m = out.text().match(pattern);
          if (m) return m;
          if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}; output: ${out.text()}`);
          await new Promise((r) => setTimeout(r, 10));
        }
      },
      exited: () => done,
    };
    this.guests.push(guest);
    return guest;
  }

  /** Runs a guest to its end and returns its output. */
  async run(
    name: string,
    module: Uint8Array,
    args: string[],
    o: StartOptions = {},
  ): Promise<{ code: number; out: string }> {
    const g = await this.start(name, module, args, o);
    const code = await g.exited();
    return { code, out: g.text() };
  }

  async close(): Promise<void> {
    for (const g of this.guests) g.proc.kill('SIGKILL');
    await Promise.all(this.guests.map((g) => g.exited()));
  }
}

/** The host port a guest's container port was published on. */
export function hostPort(g: Guest, containerPort: number): number {
  const binding = g.settings.Ports[`${containerPort}/tcp`]?.[0];
  if (!binding) throw new Error(`port ${containerPort} is not published`);
  return Number(binding.HostPort);
}
