// /_ping, /version, /info: what a Docker client asks first (the docker CLI negotiates its API
// version from /_ping's API-Version header).

import * as os from 'node:os';
import pkg from '../../package.json' with { type: 'json' };
import { statusText } from '../containers/container-status-text.ts';
import { API_VERSION, type ApiContext, MIN_API_VERSION, type Route, sendJson } from './node-api-http.ts';

const arch = () => (process.arch === 'x64' ? 'amd64' : process.arch);

/** Every container, image and volume: what /info counts and /system/df sizes. */
async function inventory(ctx: ApiContext) {
  const e = ctx.engine;
  const [containers, images, volumes] = await Promise.all([e.list(true), e.images.list(), e.volumes.list()]);
  return { containers, images, volumes };
}

const ping: Route['handle'] = async (_ctx, req, res) => {
  res.writeHead(200, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Api-Version': API_VERSION,
    'Docker-Experimental': 'false',
    // The classic builder's API (POST /build): the docker CLI then builds without buildx.
    'Builder-Version': '1',
    Ostype: 'linux',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : 'OK');
};

export const systemRoutes: Route[] = [
  { method: 'GET', pattern: /^\/_ping$/, handle: ping },
  {
    method: 'GET',
    pattern: /^\/version$/,
    async handle(_ctx, _req, res) {
      const details = {
        ApiVersion: API_VERSION,
        MinAPIVersion: MIN_API_VERSION,
        Os: 'linux',
        Arch: arch(),
        KernelVersion: os.release(),
        Backend: 'wasm',
        NodeVersion: process.version,
      };
      sendJson(res, 200, {
        Platform: { Name: 'berth' },
        Components: [{ Name: 'Engine', Version: pkg.version, Details: details }],
        Version: pkg.version,
        ApiVersion: API_VERSION,
        MinAPIVersion: MIN_API_VERSION,
        GitCommit: '',
        GoVersion: process.version,
        Os: 'linux',
        Arch: arch(),
        KernelVersion: os.release(),
        BuildTime: '',
      });
    },
  },
  {
    method: 'GET',
    pattern: /^\/info$/,
    async handle(ctx, _req, res) {
      const e = ctx.engine;
      const { containers, images, volumes } = await inventory(ctx);
      const count = (s: string) => containers.filter((c) => c.State.Status === s).length;
      sendJson(res, 200, {
        ID: `berth-${os.hostname()}`,
        Containers: containers.length,
        ContainersRunning: count('running'),
        ContainersPaused: count('paused'),
        ContainersStopped: containers.length - count('running') - count('paused'),
        Images: images.length,
        Volumes: volumes.length,
        Driver: 'overlay (in-memory union)',
        DriverStatus: [],
        Plugins: { Volume: ['local'], Network: ['bridge'], Authorization: null, Log: ['json-file'] },
        MemoryLimit: true,
        SwapLimit: false,
        CpuCfsPeriod: false,
        CpuCfsQuota: false,
        IPv4Forwarding: false,
        Debug: false,
        NFd: 0,
        NGoroutines: 0,
        SystemTime: new Date().toISOString(),
        LoggingDriver: 'json-file',
        CgroupDriver: 'none',
        CgroupVersion: '',
        NEventsListener: 0,
        KernelVersion: os.release(),
        OperatingSystem: `berth (wasm sandboxes) on ${os.type()} ${os.release()}`,
        OSVersion: '',
        OSType: 'linux',
        Architecture: os.machine?.() ?? process.arch,
        IndexServerAddress: 'https://index.docker.io/v1/',
        RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: ['127.0.0.0/8'], Mirrors: [] },
        NCPU: os.cpus().length,
        MemTotal: os.totalmem(),
        DockerRootDir: e.root,
        Name: os.hostname(),
        Labels: [],
        ExperimentalBuild: false,
        ServerVersion: pkg.version,
        Runtimes: { wasm: { path: 'berth' } },
        DefaultRuntime: 'wasm',
        Swarm: { LocalNodeState: 'inactive', ControlAvailable: false, NodeID: '', NodeAddr: '' },
        LiveRestoreEnabled: false,
        Isolation: '',
        InitBinary: '',
        SecurityOptions: ['name=rootless'],
        Warnings: null,
      });
    },
  },
  {
    method: 'GET',
    pattern: /^\/system\/df$/,
    async handle(ctx, _req, res) {
      const e = ctx.engine;
      const { containers, images, volumes } = await inventory(ctx);
      const usedBy = (id: string) => containers.filter((c) => c.Image === id).length;
      const mounts = containers.flatMap((c) => c.Mounts.map((m) => m.Name));
      const now = Date.now();
      sendJson(res, 200, {
        LayersSize: images.reduce((n, i) => n + i.size, 0),
        Images: images.map((i) => ({
          Id: i.id,
          ParentId: '',
          RepoTags: i.repoTags,
          RepoDigests: i.repoDigests,
          Created: Math.floor(Date.parse(i.created ?? '1970-01-01T00:00:00Z') / 1000),
          Size: i.size,
          SharedSize: 0,
          Labels: {},
          Containers: usedBy(i.id),
        })),
        Containers: containers.map((c) => ({
          Id: c.Id,
          Names: [c.Name],
          Image: c.Config.Image,
          ImageID: c.Image,
          Command: [c.Path, ...c.Args].join(' '),
          Created: Math.floor(Date.parse(c.Created) / 1000),
          SizeRw: c.SizeRw ?? 0,
          SizeRootFs: 0,
          State: c.State.Status,
          Status: statusText(c, now),
          Labels: c.Config.Labels ?? {},
          Mounts: [],
        })),
        Volumes: await Promise.all(
          volumes.map(async (v) => ({
            ...v,
            UsageData: {
              Size: await e.volumes.size(v.Name),
              RefCount: mounts.filter((m) => m === v.Name).length,
            },
          })),
        ),
        BuildCache: [],
      });
    },
  },
];
