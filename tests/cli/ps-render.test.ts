// `ps` renders a plain table cell by cell and computes only the fields a format reads; every
// output must stay what the general path (every field, Go template, tabwriter) prints.

import { describe, expect, test } from 'vitest';
import { PS_HEADERS, psRow, renderPs } from '../../bin/commands/list.ts';
import { renderList } from '../../bin/format/output.ts';
import {
  type ContainerSummary,
  initialState,
  withStatus,
} from '../../runtime/containers/container-record.ts';

const now = Date.parse('2026-01-10T12:00:00Z');
const ago = (ms: number) => new Date(now - ms).toISOString();

function summary(name: string, patch: (s: ContainerSummary) => void = () => {}): ContainerSummary {
  const s: ContainerSummary = {
    Id: `${name.padEnd(4, 'x')}`.replace(/[^0-9a-f]/g, 'a').padEnd(64, '0'),
    Created: ago(3 * 3_600_000),
    Path: '/hello.wasm',
    Args: [],
    State: initialState(),
    Image: `sha256:${'ab'.repeat(32)}`,
    Name: `/${name}`,
    Mounts: [],
    SizeRw: 0,
    HostConfig: { NetworkMode: 'bridge', PortBindings: {} },
    Config: { Image: 'hello-world', Labels: {} },
  };
  patch(s);
  return s;
}

const records: ContainerSummary[] = [
  summary('web', (s) => {
    s.State = { ...withStatus(s.State, 'running'), StartedAt: ago(120_000) };
    s.NetworkSettings = { Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '443/tcp': null } };
    s.Args = ['--a-long-argument', 'x'];
    s.Config.Labels = { app: 'web', tier: 'front' };
  }),
  summary('db', (s) => {
    s.State = { ...withStatus(s.State, 'exited'), ExitCode: 3, FinishedAt: ago(5_000) };
    s.Config.Image = `sha256:${'cd'.repeat(32)}`;
    s.Mounts = [
      { Type: 'volume', Name: 'data', Source: '/v', Destination: '/d', Mode: '', RW: true, Propagation: '' },
    ];
    s.SizeRw = 123_456;
  }),
  summary('ünï-😀', (s) => {
    s.Path = `/${'😀'.repeat(30)}.wasm`;
    s.HostConfig.NetworkMode = 'default';
  }),
];

/** The general path: every field of every row, then renderList. */
function reference(recs: ContainerSummary[], o: Record<string, unknown>): string {
  const cols =
    'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';
  const rows = recs.map((r) => psRow(r, now, o.trunc !== false));
  return renderList(rows, {
    format: o.format as string | undefined,
    quiet: o.quiet === true,
    quietField: 'ID',
    defaultTable: o.size ? `${cols}\t{{.Size}}` : cols,
    headers: PS_HEADERS,
  });
}

describe('ps rendering', () => {
  test("the default table, byte for byte as Docker's", () => {
    expect(renderPs(records.slice(0, 2), {}, now)).toBe(
      [
        'CONTAINER ID   IMAGE          COMMAND                  CREATED       STATUS                     PORTS                           NAMES',
        'aeba00000000   hello-world    "/hello.wasm --a-lon…"   3 hours ago   Up 2 minutes               0.0.0.0:8080->80/tcp, 443/tcp   web',
        'dbaa00000000   cdcdcdcdcdcd   "/hello.wasm"            3 hours ago   Exited (3) 5 seconds ago                                   db',
        '',
      ].join('\n'),
    );
  });

  const options: Record<string, unknown>[] = [
    {},
    { size: true },
    { trunc: false },
    { quiet: true },
    { format: 'table' },
    { format: 'json' },
    { format: '{{json .}}' },
    { format: 'table {{.Names}}\\t{{.Labels}}\\t{{.Mounts}}\\t{{.Networks}}' },
    { format: 'table {{.Ports}}' },
    { format: 'table {{.CreatedAt}}\\t{{.LocalVolumes}}\\t{{.Size}}\\t{{.State}}' },
    { format: '{{.Names}}: {{.Status}}' },
    { format: 'table {{.ID}} {{.Names}}' },
    { format: 'table {{ .ID }}\\t{{.Image}}' },
    { format: '{{range .Labels}}{{.}}{{end}} {{.ID}}' },
  ];
  for (const o of options) {
    test(`the same as the general path: ${JSON.stringify(o)}`, () => {
      expect(renderPs(records, o, now)).toBe(reference(records, o));
    });
  }

  test('values holding a tab or a newline split as the general path splits them', () => {
    const odd = [
      summary('tab', (s) => {
        s.Config.Labels = { k: 'a\tb' };
      }),
      summary('nl', (s) => {
        s.Config.Labels = { k: 'a\nb' };
      }),
    ];
    const o = { format: 'table {{.Labels}}\\t{{.Names}}' };
    expect(renderPs(odd, o, now)).toBe(reference(odd, o));
    expect(renderPs(odd, o, now).split('\n')).toHaveLength(5);
  });

  test('a header for every field, also with no rows', () => {
    expect(renderPs([], { format: 'table {{.State}}\\t{{.Labels}}\\t{{.Networks}}' }, now)).toBe(
      'STATE     LABELS    NETWORKS\n',
    );
    expect(() => renderPs(records, { format: 'table {{.Nope}}' }, now)).toThrow(/can't evaluate field Nope/);
  });
});
