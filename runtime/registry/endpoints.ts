// Where a registry is reached: its base URL (https, or http for insecure registries and loopback),
// and for docker.io the configured mirrors first, then the origin — as Docker does.

import type { BerthConfig } from '../config/berth-config.ts';
import { isInsecureRegistry } from '../config/berth-config.ts';

export const DOCKER_HUB = 'docker.io';
export const DOCKER_HUB_ORIGIN = 'https://registry-1.docker.io';

export interface RegistryEndpoint {
  /** `scheme://host[:port]`, no trailing slash. */
  readonly baseUrl: string;
  /** The registry as named in references (`docker.io`, `127.0.0.1:5000`): messages and credentials. */
  readonly registry: string;
  /** A pull-through mirror: may lack an image, must never be trusted beyond digests. */
  readonly mirror: boolean;
}

export interface EndpointOptions {
  /** Docker Hub's origin; a test points it at a local registry. */
  readonly dockerHubOrigin?: string;
}

export function isDockerHub(registry: string): boolean {
  return registry === DOCKER_HUB || registry === 'index.docker.io' || registry === 'registry-1.docker.io';
}

/** The origin endpoint of `registry` (no mirrors): the one pushes, logins and deletes go to. */
export function originEndpoint(
  registry: string,
  config: BerthConfig,
  opts: EndpointOptions = {},
): RegistryEndpoint {
  if (isDockerHub(registry)) {
    return { baseUrl: opts.dockerHubOrigin ?? DOCKER_HUB_ORIGIN, registry: DOCKER_HUB, mirror: false };
  }
  const scheme = isInsecureRegistry(registry, config) ? 'http' : 'https';
  return { baseUrl: `${scheme}://${registry}`, registry, mirror: false };
}

/** Endpoints to pull from, in order: mirrors (docker.io only), then the origin. */
export function pullEndpoints(
  registry: string,
  config: BerthConfig,
  opts: EndpointOptions = {},
): RegistryEndpoint[] {
  const origin = originEndpoint(registry, config, opts);
  if (!isDockerHub(registry)) return [origin];
  const mirrors = config.registryMirrors.map((m) => ({ baseUrl: m, registry: DOCKER_HUB, mirror: true }));
  return [...mirrors, origin];
}
