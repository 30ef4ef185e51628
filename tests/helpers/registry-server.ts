// The real Debian `docker-registry` on 127.0.0.1 for tests: one implementation, shared with the
// benchmarks, in bench/lib/registry-server.js.
export {
  freePort,
  type RegistryServer,
  type RegistryServerOptions,
  startRegistry,
} from '../../bench/lib/registry-server.js';
