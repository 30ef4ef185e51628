// version, info, system df / prune, container prune.

import * as os from 'node:os';
import pkg from '../../package.json' with { type: 'json' };
import { renderInspect, renderList } from '../format/output.ts';
import { humanSize } from '../format/units.ts';
import { type Opts, engine, out, str } from './context.ts';

const berthVersion = pkg.version;
const arch = () => (process.arch === 'x64' ? 'amd64' : process.arch);

export async function version(_args: string[], o: Opts): Promise<number> {
  const info = {
    Client: {
      Version: berthVersion,
      ApiVersion: '1.43',
      NodeVersion: process.version,
      Os: process.platform,
      Arch: arch(),
      Context: 'default',
    },
    Server: {
      Engine: { Version: berthVersion, Backend: 'wasm', Mode: 'in-process (daemonless)' },
      Components: [{ Name: 'berth', Version: berthVersion }],
    },
  };
  if (str(o.format)) {
    out(renderInspect([info], str(o.format)));
    return 0;
  }
  out(
    `Client:\n Version:           ${berthVersion}\n API version:       1.43\n Node version:      ${process.version}\n` +
      ` OS/Arch:           ${process.platform}/${arch()}\n Context:           default\n\n` +
      `Server: berth (in-process, no daemon)\n Engine:\n  Version:          ${berthVersion}\n` +
      `  Backends:         wasm (default)\n  OS/Arch:          ${process.platform}/${arch()}\n`,
  );
  return 0;
}

export async function info(_args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const containers = await e.list(true);
  const images = await e.images.list();
  const count = (s: string) => containers.filter((c) => c.State.Status === s).length;
  const data = {
    Containers: containers.length,
    ContainersRunning: count('running'),
    ContainersPaused: count('paused'),
    ContainersStopped: containers.length - count('running') - count('paused'),
    Images: images.length,
    Volumes: (await e.volumes.list()).length,
    Driver: 'overlay (in-memory union)',
    Backends: ['wasm'],
    DefaultRuntime: 'wasm',
    Engine: 'in-process (daemonless, rootless)',
    KernelVersion: os.release(),
    OperatingSystem: `${os.type()} ${os.release()}`,
    OSType: process.platform,
    Architecture: os.machine?.() ?? process.arch,
    NCPU: os.cpus().length,
    MemTotal: os.totalmem(),
    Name: os.hostname(),
    BerthRootDir: e.root,
    ServerVersion: berthVersion,
    ...(await registryInfo()),
  };
  if (str(o.format)) {
    out(renderInspect([data], str(o.format)));
    return 0;
  }
  out(
    `Client:\n Version:    ${berthVersion}\n Context:    default\n\nServer:\n` +
      ` Containers: ${data.Containers}\n  Running: ${data.ContainersRunning}\n  Paused: ${data.ContainersPaused}\n  Stopped: ${data.ContainersStopped}\n` +
      ` Images: ${data.Images}\n Volumes: ${data.Volumes}\n Server Version: ${berthVersion}\n Storage Driver: ${data.Driver}\n` +
      ` Backends: wasm (default)\n Default Runtime: wasm\n Engine: ${data.Engine}\n Kernel Version: ${data.KernelVersion}\n` +
      ` Operating System: ${data.OperatingSystem}\n OSType: ${data.OSType}\n Architecture: ${data.Architecture}\n CPUs: ${data.NCPU}\n` +
      ` Total Memory: ${(data.MemTotal / 1024 ** 3).toFixed(2)}GiB\n Name: ${data.Name}\n Berth Root Dir: ${data.BerthRootDir}\n` +
      registryInfoText(data),
  );
  return 0;
}

/** Docker's registry and proxy fields of `info`, from berth's config file and environment. */
async function registryInfo() {
  const { loadBerthConfig } = await import('../../runtime/config/node-config-file.ts');
  const { proxyEnvironment } = await import('../../runtime/config/berth-config.ts');
  const config = await loadBerthConfig();
  const env = proxyEnvironment(config, process.env);
  const pick = (name: string) => env[name] || env[name.toLowerCase()] || '';
  return {
    HttpProxy: pick('HTTP_PROXY'),
    HttpsProxy: pick('HTTPS_PROXY'),
    NoProxy: pick('NO_PROXY'),
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: {
      Mirrors: [...config.registryMirrors].map((m) => `${m}/`),
      InsecureRegistryCIDRs: ['127.0.0.0/8', '::1/128'],
      InsecureRegistries: [...config.insecureRegistries],
    },
  };
}

function registryInfoText(d: Awaited<ReturnType<typeof registryInfo>>): string {
  const section = (title: string, items: string[]) =>
    items.length ? ` ${title}:\n${items.map((i) => `  ${i}\n`).join('')}` : '';
  return (
    (d.HttpProxy ? ` HTTP Proxy: ${d.HttpProxy}\n` : '') +
    (d.HttpsProxy ? ` HTTPS Proxy: ${d.HttpsProxy}\n` : '') +
    (d.NoProxy ? ` No Proxy: ${d.NoProxy}\n` : '') +
    ` Registry: ${d.IndexServerAddress}\n` +
    section('Insecure Registries', [
      ...d.RegistryConfig.InsecureRegistries,
      ...d.RegistryConfig.InsecureRegistryCIDRs,
    ]) +
    section('Registry Mirrors', d.RegistryConfig.Mirrors)
  );
}

export async function df(_args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const containers = await e.list(true);
  const images = await e.images.list();
  const used = new Set(containers.map((c) => c.Image));
  const imageSize = images.reduce((n, i) => n + i.size, 0);
  const unusedImages = images.filter((i) => !used.has(i.id)).reduce((n, i) => n + i.size, 0);
  const ctrSize = containers.reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const stoppedSize = containers.filter((c) => !c.State.Running).reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const volumes = await e.volumes.list();
  const usedVolumes = new Set(containers.flatMap((c) => c.Mounts.map((m) => m.Name)));
  let volSize = 0;
  let volReclaim = 0;
  for (const v of volumes) {
    const s = await e.volumes.size(v.Name);
    volSize += s;
    if (!usedVolumes.has(v.Name)) volReclaim += s;
  }
  const pct = (part: number, whole: number) => (whole ? ` (${Math.round((part / whole) * 100)}%)` : '');
  const rows = [
    {
      Type: 'Images',
      TotalCount: String(images.length),
      Active: String(images.filter((i) => used.has(i.id)).length),
      Size: humanSize(imageSize),
      Reclaimable: `${humanSize(unusedImages)}${pct(unusedImages, imageSize)}`,
    },
    {
      Type: 'Containers',
      TotalCount: String(containers.length),
      Active: String(containers.filter((c) => c.State.Running).length),
      Size: humanSize(ctrSize),
      Reclaimable: `${humanSize(stoppedSize)}${pct(stoppedSize, ctrSize)}`,
    },
    {
      Type: 'Local Volumes',
      TotalCount: String(volumes.length),
      Active: String(volumes.filter((v) => usedVolumes.has(v.Name)).length),
      Size: humanSize(volSize),
      Reclaimable: `${humanSize(volReclaim)}${pct(volReclaim, volSize)}`,
    },
    { Type: 'Build Cache', TotalCount: '0', Active: '0', Size: '0B', Reclaimable: '0B' },
  ];
  out(
    renderList(rows, {
      format: str(o.format),
      quietField: 'Type',
      defaultTable: 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
      headers: {
        Type: 'TYPE',
        TotalCount: 'TOTAL',
        Active: 'ACTIVE',
        Size: 'SIZE',
        Reclaimable: 'RECLAIMABLE',
      },
    }),
  );
  return 0;
}

export async function confirm(warning: string, force: boolean): Promise<boolean> {
  if (force) return true;
  process.stdout.write(`${warning}\nAre you sure you want to continue? [y/N] `);
  const line = await new Promise<string>((resolve) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (c) => {
      text += c;
      if (text.includes('\n')) resolve(text);
    });
    process.stdin.on('end', () => resolve(text));
  });
  process.stdin.pause();
  return /^y(es)?$/i.test(line.trim());
}

export async function containerPrune(_args: string[], o: Opts): Promise<number> {
  if (!(await confirm('WARNING! This will remove all stopped containers.', o.force === true))) return 0;
  const e = await engine();
  const removed: string[] = [];
  let reclaimed = 0;
  for (const c of await e.list(true)) {
    if (c.State.Running) continue;
    await e.remove(c.Id);
    removed.push(c.Id);
    reclaimed += c.SizeRw ?? 0;
  }
  if (removed.length) out(`Deleted Containers:\n${removed.join('\n')}\n\n`);
  total(o, reclaimed);
  return 0;
}

/**
 * The "Total reclaimed space" line of a prune. Inside `system prune` (o.reclaimed set) the bytes
 * are added up instead, for the one line Docker prints at its end.
 */
export function total(o: Opts, bytes: number): void {
  const sum = o.reclaimed as { bytes: number } | undefined;
  if (sum) sum.bytes += bytes;
  else out(`Total reclaimed space: ${humanSize(bytes)}\n`);
}

export async function prune(_args: string[], o: Opts): Promise<number> {
  const warning =
    'WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n' +
    (o.volumes ? '  - all anonymous volumes not used by at least one container\n' : '') +
    (o.all
      ? '  - all images without at least one container associated to them\n'
      : '  - all dangling images\n') +
    '  - unused build cache\n';
  if (!(await confirm(warning, o.force === true))) return 0;
  const reclaimed = { bytes: 0 };
  const each = { force: true, reclaimed };
  await containerPrune([], each);
  const { prune: networkPrune } = await import('./network.ts');
  await networkPrune([], each);
  if (o.volumes) {
    const { prune: volumePrune } = await import('./volumes.ts');
    await volumePrune([], each);
  }
  const { prune: imagePrune } = await import('./images.ts');
  await imagePrune([], { ...each, all: o.all === true });
  await builderPrune([], each);
  out(`Total reclaimed space: ${humanSize(reclaimed.bytes)}\n`);
  return 0;
}

/** `builder prune [-f]`: the build cache (every cached step and the layers it kept). */
export async function builderPrune(_args: string[], o: Opts): Promise<number> {
  if (!(await confirm('WARNING! This will remove all dangling build cache.', o.force === true))) return 0;
  const e = await engine();
  const { NodeBuildCache } = await import('../../runtime/builder/node-build-cache.ts');
  const { keys, bytes } = await new NodeBuildCache(e.root).prune();
  if (keys.length) out(`Deleted build cache objects:\n${keys.join('\n')}\n\n`);
  total(o, bytes);
  return 0;
}
