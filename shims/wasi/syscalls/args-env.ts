// args_get, args_sizes_get, environ_get, environ_sizes_get.

import type { StringBlock, WasiContext } from '../context.ts';
import { ERRNO_FAULT, ERRNO_SUCCESS } from '../defs.ts';

const sizes = (ctx: WasiContext, block: StringBlock, countPtr: number, sizePtr: number): number => {
  const mem = ctx.mem;
  mem.refresh();
  countPtr >>>= 0;
  sizePtr >>>= 0;
  if (!mem.ok(countPtr, 4) || !mem.ok(sizePtr, 4)) return ERRNO_FAULT;
  mem.setU32(countPtr, block.offsets.length);
  mem.setU32(sizePtr, block.bytes.length);
  return ERRNO_SUCCESS;
};

const get = (ctx: WasiContext, block: StringBlock, ptrsPtr: number, bufPtr: number): number => {
  const mem = ctx.mem;
  mem.refresh();
  ptrsPtr >>>= 0;
  bufPtr >>>= 0;
  const n = block.offsets.length;
  if (!mem.ok(ptrsPtr, n * 4) || !mem.ok(bufPtr, block.bytes.length)) return ERRNO_FAULT;
  for (let i = 0; i < n; i++) mem.setU32(ptrsPtr + i * 4, bufPtr + block.offsets[i]!);
  mem.u8.set(block.bytes, bufPtr);
  return ERRNO_SUCCESS;
};

export const argsEnvSyscalls = (ctx: WasiContext) => ({
  args_sizes_get: (argcPtr: number, sizePtr: number): number => sizes(ctx, ctx.args, argcPtr, sizePtr),
  args_get: (argvPtr: number, bufPtr: number): number => get(ctx, ctx.args, argvPtr, bufPtr),
  environ_sizes_get: (countPtr: number, sizePtr: number): number => sizes(ctx, ctx.env, countPtr, sizePtr),
  environ_get: (environPtr: number, bufPtr: number): number => get(ctx, ctx.env, environPtr, bufPtr),
});
