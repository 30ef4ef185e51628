// Where container records, writable layers, logs and control requests live. The Node
// implementation keeps one directory per container (node-container-store.ts); the browser can
// keep the same shape in IndexedDB. Every write is atomic: a reader sees the old or the new record.

import type { ContainerRecord, ContainerSummary } from './container-record.ts';

export type LogStream = 'stdout' | 'stderr';

export interface LogEntry {
  stream: LogStream;
  time: string;
  bytes: Uint8Array;
}

/** A request from another berth process to the process that hosts a container. */
export interface ControlRequest {
  action: 'stop' | 'kill' | 'pause' | 'unpause';
  signal?: string;
  timeoutMs?: number;
}

export interface ContainerStore {
  /** Every record; unreadable (half-removed) entries are skipped. */
  list(): Promise<ContainerRecord[]>;
  /** Every record cut to what `ps` shows, as fast as the store can (Node: one index file). */
  listSummaries(): Promise<ContainerSummary[]>;
  get(id: string): Promise<ContainerRecord | undefined>;
  /** Id of the container that holds `name`, if any. */
  idForName(name: string): Promise<string | undefined>;
  /** Stores a new record and claims its name atomically; ConflictError when the name is taken. */
  create(record: ContainerRecord): Promise<void>;
  save(record: ContainerRecord): Promise<void>;
  /** Moves a name to another container atomically (rename). */
  rename(record: ContainerRecord, newName: string): Promise<void>;
  remove(id: string): Promise<void>;

  readUpper(id: string): Promise<Uint8Array | undefined>;
  writeUpper(id: string, bytes: Uint8Array): Promise<void>;

  appendLog(id: string, stream: LogStream, bytes: Uint8Array): void;
  readLogs(id: string, fromOffset?: number): Promise<{ entries: LogEntry[]; offset: number }>;

  sendControl(id: string, request: ControlRequest): Promise<void>;
  takeControl(id: string): Promise<ControlRequest[]>;

  /**
   * Blocking forms, for a host whose thread runs a guest (an inline foreground container polls
   * its control requests between guest instructions, where nothing asynchronous can complete).
   */
  getSync?(id: string): ContainerRecord | undefined;
  saveSync?(record: ContainerRecord): void;
  takeControlSync?(id: string): ControlRequest[];
}

/** The last `n` lines of a log (`logs --tail`): an entry may hold several lines or part of one. */
export function lastLogLines(entries: LogEntry[], n: number): LogEntry[] {
  if (n <= 0) return [];
  const lines: LogEntry[] = [];
  for (const e of entries) {
    let start = 0;
    for (let i = 0; i < e.bytes.length; i++) {
      if (e.bytes[i] === 10) {
        lines.push({ ...e, bytes: e.bytes.subarray(start, i + 1) });
        start = i + 1;
      }
    }
    if (start < e.bytes.length) lines.push({ ...e, bytes: e.bytes.subarray(start) });
  }
  return lines.slice(-n);
}
