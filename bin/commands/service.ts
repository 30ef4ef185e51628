// `berth system service [URI]`: serves the Docker Engine API (runtime/docker-api) until stopped,
// so `DOCKER_HOST=unix://… docker run hello-world` runs on berth. Every container a client
// starts runs in the per-user engine, as `berth run -d` does; attached ones stream from it.

import { dirname, join } from 'node:path';
import { UsageError } from '../../runtime/errors.ts';
import { fs } from '../../shims/platform/node/node-fs.ts';
import { type Opts, err, launcherPath, out, str } from './context.ts';

/** $XDG_RUNTIME_DIR/berth/docker.sock, else the berth root's. */
function defaultSocket(root: string): string {
  const runtimeDir = process.env.XDG_RUNTIME_DIR;
  return runtimeDir ? join(runtimeDir, 'berth', 'docker.sock') : join(root, 'docker.sock');
}

export async function service(args: string[], o: Opts): Promise<number> {
  const time = str(o.time) ?? '0';
  if (!/^\d+$/.test(time)) throw new UsageError(`invalid value for --time: ${time}`);
  const [{ openNodeEngine }, { openNodeRegistryCommands }, { listenDockerApi }] = await Promise.all([
    import('../../runtime/engine/node-engine.ts'),
    import('../../runtime/registry/node-registry-commands.ts'),
    import('../../runtime/docker-api/node-docker-api.ts'),
  ]);
  // No pullImage: like Docker's, the API's create answers 404 for a missing image and the client
  // pulls it (POST /images/create) with its own progress output.
  const engine = openNodeEngine({ launcher: launcherPath() });
  const where = args[0] ?? `unix://${defaultSocket(engine.root)}`;
  if (!where.startsWith('tcp://'))
    fs.mkdirSync(dirname(where.replace(/^unix:\/\//, '')), { recursive: true, mode: 0o700 });
  const api = await listenDockerApi(
    {
      engine,
      registry: async () => openNodeRegistryCommands({ images: engine.images.store }),
      engineClient: async () => {
        const { EngineClient } = await import('../../runtime/engine-server/node-engine-client.ts');
        return EngineClient.connect(engine.root, { launcher: launcherPath() });
      },
    },
    where,
  );
  err(`berth: serving the Docker Engine API on ${api.address}\n`);
  out(`${api.address}\n`);
  const idleMs = Number(time) * 1000;
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (idleMs > 0) {
      // --time N: stop after N seconds without a request (podman's meaning); 0 serves forever.
      let timer = setTimeout(stop, idleMs);
      api.server.on('request', () => {
        clearTimeout(timer);
        timer = setTimeout(stop, idleMs);
      });
    }
  });
  await api.close();
  return 0;
}
