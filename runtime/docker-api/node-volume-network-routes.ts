// The Engine API's volume and network endpoints over berth's stores (runtime/volumes,
// runtime/networks): list, create, inspect, remove, prune, connect and disconnect.

import type { ApiContext } from './node-api-http.ts';
import { ApiError, queryBool, readJson, type Route, sendEmpty, sendJson } from './node-api-http.ts';
import type { NetworkRecord } from '../networks/network-store.ts';

const networks = (ctx: ApiContext) => {
  if (!ctx.engine.networks) throw new ApiError(500, 'this engine has no networks');
  return ctx.engine.networks.store;
};

/** Docker's network document (NetworkResource). */
function networkDocument(n: NetworkRecord) {
  return {
    Name: n.Name,
    Id: n.Id,
    Created: n.Created,
    Scope: n.Scope,
    Driver: n.Driver,
    EnableIPv6: false,
    IPAM: { Driver: n.IPAM.Driver, Options: null, Config: n.IPAM.Config },
    Internal: n.Internal,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: Object.fromEntries(
      Object.entries(n.Containers).map(([id, m]) => [
        id,
        { Name: m.Name, EndpointID: '', MacAddress: '', IPv4Address: m.IPv4Address, IPv6Address: '' },
      ]),
    ),
    Options: {},
    Labels: n.Labels,
  };
}

const commands = () => import('../networks/commands.ts');
const volumeCommands = () => import('../volumes/volume-commands.ts');

export const volumeNetworkRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/volumes$/,
    async handle(ctx, _req, res) {
      sendJson(res, 200, { Volumes: await ctx.engine.volumes.list(), Warnings: [] });
    },
  },
  {
    method: 'POST',
    pattern: /^\/volumes\/create$/,
    async handle(ctx, req, res) {
      const body = await readJson<{ Name?: string; Driver?: string; Labels?: Record<string, string> }>(
        req.raw,
      );
      if (body.Driver && body.Driver !== 'local')
        throw new ApiError(400, `plugin "${body.Driver}" not found`);
      sendJson(res, 201, await ctx.engine.volumes.create(body.Name || undefined, body.Labels ?? {}));
    },
  },
  {
    method: 'POST',
    pattern: /^\/volumes\/prune$/,
    async handle(ctx, _req, res) {
      const removed = await (await volumeCommands()).pruneVolumes(ctx.engine);
      sendJson(res, 200, { VolumesDeleted: removed, SpaceReclaimed: 0 });
    },
  },
  {
    method: 'GET',
    pattern: /^\/volumes\/([^/]+)$/,
    async handle(ctx, _req, res, [name]) {
      const v = await ctx.engine.volumes.get(name!);
      if (!v) throw new ApiError(404, `get ${name}: no such volume`);
      sendJson(res, 200, v);
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/volumes\/([^/]+)$/,
    async handle(ctx, req, res, [name]) {
      if (!(await ctx.engine.volumes.get(name!))) throw new ApiError(404, `get ${name}: no such volume`);
      await (await volumeCommands()).removeVolume(ctx.engine, name!, queryBool(req.query, 'force'));
      sendEmpty(res, 204);
    },
  },
  {
    method: 'GET',
    pattern: /^\/networks$/,
    async handle(ctx, _req, res) {
      const list = await (await commands()).listNetworks(networks(ctx));
      sendJson(res, 200, list.map(networkDocument));
    },
  },
  {
    method: 'POST',
    pattern: /^\/networks\/prune$/,
    async handle(ctx, _req, res) {
      sendJson(res, 200, { NetworksDeleted: await (await commands()).pruneNetworks(networks(ctx)) });
    },
  },
  {
    method: 'POST',
    pattern: /^\/networks\/create$/,
    async handle(ctx, req, res) {
      const body = await readJson<{
        Name?: string;
        Driver?: string;
        Internal?: boolean;
        Labels?: Record<string, string>;
        IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] | null } | null;
      }>(req.raw);
      if (!body.Name) throw new ApiError(400, 'network name is required');
      const ipam = body.IPAM?.Config?.[0];
      const net = await (await commands()).createNetwork(networks(ctx), body.Name, {
        ...(ipam?.Subnet ? { subnet: ipam.Subnet } : {}),
        ...(ipam?.Gateway ? { gateway: ipam.Gateway } : {}),
        ...(body.Driver ? { driver: body.Driver } : {}),
        internal: body.Internal === true,
        labels: body.Labels ?? {},
      });
      sendJson(res, 201, { Id: net.Id, Warning: '' });
    },
  },
  {
    method: 'POST',
    pattern: /^\/networks\/([^/]+)\/(connect|disconnect)$/,
    async handle(ctx, req, res, [ref, verb]) {
      const body = await readJson<{
        Container?: string;
        EndpointConfig?: { Aliases?: string[] | null } | null;
      }>(req.raw);
      if (!body.Container) throw new ApiError(400, 'container is required');
      const rec = await ctx.engine.find(body.Container);
      const c = await commands();
      if (verb === 'connect') {
        await c.connectNetwork(
          networks(ctx),
          ref!,
          { id: rec.Id, name: rec.Name },
          body.EndpointConfig?.Aliases ?? [],
        );
      } else await c.disconnectNetwork(networks(ctx), ref!, rec.Id);
      sendEmpty(res, 200);
    },
  },
  {
    method: 'GET',
    pattern: /^\/networks\/([^/]+)$/,
    async handle(ctx, _req, res, [ref]) {
      sendJson(res, 200, networkDocument(await (await commands()).inspectNetwork(networks(ctx), ref!)));
    },
  },
  {
    method: 'DELETE',
    pattern: /^\/networks\/([^/]+)$/,
    async handle(ctx, _req, res, [ref]) {
      await (await commands()).removeNetwork(networks(ctx), ref!);
      sendEmpty(res, 204);
    },
  },
];
