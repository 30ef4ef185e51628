// The instructions of one stage, after its FROM: metadata ones change the config (cached like
// every step so an unchanged rebuild keeps the image ID), WORKDIR/COPY/ADD/RUN also add layers.

import type { Vfs } from '../../overlay/vfs.ts';
import { diffTar } from '../../overlay/diff.ts';
import { BuildError, DockerfileError } from './build-errors.ts';
import type { BuildSession } from './build-session.ts';
import { runStep, type StageState } from './build-step.ts';
import { applyCopy, archiveItems, CopyApplyError, mkdirAll } from './copy-apply.ts';
import { type CopySource, CopySourceError, resolveSources, sourcesDigest } from './copy-sources.ts';
import type { Instruction } from './dockerfile.ts';
import { expandValue, expandWords, SubstitutionError, type Vars } from './expand.ts';
import { executeRun, runArgv, shellOf } from './run-instruction.ts';

/** Where COPY --from and the context come from. */
export interface CopyOrigins {
  context: Vfs;
  /** A stage (by name or index) or an image: its root filesystem. */
  from(ref: string, inst: Instruction): Promise<Vfs>;
}

export interface StageRun {
  session: BuildSession;
  state: StageState;
  file: string;
  esc: string;
  buildArgs: ReadonlyMap<string, string>;
  usedArgs: Set<string>;
  origins: CopyOrigins;
  /** `[name 2/5] ` prefix maker for vertices. */
  label(inst: Instruction): string;
}

export function varsOf(state: StageState): Vars {
  const vars = new Map(state.args);
  for (const e of state.config.config?.Env ?? []) {
    const i = e.indexOf('=');
    vars.set(i < 0 ? e : e.slice(0, i), i < 0 ? '' : e.slice(i + 1));
  }
  return vars;
}

function setEnv(env: string[] | undefined, name: string, value: string): string[] {
  const out = (env ?? []).filter((e) => e.slice(0, e.indexOf('=') < 0 ? e.length : e.indexOf('=')) !== name);
  out.push(`${name}=${value}`);
  return out;
}

const absolute = (path: string, cwd: string) =>
  path.startsWith('/') ? path : `${cwd.replace(/\/$/, '')}/${path}`;

function normalizePath(path: string): string {
  const out: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return `/${out.join('/')}`;
}

const DURATION = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/;
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

function parseDuration(v: string): number | undefined {
  let total = 0;
  let rest = v;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_NS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return DURATION.test(v) || total > 0 ? Math.round(total) : undefined;
}

function parseOwner(spec: string): { uid: number; gid: number } | undefined {
  const [u, g] = spec.split(':');
  const id = (s: string | undefined) =>
    s === undefined ? undefined : s === 'root' ? 0 : /^\d+$/.test(s) ? Number(s) : Number.NaN;
  const uid = id(u);
  const gid = id(g) ?? uid;
  if (uid === undefined || Number.isNaN(uid) || gid === undefined || Number.isNaN(gid)) return undefined;
  return { uid, gid };
}

export async function runInstruction(run: StageRun, inst: Instruction): Promise<void> {
  const { state, file, esc } = run;
  const fail = (reason: string, cause?: unknown): never => {
    throw new DockerfileError(file, inst.line, reason, { cause });
  };
  try {
    await dispatch(run, inst, fail);
  } catch (e) {
    if (e instanceof DockerfileError) throw e;
    if (e instanceof SubstitutionError || e instanceof CopySourceError || e instanceof CopyApplyError)
      fail(`${inst.keyword} failed: ${e.message}`, e);
    if (e instanceof BuildError) fail(e.message, e);
    throw e;
  }
  void state;
  void esc;
}

async function dispatch(run: StageRun, inst: Instruction, fail: (reason: string) => never): Promise<void> {
  const { state, session, esc } = run;
  const vars = varsOf(state);
  const words = () => expandWords(inst.args, vars, esc);
  const meta = (createdBy: string, apply: NonNullable<Parameters<typeof runStep>[2]['apply']>) =>
    runStep(session, state, { createdBy, apply });
  switch (inst.keyword) {
    case 'ARG': {
      const { name, value } = inst.pairs[0]!;
      const given = run.buildArgs.get(name);
      if (given !== undefined) run.usedArgs.add(name);
      const resolved = given ?? (value === undefined ? undefined : expandValue(value, vars, esc));
      if (resolved !== undefined) state.args.set(name, resolved);
      else state.args.delete(name);
      return meta(resolved === undefined ? `ARG ${name}` : `ARG ${name}=${resolved}`, () => {});
    }
    case 'ENV': {
      const pairs = inst.pairs.map((p) => [p.name, expandValue(p.value ?? '', vars, esc)] as const);
      return meta(`ENV ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`, (c) => {
        for (const [k, v] of pairs) c.Env = setEnv(c.Env, k, v);
      });
    }
    case 'LABEL': {
      const pairs = inst.pairs.map(
        (p) => [expandValue(p.name, vars, esc), expandValue(p.value ?? '', vars, esc)] as const,
      );
      return meta(`LABEL ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`, (c) => {
        c.Labels = { ...(c.Labels ?? {}) };
        for (const [k, v] of pairs) c.Labels[k] = v;
      });
    }
    case 'MAINTAINER': {
      const who = inst.args;
      return meta(`MAINTAINER ${who}`, (_c, image) => {
        image.author = who;
      });
    }
    case 'EXPOSE': {
      const ports = words().map((w) => {
        const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(w);
        if (!m || Number(m[1]) > 65535 || (m[2] !== undefined && Number(m[2]) > 65535))
          fail(`EXPOSE failed: invalid containerPort: ${w}`);
        return `${m![1]}${m![2] ? `-${m![2]}` : ''}/${(m![3] ?? 'tcp').toLowerCase()}`;
      });
      return meta(`EXPOSE ${ports.join(' ')}`, (c) => {
        c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
        for (const p of ports) c.ExposedPorts[p] = {};
      });
    }
    case 'CMD':
    case 'ENTRYPOINT': {
      const argv = inst.json ?? [...shellOf(state), inst.args];
      const isCmd = inst.keyword === 'CMD';
      const resetCmd = !isCmd && !state.cmdSet;
      if (isCmd) state.cmdSet = true;
      return meta(`${inst.keyword} ${JSON.stringify(argv)}`, (c) => {
        if (isCmd) c.Cmd = argv;
        else {
          c.Entrypoint = argv;
          if (resetCmd) c.Cmd = null;
        }
      });
    }
    case 'USER': {
      const user = words()[0] ?? fail('USER requires at least one argument');
      return meta(`USER ${user}`, (c) => {
        c.User = user;
      });
    }
    case 'VOLUME': {
      const paths = inst.json ?? words();
      if (paths.length === 0 || paths.some((p) => p.trim() === ''))
        fail('VOLUME specified can not be an empty string');
      return meta(`VOLUME ${JSON.stringify(paths)}`, (c) => {
        c.Volumes = { ...(c.Volumes ?? {}) };
        for (const p of paths) c.Volumes[p] = {};
      });
    }
    case 'STOPSIGNAL': {
      const sig = words()[0] ?? '';
      if (!/^(SIG)?[A-Z0-9+-]+$/i.test(sig)) fail(`STOPSIGNAL failed: invalid signal: ${sig}`);
      return meta(`STOPSIGNAL ${sig}`, (c) => {
        c.StopSignal = sig;
      });
    }
    case 'SHELL': {
      const shell = inst.json!;
      return meta(`SHELL ${JSON.stringify(shell)}`, (c) => {
        c.Shell = shell;
      });
    }
    case 'HEALTHCHECK': {
      const [sub] = inst.args.split(/\s+/);
      if (sub!.toUpperCase() === 'NONE')
        return meta('HEALTHCHECK NONE', (c) => void (c.Healthcheck = { Test: ['NONE'] }));
      const rest = inst.args.slice(sub!.length).trim();
      const json = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : undefined;
      const test = json ? ['CMD', ...json] : ['CMD-SHELL', rest];
      const hc: NonNullable<NonNullable<StageState['config']['config']>['Healthcheck']> &
        Record<string, unknown> = {
        Test: test,
      };
      for (const [flag, field] of [
        ['interval', 'Interval'],
        ['timeout', 'Timeout'],
        ['start-period', 'StartPeriod'],
        ['start-interval', 'StartInterval'],
      ] as const) {
        const v = inst.flags.get(flag);
        if (v === undefined) continue;
        const ns = parseDuration(v);
        if (ns === undefined) fail(`HEALTHCHECK failed: invalid duration for --${flag}: ${v}`);
        hc[field] = ns;
      }
      const retries = inst.flags.get('retries');
      if (retries !== undefined) {
        if (!/^\d+$/.test(retries)) fail(`HEALTHCHECK failed: invalid --retries: ${retries}`);
        hc.Retries = Number(retries);
      }
      return meta(`HEALTHCHECK ${JSON.stringify(hc)}`, (c) => {
        c.Healthcheck = hc;
      });
    }
    case 'ONBUILD': {
      const trigger = inst.args.trim();
      const kw = trigger.split(/\s+/)[0]!.toUpperCase();
      if (kw === 'ONBUILD') fail("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (kw === 'FROM' || kw === 'MAINTAINER') fail(`${kw} isn't allowed as an ONBUILD trigger`);
      return meta(`ONBUILD ${trigger}`, (c) => {
        c.OnBuild = [...(c.OnBuild ?? []), trigger];
      });
    }
    case 'WORKDIR': {
      const dir = normalizePath(
        absolute(
          words()[0] ?? fail('WORKDIR requires exactly one argument'),
          state.config.config?.WorkingDir || '/',
        ),
      );
      return runStep(session, state, {
        createdBy: `WORKDIR ${dir}`,
        vertex: `${run.label(inst)}WORKDIR ${dir}`,
        apply: (c) => {
          c.WorkingDir = dir;
        },
        files: async () => {
          const fs = await session.openFs(state.layers);
          const st = fs.vfs.stat(dir, true);
          if (!('code' in st)) return undefined;
          mkdirAll(fs.vfs, dir);
          return diffTar(fs.union);
        },
      });
    }
    case 'RUN': {
      const argv = runArgv(inst, shellOf(state));
      const argsPrefix = state.args.size
        ? `|${state.args.size} ${[...state.args].map(([k, v]) => `${k}=${v}`).join(' ')} `
        : '';
      return runStep(session, state, {
        createdBy: `RUN ${argsPrefix}${argv.join(' ')}`,
        vertex: `${run.label(inst)}${inst.text}`,
        files: (id) => executeRun(session, state, inst, run.file, argv, id),
      });
    }
    case 'COPY':
    case 'ADD':
      return copyInstruction(run, inst, vars, fail);
    default:
      fail(`unknown instruction: ${inst.keyword}`);
  }
}

async function copyInstruction(
  run: StageRun,
  inst: Instruction,
  vars: Vars,
  fail: (reason: string) => never,
): Promise<void> {
  const { state, session, esc } = run;
  const isAdd = inst.keyword === 'ADD';
  const fromRef = inst.flags.get('from');
  let list: string[];
  const sources: CopySource[] = [];
  if (inst.heredocs.length > 0) {
    list = expandWords(inst.args.replace(/<<-?(["']?)[A-Za-z0-9_]+\1/g, ''), vars, esc);
    for (const h of inst.heredocs) {
      const content = h.quoted ? h.content : expandValue(h.content, vars, esc);
      sources.push({
        pattern: `<<${h.name}`,
        matches: [
          {
            path: h.name,
            isDir: false,
            items: [
              {
                rel: h.name,
                type: 'file',
                mode: 0o644,
                mtimeNs: 0n,
                data: new TextEncoder().encode(content),
              },
            ],
          },
        ],
      });
    }
  } else list = inst.json ?? expandWords(inst.args, vars, esc);
  const dest = list.pop();
  if (dest === undefined || (list.length === 0 && sources.length === 0))
    fail(`${inst.keyword} requires at least two arguments`);
  if (isAdd && list.some((s) => /^[a-z]+:\/\//i.test(s)))
    fail('ADD from a URL is not supported by berth yet');
  if (isAdd && list.some((s) => /^git@/.test(s))) fail('ADD from git is not supported by berth yet');
  const root =
    fromRef !== undefined
      ? await run.origins.from(expandValue(fromRef, vars, esc), inst)
      : run.origins.context;
  const where = fromRef !== undefined ? `stage or image "${fromRef}"` : 'build context';
  sources.push(...resolveSources(root, list, where));
  if (isAdd && fromRef === undefined) {
    for (const s of sources)
      for (const m of s.matches) {
        const it = m.items[0];
        if (m.isDir || !it?.data) continue;
        const extracted = await archiveItems(it.data);
        if (extracted) {
          m.isDir = true;
          m.items = extracted;
        }
      }
  }
  const chown = inst.flags.get('chown');
  const chmod = inst.flags.get('chmod');
  const owner = chown !== undefined ? parseOwner(expandValue(chown, vars, esc)) : undefined;
  if (chown !== undefined && !owner)
    fail(`${inst.keyword} failed: unable to convert uid/gid chown string to host mapping: ${chown}`);
  if (chmod !== undefined && !/^[0-7]{3,4}$/.test(chmod))
    fail(`${inst.keyword} failed: invalid --chmod: ${chmod}`);
  const target = absolute(dest!, state.config.config?.WorkingDir || '/');
  const destPath =
    dest!.endsWith('/') && target !== '/' ? `${normalizePath(target)}/` : normalizePath(target);
  await runStep(session, state, {
    createdBy: `${inst.keyword} ${[...inst.flags].map(([k, v]) => `--${k}=${v} `).join('')}${[...sources.map((s) => s.pattern)].join(' ')} ${destPath}`,
    inputs: sourcesDigest(sources),
    vertex: `${run.label(inst)}${inst.text}`,
    files: async () => {
      const fs = await session.openFs(state.layers);
      applyCopy(fs.vfs, sources, destPath, {
        ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
        ...(chmod ? { mode: Number.parseInt(chmod, 8) } : {}),
      });
      return diffTar(fs.union);
    },
  });
}
