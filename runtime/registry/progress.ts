// Docker-style pull/push output. Each layer has a line keyed by its short id ("Pulling fs layer",
// "Downloading [==>   ] 1.2MB/5MB", "Pull complete"). On a terminal the lines are redrawn in place;
// otherwise only the states without a bar are printed, and `-q` prints nothing.

export type ProgressEvent =
  /** A line of its own: "Using default tag: latest", "Digest: sha256:…", "Status: …". */
  | { readonly kind: 'message'; readonly text: string }
  /** A layer's state; `current/total` (bytes) make a bar. */
  | {
      readonly kind: 'layer';
      readonly id: string;
      readonly status: string;
      readonly current?: number;
      readonly total?: number;
    };

export type ProgressSink = (event: ProgressEvent) => void;

export const silentProgress: ProgressSink = () => {};

export interface ProgressOutput {
  write(text: string): void;
  readonly isTTY: boolean;
}

/** Docker's units.HumanSize: decimal units, 4 significant digits ("3.146MB"). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}

const BAR_WIDTH = 50;

/** `[=====>      ]  3.2MB/28.5MB` as Docker draws it. */
export function progressBar(current: number, total: number | undefined): string {
  if (!total || total <= 0) return `${humanSize(current).padStart(8)}`;
  const ratio = Math.min(1, current / total);
  const filled = Math.floor(ratio * BAR_WIDTH);
  const bar =
    filled >= BAR_WIDTH
      ? '='.repeat(BAR_WIDTH)
      : `${'='.repeat(filled)}>${' '.repeat(BAR_WIDTH - filled - 1)}`;
  return `[${bar}] ${humanSize(current).padStart(8)}/${humanSize(total)}`;
}

function layerLine(e: Extract<ProgressEvent, { kind: 'layer' }>, withBar: boolean): string {
  const bar = withBar && e.current !== undefined ? ` ${progressBar(e.current, e.total)}` : '';
  return `${e.id}: ${e.status}${bar}`;
}

/**
 * A sink that writes Docker-style lines to `out`. On a TTY, layer lines are redrawn in place with
 * ANSI cursor moves (Docker's jsonmessage does the same); elsewhere each status change is one line.
 */
export function createProgressRenderer(out: ProgressOutput, opts: { quiet?: boolean } = {}): ProgressSink {
  if (opts.quiet) return silentProgress;
  if (!out.isTTY) {
    // Like Docker's jsonmessage off a terminal: bar updates ("Downloading", "Pushing") are dropped.
    return (e) => {
      if (e.kind === 'message') out.write(`${e.text}\n`);
      else if (e.current === undefined) out.write(`${layerLine(e, false)}\n`);
    };
  }
  // Lines printed so far, bottom is the cursor's line; ids map to their line number.
  const lineOf = new Map<string, number>();
  let lines = 0;
  return (e) => {
    if (e.kind === 'message') {
      out.write(`${e.text}\n`);
      lines++;
      return;
    }
    const text = layerLine(e, true);
    const at = lineOf.get(e.id);
    if (at === undefined) {
      lineOf.set(e.id, lines);
      out.write(`${text}\n`);
      lines++;
      return;
    }
    const up = lines - at;
    out.write(`\x1b[${up}A\x1b[2K\r${text}\x1b[${up}B\r`);
  };
}
