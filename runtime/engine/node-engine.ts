// An Engine over the Node stores under one berth root ($BERTH_ROOT, $XDG_DATA_HOME/berth or
// ~/.local/share/berth): what the CLI and test harnesses open.

import type { ImagePuller } from '../containers/container-create.ts';
import { NodeContainerStore } from '../containers/node-container-store.ts';
import { berthRoot } from '../content/node-store-root.ts';
import { Engine } from '../engine.ts';
import { openNodeImageStore } from '../images/node-image-store.ts';
import { NodeLayerCache } from '../images/node-layer-cache.ts';
import { NodeVolumeStore } from '../volumes/node-volume-store.ts';
import { EngineNetworks } from '../networks/engine-networks.ts';
import { NodeHostTcp } from '../networks/node-host-tcp.ts';
import { NodeNetworkStore } from '../networks/node-network-store.ts';
import { EngineImages } from './engine-images.ts';
import { NodeHost } from './node-host.ts';
import type { ProcessLauncher } from './process-launcher.ts';
import { wasmLauncher } from './wasm-launcher.ts';
import { createInlineLauncher } from './inline-launcher.ts';
import { urandomFill } from '../../shims/platform/node/urandom.ts';
import { NodeRewrittenModules } from './node-rewritten-modules.ts';
import { useRandomSource } from '../containers/container-names.ts';
import { createInlinePlatform } from '../../shims/platform/node/inline-platform.ts';

export interface NodeEngineOptions {
  root?: string;
  /** bin/berth.cjs, so `start` / `run -d` can spawn background hosts. */
  launcher?: string;
  launch?: ProcessLauncher;
  /** Let foreground runs that ask for it (StartIo.inline) run on this thread (the CLI). */
  inline?: boolean;
  /** How `create` fetches a missing image (the CLI passes its registry client). */
  pullImage?: ImagePuller;
}

export function openNodeEngine(options: NodeEngineOptions = {}): Engine {
  useRandomSource(urandomFill);
  const root = options.root ?? berthRoot();
  return new Engine({
    root,
    store: new NodeContainerStore(root),
    host: new NodeHost(options.launcher, root),
    images: new EngineImages(openNodeImageStore(root), new NodeLayerCache(root)),
    volumes: new NodeVolumeStore(root),
    launch: options.launch ?? wasmLauncher,
    ...(options.inline
      ? { inline: createInlineLauncher(createInlinePlatform(), new NodeRewrittenModules(root)) }
      : {}),
    networks: new EngineNetworks(new NodeNetworkStore(root), new NodeHostTcp()),
    ...(options.pullImage ? { pullImage: options.pullImage } : {}),
  });
}
