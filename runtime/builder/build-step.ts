// One cached step of a stage: its key is the parent's key, the instruction as expanded and the
// digest of any files it reads; a hit restores the config and layers stored for that key, a
// miss runs the step, stores its layer (when it changed files) and records the result.

import type { ContainerConfig, HistoryEntry, ImageConfig } from '../oci/manifest.ts';
import type { BuildLayer } from './build-cache.ts';
import { cacheKey } from './build-cache.ts';
import type { BuildSession } from './build-session.ts';

export interface StageState {
  key: string;
  config: ImageConfig;
  layers: BuildLayer[];
  /** ARG values in scope (for expansion and RUN's environment). */
  args: Map<string, string>;
  /** CMD set in this stage (ENTRYPOINT then keeps it). */
  cmdSet: boolean;
}

export interface StepSpec {
  /** history `created_by`, also the instruction part of the cache key. */
  createdBy: string;
  /** Digest of the files the step reads, or other inputs not in createdBy. */
  inputs?: string;
  /** Progress vertex name; metadata steps show none. */
  vertex?: string;
  /** Config changes (pure: a cache hit skips them and restores the stored config). */
  apply?(config: ContainerConfig, image: ImageConfig): void;
  /** The step's layer tar, or undefined when it changes no files. */
  files?(vertexId: number): Promise<Uint8Array | undefined>;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** A tar with nothing but end blocks (or only the root entry) adds nothing. */
export function isEmptyTar(tar: Uint8Array): boolean {
  if (tar.every((b) => b === 0)) return true;
  if (tar.length < 1024) return false;
  const name = new TextDecoder().decode(tar.subarray(0, 100)).replace(/\0.*$/s, '');
  return (name === './' || name === '.') && tar.subarray(512).every((b) => b === 0);
}

export async function runStep(session: BuildSession, state: StageState, spec: StepSpec): Promise<void> {
  const key = cacheKey([state.key, spec.createdBy, spec.inputs ?? '']);
  const hit = session.noCache ? undefined : await session.deps.cache.get(key);
  if (hit) {
    if (spec.vertex) {
      const id = session.nextVertex();
      session.progress({ type: 'start', id, name: spec.vertex, at: session.now() });
      session.progress({ type: 'cached', id });
    }
    session.cachedSteps++;
    state.key = key;
    state.config = hit.config;
    state.layers = hit.layers;
    return;
  }
  const work = async (id: number) => {
    const tar = spec.files ? await spec.files(id) : undefined;
    const layer = tar && !isEmptyTar(tar) ? await session.storeLayer(tar) : undefined;
    const config = clone(state.config);
    config.config ??= {};
    spec.apply?.(config.config, config);
    const created = new Date(session.now()).toISOString();
    const entry: HistoryEntry = { created, created_by: spec.createdBy, comment: 'berth build' };
    if (!layer) entry.empty_layer = true;
    config.created = created;
    config.history = [...(config.history ?? []), entry];
    const layers = layer ? [...state.layers, layer] : state.layers;
    config.rootfs = { type: 'layers', diff_ids: layers.map((l) => l.diffId) };
    return { config, layers };
  };
  const result = spec.vertex ? await session.vertexed(spec.vertex, work) : await work(0);
  session.executedSteps++;
  await session.deps.cache.put(key, result);
  state.key = key;
  state.config = result.config;
  state.layers = result.layers;
}
