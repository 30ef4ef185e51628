// stop, kill, restart, pause, unpause, wait, rm, rename: thin loops over the engine's verbs that
// print each target as Docker does and report failures one line each.

import { UsageError } from '../../runtime/errors.ts';
import { type Opts, eachTarget, engine, str } from './context.ts';

function seconds(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n))
    throw new UsageError(
      `invalid argument "${v}" for "-t, --time" flag: strconv.ParseInt: parsing "${v}": invalid syntax`,
    );
  return n;
}

export async function stop(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const t = seconds(o.time);
  return eachTarget(args, async (ref) => {
    await e.stop(ref, t);
    return ref;
  });
}

export async function kill(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  return eachTarget(args, async (ref) => {
    await e.kill(ref, str(o.signal) ?? 'KILL');
    return ref;
  });
}

export async function restart(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const t = seconds(o.time);
  return eachTarget(args, async (ref) => {
    const rec = await e.stop(ref, t);
    const after = await e.startDetached(rec.Id);
    await e.ctx.store.save({ ...after, RestartCount: after.RestartCount + 1 });
    return ref;
  });
}

export async function pause(args: string[]): Promise<number> {
  const e = await engine();
  return eachTarget(args, async (ref) => {
    await e.pause(ref);
    return ref;
  });
}

export async function unpause(args: string[]): Promise<number> {
  const e = await engine();
  return eachTarget(args, async (ref) => {
    await e.unpause(ref);
    return ref;
  });
}

export async function wait(args: string[]): Promise<number> {
  const e = await engine();
  return eachTarget(args, async (ref) => String(await e.wait(ref)));
}

export async function rm(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  return eachTarget(args, async (ref) => {
    await e.remove(ref, o.force === true);
    return ref;
  });
}

export async function rename(args: string[]): Promise<number> {
  const e = await engine();
  await e.rename(args[0]!, args[1]!);
  return 0;
}
