// The host process facts the engine needs and cannot take from `runtime/` (no node:*): its own
// pid, whether another host is alive, and a doorbell to wake it. A container that is running
// names the pid of the berth process hosting it; other berth processes ring that pid's doorbell
// after leaving a control request, and trust `isAlive` rather than a stale record.

export type HostSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

export interface EngineHost {
  readonly pid: number;
  /** Identifies this incarnation of `pid` (Linux: start time in ticks), when the OS tells. */
  readonly startTime: string | undefined;
  isAlive(pid: number, startTime?: string): boolean;
  /** Wakes the host `pid` so it reads its control requests (Node: SIGUSR2). */
  ring(pid: number): void;
  /** Called when another process rings this host. Returns an unsubscribe function. */
  onRing(handler: () => void): () => void;
  /** Signals sent to this host process itself (Ctrl-C, `kill`), forwarded to its containers. */
  onSignal(handler: (signal: HostSignal) => void): () => void;
  /** Hands container `id` to the per-user engine process that hosts background containers
   * (`start` / `run -d`), starting that engine when none runs; rejects with the start error. */
  spawnDetached?(id: string): void | Promise<void>;
  /** Milliseconds; a seam for tests. */
  now(): number;
}
