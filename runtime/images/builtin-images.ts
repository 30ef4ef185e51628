// berth's built-in images (no registry needed): each is the project's own guest program,
// images/<name>/<name>.wasm, packaged as a proper OCI image the first time it is used. Every byte
// is fixed (tar mtime 0, uid/gid 0, fixed `created`), so the digests depend only on the .wasm.
// The tar writers load when an image is first built: every command that opens the image store
// (a pull too) would otherwise initialise them and their stream library at start.

import { type Digest, digestOf } from '../oci/digest.ts';
import { type ContainerConfig, encodeJson, type ImageConfig, type ImageManifest } from '../oci/manifest.ts';
import { MediaType } from '../oci/media-types.ts';
import { WASM_PLATFORM } from '../oci/platform.ts';

export interface BuiltinImageSpec {
  name: string;
  config: ContainerConfig;
  description: string;
  /** A toolbox layout: the binary at /bin/<name>, each applet a symlink to it in /bin. */
  applets?: string[];
}

const wasmEntry = (name: string) => `/${name}.wasm`;

export const BUILTIN_IMAGES: Record<string, BuiltinImageSpec> = {
  'hello-world': {
    name: 'hello-world',
    description: 'prints a greeting that explains what just happened',
    config: { Entrypoint: [wasmEntry('hello-world')], WorkingDir: '/' },
  },
  friendlyhello: {
    name: 'friendlyhello',
    description: 'the Docker tutorial web app: says hello on port 80',
    config: {
      Entrypoint: [wasmEntry('friendlyhello')],
      Env: ['NAME=World'],
      ExposedPorts: { '80/tcp': {} },
      WorkingDir: '/app',
    },
  },
  'redis-lite': {
    name: 'redis-lite',
    description: 'a key-value server speaking the Redis protocol on port 6379',
    config: { Entrypoint: [wasmEntry('redis-lite')], ExposedPorts: { '6379/tcp': {} }, WorkingDir: '/data' },
  },
  berthbox: {
    name: 'berthbox',
    description: 'a toolbox: sh and core utilities',
    config: {
      Cmd: ['sh'],
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      WorkingDir: '/',
    },
    // images/berthbox/main.c's applet table.
    applets: (
      '[ basename cat chmod cp cut date dirname echo env false find grep head hostname id ln ls mkdir mv ' +
      'printenv printf pwd rm rmdir sed seq sh sleep sort tail tee test touch tr true uname uniq wc whoami xargs yes'
    ).split(' '),
  },
};

export function isBuiltinImageName(name: string): boolean {
  return Object.hasOwn(BUILTIN_IMAGES, name);
}

/** Where the .wasm of a built-in image comes from (node-builtin-images.ts reads the package). */
export interface BuiltinImageSource {
  read(name: string): Promise<Uint8Array | undefined>;
}

/** Fixed so the same .wasm always gives the same image id. */
export const BUILTIN_CREATED = '1970-01-01T00:00:00Z';

export interface BuiltImage {
  manifestDigest: Digest;
  /** manifest, config and layer, to put in the content store. */
  blobs: Uint8Array[];
}

/** /bin/<name> plus /bin/<applet> -> <name> symlinks, every header fixed. */
async function toolboxLayer(spec: BuiltinImageSpec, wasm: Uint8Array): Promise<Uint8Array> {
  const { writeTar } = await import('../../overlay/tar-write.ts');
  const fixed = { uid: 0, gid: 0, mtimeNs: 0n };
  return writeTar([
    { ...fixed, name: 'bin', type: 'dir', mode: 0o755 },
    { ...fixed, name: `bin/${spec.name}`, type: 'file', mode: 0o755, data: wasm },
    ...[...(spec.applets ?? [])].sort().map((a) => ({
      ...fixed,
      name: `bin/${a}`,
      type: 'symlink' as const,
      mode: 0o777,
      linkname: spec.name,
    })),
    { ...fixed, name: 'tmp', type: 'dir', mode: 0o1777 },
  ]);
}

export async function buildBuiltinImage(spec: BuiltinImageSpec, wasm: Uint8Array): Promise<BuiltImage> {
  const layer = spec.applets
    ? await toolboxLayer(spec, wasm)
    : await (await import('../archive/tar-io.ts')).packArchiveBytes([
        { path: `${spec.name}.wasm`, type: 'file', mode: 0o755, data: wasm },
        ...(spec.config.WorkingDir && spec.config.WorkingDir !== '/'
          ? [{ path: spec.config.WorkingDir.slice(1), type: 'directory' as const, mode: 0o755 }]
          : []),
      ]);
  const diffId = digestOf(layer);
  const config: ImageConfig = {
    created: BUILTIN_CREATED,
    architecture: WASM_PLATFORM.architecture,
    os: WASM_PLATFORM.os,
    config: { ...spec.config, Labels: { 'org.opencontainers.image.description': spec.description } },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created: BUILTIN_CREATED, created_by: `berth built-in image ${spec.name}` }],
  };
  const configBytes = encodeJson(config);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: digestOf(configBytes), size: configBytes.byteLength },
    layers: [{ mediaType: MediaType.ociLayer, digest: diffId, size: layer.byteLength }],
  };
  const manifestBytes = encodeJson(manifest);
  return { manifestDigest: digestOf(manifestBytes), blobs: [layer, configBytes, manifestBytes] };
}
