// Yosys (the Verilog synthesis suite, a large C++ program) from @yowasp/yosys: its core module is
// a plain wasi_snapshot_preview1 command. Under berth it reads Verilog and a script from a
// mounted dir and writes JSON, Verilog and a report exactly as under node:wasi.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeProcessPool } from '../../runtime/index.ts';
import { type CommandSpec, runBoth } from './run-both.ts';

const require = createRequire(import.meta.url);
// The package exports only its JS bundle (gen/bundle.js); the core module sits beside it.
const yosysDir = dirname(require.resolve('@yowasp/yosys'));
const yosys = new WebAssembly.Module(readFileSync(join(yosysDir, 'yosys.core.wasm')));

const counter = `module counter(input clk, input rst, input en, output reg [3:0] q, output wrap);
  assign wrap = &q;
  always @(posedge clk)
    if (rst) q <= 4'd0;
    else if (en) q <= q + 4'd1;
endmodule
`;

describe('yosys.core.wasm (@yowasp/yosys)', () => {
  const work = mkdtempSync(join(tmpdir(), 'berth-yosys-'));
  writeFileSync(join(work, 'counter.v'), counter);
  writeFileSync(
    join(work, 'flow.ys'),
    [
      'read_verilog /work/counter.v',
      'hierarchy -top counter',
      'proc; opt; memory; opt',
      'tee -q -o /work/stat.txt stat',
      'write_json /work/counter.json',
      'write_verilog -noattr /work/counter.out.v',
      '',
    ].join('\n'),
  );
  afterAll(async () => {
    rmSync(work, { recursive: true, force: true });
    await closeProcessPool();
  });

  async function same(spec: CommandSpec) {
    const [reference, berth] = await runBoth(yosys, spec);
    expect(berth.exitCode).toBe(reference.exitCode);
    expect(berth.stdout.toString('utf8')).toBe(reference.stdout.toString('utf8'));
    expect(berth.stderr.toString('utf8')).toBe(reference.stderr.toString('utf8'));
    expect([...berth.files.keys()]).toEqual([...reference.files.keys()]);
    for (const [name, bytes] of reference.files)
      expect(berth.files.get(name)!.equals(bytes), name).toBe(true);
    return berth;
  }

  it('prints its version', async () => {
    const run = await same({ args: ['yosys', '-V'], dirs: {} });
    expect(run.exitCode).toBe(0);
    expect(run.stdout.toString()).toMatch(/^Yosys 0\.\d+/);
  });

  it('runs a synthesis script from the mount and writes JSON, Verilog and a report', async () => {
    const run = await same({ args: ['yosys', '-q', '-s', '/work/flow.ys'], dirs: { '/work': work } });
    expect(run.exitCode).toBe(0);
    const json = JSON.parse(run.files.get('/work/counter.json')!.toString()) as {
      modules: Record<string, { ports: Record<string, unknown> }>;
    };
    expect(Object.keys(json.modules.counter!.ports).sort()).toEqual(['clk', 'en', 'q', 'rst', 'wrap']);
    expect(run.files.get('/work/counter.out.v')!.toString()).toContain('module counter(');
    expect(run.files.get('/work/stat.txt')!.toString()).toMatch(/Number of cells:?\s+\d+/);
  }, 120_000);

  it('reports a Verilog syntax error the same way', async () => {
    writeFileSync(join(work, 'broken.v'), 'module broken(input a; endmodule\n');
    const run = await same({
      args: ['yosys', '-q', '-p', 'read_verilog /work/broken.v'],
      dirs: { '/work': work },
    });
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr.toString() + run.stdout.toString()).toMatch(/syntax error/i);
  }, 120_000);
});
