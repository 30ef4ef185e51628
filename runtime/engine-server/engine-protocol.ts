// What the CLI and the per-user engine process say to each other over the engine's unix
// socket: one JSON object per line. A request carries an `id`; the engine answers it once
// (`ok` or `error`) and, for `attach` / attached `start`, streams `event`s with the same id
// until the container ends. Output bytes travel base64-encoded: control traffic is small and a
// foreground container's output is terminal-sized, so simplicity wins over a binary framing.

export const ENGINE_PROTOCOL_VERSION = 1;

export type EngineRequest =
  | { readonly id: number; readonly op: 'ping' }
  | {
      readonly id: number;
      readonly op: 'start';
      readonly container: string;
      /** Stream the container's output (and take stdin) on this connection until it ends. */
      readonly attach?: boolean;
      /** The attached terminal's size, for a `-t` container (COLUMNS / LINES). */
      readonly terminal?: { readonly columns: number; readonly rows: number };
    }
  | { readonly id: number; readonly op: 'attach'; readonly container: string; readonly stdin?: boolean }
  | { readonly id: number; readonly op: 'stop'; readonly container: string; readonly timeoutS?: number }
  | { readonly id: number; readonly op: 'kill'; readonly container: string; readonly signal?: string }
  | { readonly id: number; readonly op: 'restart'; readonly container: string; readonly timeoutS?: number }
  /**
   * A new process in a running container (`berth exec`). Streams its output and takes stdin
   * (`stdin` with ref = this id) like attach, until its `exit` event; closing the connection
   * kills it. With `detach` the engine answers at once and streams nothing.
   */
  | {
      readonly id: number;
      readonly op: 'exec';
      readonly container: string;
      readonly cmd: readonly string[];
      readonly env?: readonly string[];
      readonly workdir?: string;
      readonly interactive?: boolean;
      readonly tty?: boolean;
      readonly detach?: boolean;
    }
  /** Bytes for the stdin of the container attached by request `ref` (data: base64). */
  | { readonly id: number; readonly op: 'stdin'; readonly ref: number; readonly data: string }
  | { readonly id: number; readonly op: 'stdin-end'; readonly ref: number }
  /** Ends the engine now (tests, `berth system` tooling): stops its containers first. */
  | { readonly id: number; readonly op: 'shutdown' };

export type EngineOp = EngineRequest['op'];

/** A request as the caller writes it: the client numbers it. */
export type EngineCall = EngineRequest extends infer R
  ? R extends EngineRequest
    ? Omit<R, 'id'>
    : never
  : never;

export interface EngineErrorBody {
  readonly message: string;
  readonly code?: string;
  readonly exitCode?: number;
}

export type EngineReply =
  | { readonly id: number; readonly ok: true; readonly result?: unknown }
  | { readonly id: number; readonly ok: false; readonly error: EngineErrorBody }
  | { readonly id: number; readonly event: 'stdout' | 'stderr'; readonly data: string }
  | { readonly id: number; readonly event: 'exit'; readonly exitCode: number };

/** What `ping` answers, and what the engine writes to engine.json for other processes. */
export interface EngineInfo {
  readonly pid: number;
  /** Start time of the engine process (Linux ticks), so a reused pid is not taken for it. */
  readonly startTime?: string;
  readonly socket: string;
  readonly version: number;
  readonly startedAt: string;
}
