// `inspect`, `container inspect`, `image inspect`: Docker's JSON shapes (fields that apply), or a
// Go template per object with -f.

import { containerInspectDocument } from '../../runtime/engine/container-inspect.ts';
import { imageInspectDocument } from '../../runtime/engine/image-inspect.ts';
import { NotFoundError } from '../../runtime/errors.ts';
import { renderInspect } from '../format/output.ts';
import { type Opts, engine, out, reportError, str } from './context.ts';

async function inspectEach(
  names: string[],
  o: Opts,
  find: (name: string) => Promise<object>,
): Promise<number> {
  const found: object[] = [];
  let code = 0;
  const errors: unknown[] = [];
  for (const n of names) {
    try {
      found.push(await find(n));
    } catch (e) {
      errors.push(e);
    }
  }
  const format = str(o.format);
  if (found.length || !format) out(renderInspect(found, format));
  for (const e of errors) code = reportError(e);
  return code;
}

export async function containerInspect(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  return inspectEach(args, o, async (n) =>
    containerInspectDocument(e.root, await e.inspect(n), o.size === true),
  );
}

export async function imageInspect(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  return inspectEach(args, o, async (n) => {
    const img = await e.images.resolve(n);
    if (!img) throw new NotFoundError(`No such image: ${n}`);
    return imageInspectDocument(img);
  });
}

export async function inspect(args: string[], o: Opts): Promise<number> {
  const e = await engine();
  const type = str(o.type);
  return inspectEach(args, o, async (n) => {
    if (!type || type === 'container') {
      const rec = await e
        .inspect(n)
        .catch((err) => (err instanceof NotFoundError ? undefined : Promise.reject(err)));
      if (rec) return containerInspectDocument(e.root, rec, o.size === true);
    }
    if (!type || type === 'image') {
      const img = await e.images.resolve(n);
      if (img) return imageInspectDocument(img);
    }
    if (!type || type === 'volume') {
      const v = await e.volumes.get(n);
      if (v) return v;
    }
    throw new NotFoundError(`No such object: ${n}`);
  });
}
