// `build`: a Dockerfile and a context in, a tagged OCI image out. Stages the target needs are
// built in order (FROM an image, `scratch` or an earlier stage); every step goes through the
// cache; the result's layers are copied from the build cache into the image store only at the
// end, so a failed build tags nothing and adds no blob to the image store.

import type { FileSystem } from '../../overlay/types.ts';
import { Vfs } from '../../overlay/vfs.ts';
import type { ImageRecord } from '../images/image-record.ts';
import { type Digest, digestOf } from '../oci/digest.ts';
import { encodeJson, type ImageConfig, type ImageManifest } from '../oci/manifest.ts';
import { MediaType } from '../oci/media-types.ts';
import { WASM_PLATFORM } from '../oci/platform.ts';
import { canonicalString, parseReference } from '../oci/reference.ts';
import { BuildError, DockerfileError } from './build-errors.ts';
import { type BuildLayer, cacheKey } from './build-cache.ts';
import { type BuildDeps, BuildSession } from './build-session.ts';
import type { StageState } from './build-step.ts';
import { type Instruction, parseDockerfile, type Stage } from './dockerfile.ts';
import { expandValue, expandWords, SubstitutionError } from './expand.ts';
import type { ProgressSink } from './progress.ts';
import { runInstruction, type StageRun } from './stage-build.ts';

export type { BuildDeps } from './build-session.ts';

export interface BuildRequest {
  dockerfile: string;
  /** Name used in messages (`Dockerfile:3: …`). */
  file?: string;
  /** The build context, already filtered by .dockerignore. */
  context: FileSystem;
  tags?: string[];
  buildArgs?: Record<string, string>;
  target?: string;
  noCache?: boolean;
  /** Always fetch FROM images from their registry. */
  pull?: boolean;
  labels?: Record<string, string>;
}

export interface BuildResult {
  id: Digest;
  manifestDigest: Digest;
  names: string[];
  cachedSteps: number;
  executedSteps: number;
  warnings: string[];
}

const FILE_STEPS = new Set(['WORKDIR', 'COPY', 'ADD', 'RUN']);
/** Docker's predefined build args: usable without an ARG, never in history. */
const PREDEFINED_ARGS = ['HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY'].flatMap((n) => [
  n,
  n.toLowerCase(),
]);

const OCI_LAYER: Record<string, string> = {
  [MediaType.dockerLayer]: MediaType.ociLayer,
  [MediaType.dockerLayerGzip]: MediaType.ociLayerGzip,
};

function layersOf(image: ImageRecord): BuildLayer[] {
  return image.manifest.layers.map((l, i) => ({
    mediaType: l.mediaType,
    digest: l.digest,
    size: l.size,
    diffId: image.config.rootfs.diff_ids[i]!,
  }));
}

function baseState(key: string, config: ImageConfig, layers: BuildLayer[]): StageState {
  const copy = JSON.parse(JSON.stringify(config)) as ImageConfig;
  if (copy.config?.OnBuild) copy.config.OnBuild = null;
  return { key, config: copy, layers, args: new Map(), cmdSet: false };
}

/** Stages the target needs: its FROM chain and COPY --from sources, in file order. */
function neededStages(stages: Stage[], target: Stage, fromName: (s: Stage) => string): Stage[] {
  const need = new Set<number>();
  const byRef = (ref: string, before: number) =>
    stages.find((s) => s.index < before && (s.name === ref.toLowerCase() || String(s.index) === ref));
  const visit = (s: Stage) => {
    if (need.has(s.index)) return;
    need.add(s.index);
    const base = byRef(fromName(s), s.index);
    if (base) visit(base);
    for (const i of s.instructions) {
      const from = i.flags.get('from');
      const dep =
        from !== undefined && (i.keyword === 'COPY' || i.keyword === 'ADD')
          ? byRef(from, s.index)
          : undefined;
      if (dep) visit(dep);
    }
  };
  visit(target);
  return stages.filter((s) => need.has(s.index));
}

export async function build(
  deps: BuildDeps,
  req: BuildRequest,
  progress: ProgressSink = () => {},
): Promise<BuildResult> {
  const file = req.file ?? 'Dockerfile';
  const session = new BuildSession(deps, progress, req.noCache ?? false);
  const parsed = await session.vertexed(`[internal] load build definition from ${file}`, async () =>
    parseDockerfile(req.dockerfile, file),
  );
  for (const text of parsed.notes) progress({ type: 'note', text: `note: ${text}` });
  const esc = '\\';
  const buildArgs = new Map(Object.entries(req.buildArgs ?? {}));
  const usedArgs = new Set<string>();
  const globals = new Map<string, string>();
  for (const inst of parsed.globalArgs) {
    const { name, value } = inst.pairs[0]!;
    const given = buildArgs.get(name);
    if (given !== undefined) usedArgs.add(name);
    try {
      const v = given ?? (value === undefined ? undefined : expandValue(value, globals, esc));
      if (v !== undefined) globals.set(name, v);
    } catch (e) {
      throw new DockerfileError(file, inst.line, `ARG failed: ${(e as Error).message}`, { cause: e });
    }
  }
  const fromWords = (s: Stage) => {
    try {
      return expandWords(s.from.args, globals, esc);
    } catch (e) {
      if (e instanceof SubstitutionError)
        throw new DockerfileError(file, s.from.line, `FROM failed: ${e.message}`);
      throw e;
    }
  };
  const target = req.target
    ? parsed.stages.find((s) => s.name === req.target!.toLowerCase())
    : parsed.stages[parsed.stages.length - 1];
  if (!target) throw new BuildError(`target stage "${req.target}" could not be found`);
  const stages = neededStages(parsed.stages, target, (s) => fromWords(s)[0] ?? '');
  const multi = parsed.stages.length > 1;
  const context = new Vfs(req.context);
  const built = new Map<number, StageState>();

  const resolveImage = async (ref: string, inst: Instruction): Promise<ImageRecord> => {
    let image = req.pull && deps.pull ? undefined : await deps.images.find(ref);
    if (!image && deps.pull) {
      try {
        image = await deps.pull(ref);
      } catch (e) {
        throw new DockerfileError(file, inst.line, `${inst.keyword} failed: ${(e as Error).message}`, {
          cause: e,
        });
      }
    }
    if (!image)
      throw new DockerfileError(
        file,
        inst.line,
        `${inst.keyword} failed: image "${ref}" not found (no registry to pull it from)`,
      );
    return image;
  };
  const stageByRef = (ref: string, before: number) =>
    stages.find((s) => s.index < before && (s.name === ref.toLowerCase() || String(s.index) === ref));

  for (const stage of stages) {
    const ref = fromWords(stage)[0] ?? '';
    const steps = 1 + stage.instructions.filter((i) => FILE_STEPS.has(i.keyword)).length;
    let step = 1;
    const label = () => `[${multi ? `${stage.name ?? `stage-${stage.index}`} ` : ''}${step}/${steps}] `;
    let state: StageState;
    const fromStage = stageByRef(ref, stage.index);
    const id = session.nextVertex();
    if (fromStage) {
      const parent = built.get(fromStage.index)!;
      state = baseState(parent.key, parent.config, parent.layers);
      progress({
        type: 'start',
        id,
        name: `${label()}FROM ${fromStage.name ?? fromStage.index}`,
        at: session.now(),
      });
    } else if (ref.toLowerCase() === 'scratch') {
      state = baseState(
        cacheKey(['FROM', 'scratch']),
        {
          architecture: WASM_PLATFORM.architecture,
          os: WASM_PLATFORM.os,
          rootfs: { type: 'layers', diff_ids: [] },
          history: [],
        },
        [],
      );
      progress({ type: 'start', id, name: `${label()}FROM scratch`, at: session.now() });
    } else {
      let shown = ref;
      try {
        shown = canonicalString(parseReference(ref));
      } catch {
        throw new DockerfileError(file, stage.from.line, `FROM failed: invalid reference format: ${ref}`);
      }
      progress({ type: 'start', id, name: `${label()}FROM ${shown}`, at: session.now() });
      const image = await resolveImage(ref, stage.from);
      state = baseState(cacheKey(['FROM', image.id]), image.config, layersOf(image));
    }
    progress({ type: 'cached', id });
    const run: StageRun = {
      session,
      state,
      file,
      esc,
      buildArgs,
      usedArgs,
      label: () => label(),
      origins: {
        context,
        from: async (fromRef, inst) => {
          const dep = stageByRef(fromRef, stage.index);
          if (dep) return (await session.openFs(built.get(dep.index)!.layers)).vfs;
          const image = await resolveImage(fromRef, inst);
          return (await session.openFs(layersOf(image))).vfs;
        },
      },
    };
    for (const name of PREDEFINED_ARGS) {
      const v = buildArgs.get(name);
      if (v !== undefined) {
        usedArgs.add(name);
        state.args.set(name, v);
      }
    }
    for (const inst of stage.instructions) {
      if (FILE_STEPS.has(inst.keyword)) step++;
      await runInstruction(run, inst);
    }
    built.set(stage.index, state);
  }

  const final = built.get(target.index)!;
  const warnings: string[] = [];
  const unused = [...buildArgs.keys()].filter((k) => !usedArgs.has(k));
  if (unused.length)
    warnings.push(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed`);
  const result = await session.vertexed('exporting to image', (vid) =>
    exportImage(deps, final, req, vid, progress),
  );
  return { ...result, cachedSteps: session.cachedSteps, executedSteps: session.executedSteps, warnings };
}

async function exportImage(
  deps: BuildDeps,
  state: StageState,
  req: BuildRequest,
  vertex: number,
  progress: ProgressSink,
): Promise<{ id: Digest; manifestDigest: Digest; names: string[] }> {
  const { content } = deps.images;
  const { blobs } = deps.cache;
  const log = (text: string) => progress({ type: 'log', id: vertex, text: `${text}\n`, at: deps.now() });
  for (const l of state.layers) {
    if (!(await content.has(l.digest))) await content.put(await blobs.get(l.digest), l.digest);
    // The uncompressed tar too, so the first run needs no gunzip.
    if (l.digest !== l.diffId && !(await content.has(l.diffId)) && (await blobs.has(l.diffId)))
      await content.put(await blobs.get(l.diffId), l.diffId);
  }
  log('exporting layers done');
  const config: ImageConfig = JSON.parse(JSON.stringify(state.config)) as ImageConfig;
  if (req.labels && Object.keys(req.labels).length) {
    config.config = { ...(config.config ?? {}), Labels: { ...(config.config?.Labels ?? {}), ...req.labels } };
  }
  const configBytes = encodeJson(config);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: digestOf(configBytes), size: configBytes.byteLength },
    layers: state.layers.map((l) => ({
      mediaType: OCI_LAYER[l.mediaType] ?? l.mediaType,
      digest: l.digest,
      size: l.size,
    })),
  };
  const manifestBytes = encodeJson(manifest);
  await content.put(configBytes);
  const manifestDigest = await content.put(manifestBytes);
  log(`writing image ${manifest.config.digest} done`);
  const [added] = await deps.images.addImages([{ digest: manifestDigest, names: req.tags ?? [] }]);
  for (const name of req.tags ?? []) log(`naming to ${canonicalString(parseReference(name))} done`);
  return { id: added!.id, manifestDigest, names: added!.names };
}
