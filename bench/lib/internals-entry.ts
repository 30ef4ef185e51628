// The overlay internals benchmarks use directly (the package root does not export them).
export { Layer } from '../../overlay/layer.ts';
export { UnionFs } from '../../overlay/union-fs.ts';
export { UpperLayer } from '../../overlay/upper-layer.ts';
export { writeTar } from '../../overlay/tar-write.ts';
export { NodeContainerStore } from '../../runtime/containers/node-container-store.ts';
