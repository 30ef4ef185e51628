// A Dockerfile as berth builds it: parsed with the maintained `dockerfile-ast` parser (line
// continuations, escape directive, flags, JSON forms, heredocs), then checked and cut into
// stages. Every instruction keeps its first line so any later failure can name it.

import { DockerfileParser, type Instruction as AstInstruction, type Property } from 'dockerfile-ast';
import { DockerfileError } from './build-errors.ts';

export const KEYWORDS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

export interface Heredoc {
  name: string;
  content: string;
  /** `<<"EOF"` / `<<'EOF'`: no variable expansion in the body. */
  quoted: boolean;
}

export interface KeyValue {
  name: string;
  /** undefined for `ARG NAME` without a default. */
  value: string | undefined;
}

export interface Instruction {
  /** 1-based line where the instruction starts. */
  line: number;
  keyword: string;
  /** Arguments with continuations joined and flags removed. */
  args: string;
  /** The exec form (`["a","b"]`), when the arguments are a JSON array of strings. */
  json: string[] | undefined;
  flags: Map<string, string>;
  heredocs: Heredoc[];
  /** ENV, LABEL, ARG pairs. */
  pairs: KeyValue[];
  /** The instruction as written on one line (history, progress). */
  text: string;
}

export interface Stage {
  index: number;
  name: string | undefined;
  from: Instruction;
  instructions: Instruction[];
}

export interface ParsedDockerfile {
  file: string;
  /** ARGs before the first FROM. */
  globalArgs: Instruction[];
  stages: Stage[];
  /** Notes for the user (`# syntax=` is ignored). */
  notes: string[];
}

function parseJsonForm(args: string): string[] | undefined {
  const t = args.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

function heredocsOf(inst: AstInstruction, lines: string[], raw: string): Heredoc[] {
  const getter = (inst as unknown as { getHeredocs?: () => ReturnType<never>[] }).getHeredocs;
  if (typeof getter !== 'function') return [];
  const docs = getter.call(inst) as unknown as {
    getName(): string;
    getContentRange(): { start: { line: number }; end: { line: number; character: number } } | null;
  }[];
  return docs.map((d) => {
    const name = d.getName();
    const range = d.getContentRange();
    let content = '';
    if (range) {
      const body = lines.slice(range.start.line, range.end.line + 1);
      content = `${body.join('\n')}\n`;
    }
    const dash = new RegExp(`<<-["']?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(raw);
    if (dash) content = content.replace(/^\t+/gm, '');
    const quoted = new RegExp(`<<-?["']${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']`).test(raw);
    return { name, content, quoted };
  });
}

function pairsOf(inst: AstInstruction): KeyValue[] {
  const props = (inst as unknown as { getProperties?: () => Property[] }).getProperties;
  if (typeof props !== 'function') return [];
  return props.call(inst).map((p) => ({ name: p.getName(), value: p.getValue() ?? undefined }));
}

function convert(inst: AstInstruction, lines: string[], file: string): Instruction {
  const line = inst.getRange().start.line + 1;
  const keyword = inst.getKeyword().toUpperCase();
  if (!KEYWORDS.has(keyword)) {
    throw new DockerfileError(file, line, `unknown instruction: ${inst.getInstruction()}`);
  }
  const flags = new Map<string, string>();
  const getFlags = (
    inst as unknown as { getFlags?: () => { getName(): string; getValue(): string | null }[] }
  ).getFlags;
  if (typeof getFlags === 'function') {
    for (const f of getFlags.call(inst)) flags.set(f.getName(), f.getValue() ?? '');
  }
  const raw = inst.getRawArgumentsContent() ?? '';
  let args = inst.getArgumentsContent() ?? '';
  // getArgumentsContent keeps the flags for some instructions; drop leading --flags.
  if (flags.size > 0) args = args.replace(/^(\s*--\S+)+\s*/, '');
  const heredocs = heredocsOf(inst, lines, raw);
  if (heredocs.length > 0) args = raw.split('\n')[0]!.replace(/^(\s*--\S+)+\s*/, '');
  const text = `${keyword} ${[...flags].map(([k, v]) => `--${k}=${v} `).join('')}${args}`
    .replace(/\s+/g, ' ')
    .trim();
  return {
    line,
    keyword,
    args: args.trim(),
    json: heredocs.length ? undefined : parseJsonForm(args),
    flags,
    heredocs,
    pairs: keyword === 'ENV' || keyword === 'LABEL' || keyword === 'ARG' ? pairsOf(inst) : [],
    text,
  };
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Syntax checks Docker makes while parsing, so a bad file fails before any step runs. */
function check(inst: Instruction, file: string): void {
  const fail = (reason: string) => {
    throw new DockerfileError(file, inst.line, reason);
  };
  const needsArgs = !['ARG'].includes(inst.keyword);
  if (needsArgs && inst.args === '' && inst.heredocs.length === 0)
    fail(`${inst.keyword} requires at least one argument`);
  switch (inst.keyword) {
    case 'ENV':
    case 'LABEL':
      if (inst.pairs.length === 0) fail(`${inst.keyword} requires at least one argument`);
      for (const p of inst.pairs) {
        if (p.name === '') fail(`${inst.keyword} names can not be blank`);
        if (p.value === undefined) fail(`${inst.keyword} must have two arguments`);
        if (inst.keyword === 'ENV' && /[\s=]/.test(p.name)) fail(`ENV name "${p.name}" is not valid`);
      }
      break;
    case 'ARG':
      if (inst.pairs.length !== 1 || /\s/.test(inst.args.replace(/=.*$/s, '')))
        fail('ARG requires exactly one argument');
      if (!NAME.test(inst.pairs[0]!.name)) fail(`ARG name "${inst.pairs[0]!.name}" is not valid`);
      break;
    case 'FROM': {
      const words = inst.args.split(/\s+/);
      if (words.length !== 1 && !(words.length === 3 && words[1]!.toUpperCase() === 'AS'))
        fail('FROM requires either one or three arguments');
      break;
    }
    case 'COPY':
    case 'ADD':
      if (inst.heredocs.length === 0 && (inst.json ?? inst.args.split(/\s+/)).length < 2)
        fail(
          `${inst.keyword} requires at least two arguments, but only one was provided. Destination could not be determined`,
        );
      break;
    case 'SHELL':
      if (!inst.json) fail('SHELL requires the arguments to be in JSON form');
      break;
    case 'HEALTHCHECK': {
      const sub = inst.args.split(/\s+/)[0]!.toUpperCase();
      if (sub !== 'NONE' && sub !== 'CMD') fail('HEALTHCHECK requires CMD or NONE');
      break;
    }
  }
}

export function parseDockerfile(text: string, file = 'Dockerfile'): ParsedDockerfile {
  const ast = DockerfileParser.parse(text);
  const notes: string[] = [];
  for (const d of ast.getDirectives()) {
    const name = (d.getDirective() ?? '').toLowerCase();
    if (name === 'syntax')
      notes.push(`the "# syntax=${d.getValue()}" directive is ignored: berth has its own builder`);
  }
  const lines = text.split(/\r?\n/);
  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const node of ast.getInstructions()) {
    const inst = convert(node, lines, file);
    check(inst, file);
    if (inst.keyword === 'FROM') {
      const words = inst.args.split(/\s+/);
      const name = words.length === 3 ? words[2]!.toLowerCase() : undefined;
      if (name && stages.some((s) => s.name === name))
        throw new DockerfileError(file, inst.line, `duplicate stage name "${name}"`);
      stages.push({ index: stages.length, name, from: inst, instructions: [] });
    } else if (stages.length === 0) {
      if (inst.keyword !== 'ARG')
        throw new DockerfileError(
          file,
          inst.line,
          `no build stage in current context: ${inst.keyword} comes before any FROM`,
        );
      globalArgs.push(inst);
    } else stages[stages.length - 1]!.instructions.push(inst);
  }
  if (stages.length === 0) throw new DockerfileError(file, 1, 'file with no instructions: no FROM');
  return { file, globalArgs, stages, notes };
}
