// The playground: runs a WASI module with berth's core in this tab. The root filesystem is an
// in-memory tmpfs, the process a module Web Worker from berth's pool, stdout/stderr stream into
// the page. `window.berthPlayground` exposes the same run for scripts and the browser test.

import helloWorldUrl from '../images/hello-world/hello-world.wasm?url';
import { runWasm, setDefaultPlatform } from '../runtime/browser.ts';
import { createBrowserPlatform } from '../shims/platform/browser/browser-platform.ts';
import workerUrl from '../shims/platform/browser/worker-entry.ts?worker&url';

setDefaultPlatform(createBrowserPlatform(workerUrl));

/** Built-in guest images the page ships, by name. */
const images = { 'hello-world': helloWorldUrl } as const;

export interface PlaygroundRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly trap?: string;
  readonly error?: string;
}

export interface PlaygroundRequest {
  readonly url: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Called with each decoded chunk as the guest writes it. */
  readonly onStdout?: (text: string) => void;
  readonly onStderr?: (text: string) => void;
}

function collector(on?: (text: string) => void): { sink: (chunk: Uint8Array) => void; text(): string } {
  const decoder = new TextDecoder();
  let all = '';
  return {
    sink: (chunk) => {
      const text = decoder.decode(chunk, { stream: true });
      all += text;
      on?.(text);
    },
    text: () => all + decoder.decode(),
  };
}

export async function runModule(request: PlaygroundRequest): Promise<PlaygroundRun> {
  const response = await fetch(request.url);
  if (!response.ok) throw new Error(`cannot fetch ${request.url}: HTTP ${response.status}`);
  // compile(), not compileStreaming(): any static server works, whatever MIME type it sends.
  const module = await WebAssembly.compile(await response.arrayBuffer());
  const out = collector(request.onStdout);
  const err = collector(request.onStderr);
  const exit = await runWasm(module, {
    args: request.args.length > 0 ? request.args : [request.url.split('/').pop() ?? 'main.wasm'],
    env: request.env,
    mounts: [{ type: 'tmpfs', target: '/' }],
    stdout: out.sink,
    stderr: err.sink,
  });
  return {
    exitCode: exit.exitCode,
    stdout: out.text(),
    stderr: err.text(),
    ...(exit.trap ? { trap: exit.trap } : {}),
    ...(exit.error ? { error: exit.error } : {}),
  };
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l.length > 0);

function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of lines(text)) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

function element<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

function setUpPage(): void {
  const form = element<HTMLFormElement>('run-form');
  const url = element<HTMLInputElement>('module-url');
  const args = element<HTMLTextAreaElement>('args');
  const env = element<HTMLTextAreaElement>('env');
  const button = element<HTMLButtonElement>('run');
  const status = element<HTMLSpanElement>('status');
  const stdout = element<HTMLPreElement>('stdout');
  const stderr = element<HTMLPreElement>('stderr');
  element('isolation').textContent = crossOriginIsolated
    ? 'This page is cross-origin isolated, so SharedArrayBuffer works.'
    : 'This page is NOT cross-origin isolated: serve it with COOP/COEP headers.';
  url.value = images['hello-world'];
  args.value = 'hello-world';

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    button.disabled = true;
    stdout.textContent = '';
    stderr.textContent = '';
    status.textContent = 'running';
    runModule({
      url: url.value,
      args: lines(args.value),
      env: parseEnv(env.value),
      onStdout: (t) => stdout.append(t),
      onStderr: (t) => stderr.append(t),
    })
      .then(
        (run) => {
          status.textContent = run.trap
            ? `trapped (${run.trap}), exit code ${run.exitCode}`
            : run.error
              ? `could not run (${run.error}), exit code ${run.exitCode}`
              : `exited with code ${run.exitCode}`;
        },
        (error: unknown) => {
          status.textContent = `failed: ${error instanceof Error ? error.message : String(error)}`;
        },
      )
      .finally(() => {
        button.disabled = false;
      });
  });
}

declare global {
  interface Window {
    berthPlayground: { runModule: typeof runModule; images: Readonly<Record<string, string>> };
  }
}

window.berthPlayground = { runModule, images };
setUpPage();
