// BuildKit-style progress: numbered vertices (`#3 [2/5] COPY . /app`), their output with the
// seconds since they started, then `CACHED`, `DONE 0.2s` or `ERROR`. The builder emits events;
// renderPlain turns them into the lines `--progress=plain` prints (a TTY view redraws them).

export type ProgressEvent =
  | { type: 'start'; id: number; name: string; at: number }
  | { type: 'log'; id: number; text: string; at: number }
  | { type: 'cached'; id: number }
  | { type: 'done'; id: number; at: number }
  | { type: 'error'; id: number; at: number; message: string }
  | { type: 'note'; text: string };

export type ProgressSink = (event: ProgressEvent) => void;

/** A plain-text renderer: returns the lines for each event (ends each vertex with a blank line). */
export function plainRenderer(): (e: ProgressEvent) => string {
  const started = new Map<number, number>();
  const partial = new Map<number, string>();
  const seconds = (id: number, at: number) => ((at - (started.get(id) ?? at)) / 1000).toFixed(3);
  return (e) => {
    switch (e.type) {
      case 'start':
        started.set(e.id, e.at);
        return `#${e.id} ${e.name}\n`;
      case 'log': {
        const text = (partial.get(e.id) ?? '') + e.text;
        const lines = text.split('\n');
        partial.set(e.id, lines.pop() ?? '');
        return lines.map((l) => `#${e.id} ${seconds(e.id, e.at)} ${l}\n`).join('');
      }
      case 'cached':
        return `#${e.id} CACHED\n\n`;
      case 'done': {
        const rest = partial.get(e.id);
        partial.delete(e.id);
        const tail = rest ? `#${e.id} ${seconds(e.id, e.at)} ${rest}\n` : '';
        return `${tail}#${e.id} DONE ${((e.at - (started.get(e.id) ?? e.at)) / 1000).toFixed(1)}s\n\n`;
      }
      case 'error': {
        const rest = partial.get(e.id);
        partial.delete(e.id);
        const tail = rest ? `#${e.id} ${seconds(e.id, e.at)} ${rest}\n` : '';
        return `${tail}#${e.id} ERROR: ${e.message}\n\n`;
      }
      case 'note':
        return `${e.text}\n`;
    }
  };
}
