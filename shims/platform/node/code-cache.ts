// Loads a CommonJS bundle of ours through V8's code cache. A cold `berth` process otherwise
// spends most of its start compiling JavaScript (the CLI, the process worker); with the cache,
// V8 deserialises the bytecode of every function the same command ran last time instead.
// Node 20 has no compile cache for ES modules (module.enableCompileCache is Node 22), hence the
// bundles are CommonJS and compiled here with vm.Script, the API that can produce and consume one.
//
// The cache lives in the user's cache directory (BERTH_CODE_CACHE names another one, or `off`),
// one file per bundle (by path) and command, keyed by the bundle's size and mtime and by Node's
// version: a rebuilt bundle or another Node never meets a stale cache (V8 also checks the source
// and its flags, and rejects a mismatch; we then write a new one). Files are written whole (temp file
// and rename), so concurrent `berth` processes never read a torn cache.

import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fs } from './node-fs.ts';
import { builtin } from './builtin.ts';

/** The module object itself: a default or namespace import makes esbuild's CommonJS output copy it. */
const vm = builtin('node:vm');

/** How a bundle loaded by loadBundle begins: a function of CommonJS's five module arguments. */
export const BUNDLE_WRAPPER_START = '(function (exports, require, module, __filename, __dirname) {';

export interface LoadedBundle {
  /** The bundle's `module.exports`. */
  readonly exports: Record<string, unknown>;
  /** True when this run compiled without a usable cache: call save() once the work is done. */
  readonly needsSave: boolean;
  /** Writes the code cache (bytecode of every function run so far); never throws. */
  save(): void;
}

/** The directory for cache files, or undefined when caching is off. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const named = env.BERTH_CODE_CACHE;
  if (named === 'off' || named === '0') return undefined;
  if (named) return named;
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'berth', 'code-cache');
}

/** FNV-1a of a path: two checkouts (or installs) of berth keep caches of their own. */
function pathKey(path: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

function cacheFileOf(dir: string, bundle: string, name: string): { path: string; prefix: string } {
  const st = fs.statSync(bundle);
  const base = bundle.slice(bundle.lastIndexOf('/') + 1).replace(/\.c?js$/, '');
  const prefix = `${base}-${pathKey(bundle)}.${name}.`;
  const key = `${st.size}-${Math.floor(st.mtimeMs)}-${process.version}-${process.arch}`;
  return { path: join(dir, `${prefix}${key}.v8`), prefix };
}

/** Removes this bundle+command's caches for other keys (older builds, other Node versions). */
function removeStale(dir: string, prefix: string, keep: string): void {
  for (const f of fs.readdirSync(dir)) {
    if (f.startsWith(prefix) && join(dir, f) !== keep) fs.rmSync(join(dir, f), { force: true });
  }
}

/**
 * Compiles and runs the CommonJS bundle `file` (with V8's code cache for `name`, a command or
 * role such as `run` or `worker`) and returns its exports.
 */
export function loadBundle(file: string, name: string, env: NodeJS.ProcessEnv = process.env): LoadedBundle {
  // esbuild writes ASCII (it escapes the rest), so latin1 reads it exactly and without decoding.
  const source = fs.readFileSync(file, 'latin1');
  const dir = codeCacheDir(env);
  let cache: { path: string; prefix: string } | undefined;
  let cachedData: Buffer | undefined;
  if (dir && /^[a-z0-9_-]{1,40}$/.test(name)) {
    try {
      cache = cacheFileOf(dir, file, name);
      cachedData = fs.readFileSync(cache.path);
    } catch {}
  }
  // A bundle built as the function already (scripts/build.js) is compiled as it is: wrapping it
  // here copies it once more (~350 KB), which alone can cost a cold run its first scavenge.
  const wrapped = source.startsWith(BUNDLE_WRAPPER_START) ? source : `${BUNDLE_WRAPPER_START}${source}\n})`;
  const script = new vm.Script(wrapped, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const mod = { exports: {} as Record<string, unknown> };
  const wrapper = script.runInThisContext() as (...a: unknown[]) => void;
  wrapper.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  const needsSave = cache !== undefined && (!cachedData || script.cachedDataRejected === true);
  let saved = false;
  return {
    exports: mod.exports,
    needsSave,
    save() {
      if (!needsSave || saved || !cache || !dir) return;
      saved = true;
      try {
        const data = script.createCachedData();
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        const tmp = `${cache.path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
        fs.writeFileSync(tmp, data, { mode: 0o600 });
        fs.renameSync(tmp, cache.path);
        removeStale(dir, cache.prefix, cache.path);
      } catch {
        // A read-only or full cache directory only costs the next start its compile time.
      }
    },
  };
}
