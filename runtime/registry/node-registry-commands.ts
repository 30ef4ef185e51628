// The registry commands wired for Node: berth's config file, credentials on disk (plus Docker's),
// the image store under the berth root, and undici with proxy support.
import { proxyEnvironment } from '../config/berth-config.ts';
import { loadBerthConfigSync } from '../config/node-config-file.ts';
import type { Env } from '../config/node-config-paths.ts';
import { NodeCredentialStore } from '../config/node-credential-store.ts';
import { nodeDigestOf } from '../content/node-sha256.ts';
import { berthRoot } from '../content/node-store-root.ts';
import type { ImageStore } from '../images/image-store.ts';
import { openNodeImageStore } from '../images/node-image-store.ts';
import { RegistryCommands } from './commands.ts';
import { createNodeFetcher } from './node-transport.ts';
import { RegistryContext } from './registry-context.ts';

export interface NodeRegistryOptions {
  readonly env?: Env;
  /** An image store already open in this process (the CLI's). */
  readonly images?: ImageStore;
}

export async function openNodeRegistryCommands(opts: NodeRegistryOptions = {}): Promise<RegistryCommands> {
  const env = opts.env ?? process.env;
  const credentials = new NodeCredentialStore(env);
  const config = loadBerthConfigSync(env);
  const context = new RegistryContext({
    fetcher: createNodeFetcher({ env: proxyEnvironment(config, env) }),
    config,
    credentials,
    digestOf: nodeDigestOf,
    // Tests point Docker Hub at a closed loopback port so nothing ever leaves the machine.
    ...(env.BERTH_DOCKER_HUB_ORIGIN ? { dockerHubOrigin: env.BERTH_DOCKER_HUB_ORIGIN } : {}),
  });
  const images = opts.images ?? openNodeImageStore(berthRoot(env as NodeJS.ProcessEnv));
  return new RegistryCommands(context, images, credentials);
}
