import { afterAll, describe, expect, it } from 'vitest';
import { Sandbox } from './berthbox-harness.ts';

const fixtures = {
  'fruits.txt': 'banana\napple\ncherry\napple\nBanana\n10 kiwi\n2 fig\n',
  'data.csv': 'name:age:city\nann:31:oslo\nbob:27:rome\ncyd:4:\n',
  'words.txt': 'the quick  brown fox\n\tjumps over\nthe lazy dog\n',
  'nums.txt': '10\n9\n100\n-3\n9\n',
  'noeol.txt': 'one\ntwo',
  'tree/a.txt': 'A\n',
  'tree/b.md': 'B\n',
  'tree/sub/c.txt': 'C\n',
  'tree/sub/deeper/d.txt': 'D\n',
};

const box = new Sandbox(fixtures);
afterAll(() => box.remove());

// Each case runs as `berthbox <argv>` and as `busybox <argv>`; stdout and the exit code must match.
const sameAsBusybox: [string[], string?][] = [
  [['echo', 'a', 'b', ' c ']],
  [['echo', '-n', 'no newline']],
  [['echo', '-e', 'tab\\there\\nline\\\\']],
  [['echo', '-n', '-e', 'x\\cstop']],
  [['cat', 'fruits.txt', 'noeol.txt']],
  [['cat', '-n', 'words.txt']],
  [['cat'], 'from stdin\n'],
  [['cat', '-', 'noeol.txt'], 'dash\n'],
  [['head', '-n', '2', 'fruits.txt']],
  [['head', '-3', 'fruits.txt']],
  [['head', '-c', '5', 'fruits.txt']],
  [['head', '-n', '1', 'fruits.txt', 'data.csv']],
  [['tail', '-n', '2', 'fruits.txt']],
  [['tail', '-n', '+6', 'fruits.txt']],
  [['tail', '-c', '4', 'fruits.txt']],
  [['tail', 'noeol.txt']],
  [['tail', '-n', '1', 'noeol.txt']],
  [['wc', 'words.txt']],
  [['wc', '-l', 'fruits.txt']],
  [['wc', '-w', 'words.txt']],
  [['wc', '-c', 'noeol.txt']],
  [['wc', 'fruits.txt', 'words.txt']],
  [['wc'], 'a b\nc\n'],
  [['sort', 'fruits.txt']],
  [['sort', '-r', 'fruits.txt']],
  [['sort', '-n', 'nums.txt']],
  [['sort', '-nr', 'nums.txt']],
  [['sort', '-u', 'fruits.txt']],
  [['sort', '-t', ':', '-k', '2', '-n', 'data.csv']],
  [['sort', '-f', 'fruits.txt']],
  [['uniq'], 'a\na\nb\na\nc\nc\n'],
  [['uniq', '-c'], 'a\na\nb\na\nc\nc\n'],
  [['uniq', '-d'], 'a\na\nb\na\nc\nc\n'],
  [['uniq', '-u'], 'a\na\nb\na\nc\nc\n'],
  [['tr', 'a-z', 'A-Z'], 'hello, World\n'],
  [['tr', '-d', 'aeiou'], 'education\n'],
  [['tr', '-s', ' '], 'a   b    c\n'],
  [['tr', '[:lower:]', '[:upper:]'], 'mixed Case\n'],
  [['tr', '-cd', '0-9\\n'], 'a1b2c3\nx9\n'],
  [['cut', '-d', ':', '-f', '2', 'data.csv']],
  [['cut', '-d', ':', '-f', '1,3', 'data.csv']],
  [['cut', '-d', ':', '-f', '2-', 'data.csv']],
  [['cut', '-c', '1-3', 'fruits.txt']],
  [['cut', '-d', ' ', '-f', '2', '-s', 'fruits.txt']],
  [['grep', 'an', 'fruits.txt']],
  [['grep', '-i', 'banana', 'fruits.txt']],
  [['grep', '-v', 'apple', 'fruits.txt']],
  [['grep', '-c', 'apple', 'fruits.txt']],
  [['grep', '-n', 'an', 'fruits.txt']],
  [['grep', '-E', 'a(pp|nn)', 'fruits.txt']],
  [['grep', 'a\\(pp\\|nn\\)', 'fruits.txt']],
  [['grep', '-F', 'a.', 'fruits.txt']],
  [['grep', '-w', 'fig', 'fruits.txt']],
  [['grep', '-x', 'apple', 'fruits.txt']],
  [['grep', '-l', 'apple', 'fruits.txt', 'data.csv']],
  [['grep', '-e', 'kiwi', '-e', '^c', 'fruits.txt']],
  [['grep', 'o', 'fruits.txt', 'data.csv']],
  [['grep', '-q', 'cherry', 'fruits.txt']],
  [['grep', 'nothing-matches', 'fruits.txt']],
  [['grep', '^[0-9]', 'fruits.txt']],
  [['sed', 's/a/A/', 'fruits.txt']],
  [['sed', 's/a/A/g', 'fruits.txt']],
  [['sed', 's/a/<&>/2', 'fruits.txt']],
  [['sed', '-n', '2p', 'fruits.txt']],
  [['sed', '2d', 'fruits.txt']],
  [['sed', '/apple/d', 'fruits.txt']],
  [['sed', '-n', '/apple/!p', 'fruits.txt']],
  [['sed', '-E', 's/(a)(p+)/\\2\\1/', 'fruits.txt']],
  [['sed', 's/\\(b\\)\\(a\\)/\\2\\1/g', 'fruits.txt']],
  [['sed', '2,4s/^/> /', 'fruits.txt']],
  [['sed', '/cherry/,$d', 'fruits.txt']],
  [['sed', '$d', 'fruits.txt']],
  [['sed', '3q', 'fruits.txt']],
  [['sed', '-n', '$=', 'fruits.txt']],
  [['sed', 's/x*/-/g'], 'abc\n'],
  [['sed', 'y/abc/xyz/', 'fruits.txt']],
  [['sed', '-e', 's/a/1/', '-e', 's/e/2/', 'fruits.txt']],
  [['sed', 's|/|:|g'], '/usr/local/bin\n'],
  [['sed', '2i\\\ninserted', 'noeol.txt']],
  [['sed', 's/o/0/g', 'noeol.txt']],
  [['printf', '%s-%d\\n', 'a', '5', 'b', '6']],
  [['printf', '%5.2f|%-4s|%x|%o|%X|%05d\\n', '3.14159', 'ab', '255', '8', '255', '42']],
  [['printf', '\\101\\t%b\\n', 'a\\tb']],
  [['printf', '%s\\n']],
  [['printf', '[%3s][%-3s][%.1s]\\n', 'a', 'b', 'xyz']],
  [['printf', '%d%%\\n', '50']],
  [['seq', '5']],
  [['seq', '2', '5']],
  [['seq', '1', '3', '10']],
  [['seq', '5', '-2', '0']],
  [['seq', '-s', ',', '4']],
  [['seq', '-w', '8', '10']],
  [['seq', '0.5', '0.5', '2']],
  [['basename', '/usr/lib/file.txt']],
  [['basename', '/usr/lib/file.txt', '.txt']],
  [['basename', '/usr/lib/']],
  [['basename', '/']],
  [['dirname', '/usr/lib/file.txt']],
  [['dirname', 'file']],
  [['dirname', '/usr/']],
  [['dirname', '/']],
  [['ls', 'tree']],
  [['ls', '-1', 'tree', 'tree/sub']],
  [['ls', '-d', 'tree']],
  [['ls', '-F', 'tree']],
  [['ls', 'fruits.txt', 'missing-file']],
  [['xargs', 'echo'], 'a b\n c\n'],
  [['xargs', '-n', '2', 'echo', 'x'], '1 2 3 4 5\n'],
  [['xargs', '-I', '{}', 'echo', '[{}]'], 'one\ntwo words\n'],
  [['xargs'], '"quoted arg" plain\n'],
  [['env', '-i', 'A=1', 'B=two', 'env']],
  [['sed', 's/c*/-/g'], 'abc\n'],
  [['sed', 's/b*/-/2'], 'abc\n'],
  [['true']],
  [['false']],
];

describe('berthbox applets match busybox', () => {
  it.each(sameAsBusybox.map(([argv, stdin]) => [argv.join(' '), argv, stdin] as const))(
    '%s',
    (_name, argv, stdin) => {
      const ours = box.run(argv, { stdin });
      const theirs = box.busybox(argv, { stdin });
      expect({ stdout: ours.stdout, code: ours.code }).toEqual({ stdout: theirs.stdout, code: theirs.code });
    },
  );

  // busybox find lists in directory order; berthbox sorts, so compare as sets of lines.
  it.each([
    [['find', 'tree']],
    [['find', 'tree', '-name', '*.txt']],
    [['find', 'tree', '-type', 'd']],
    [['find', 'tree', '-maxdepth', '1']],
    [['find', 'tree', '-mindepth', '2', '-type', 'f']],
    [['find', 'tree', '!', '-name', '*.txt', '-type', 'f']],
    [['find', 'tree', '-name', '*.md', '-o', '-name', 'c*']],
    [['find', 'tree', '-path', '*sub*', '-name', 'd*']],
    [['find', 'tree', '-type', 'f', '-exec', 'cat', '{}', ';']],
  ])('%j', (argv) => {
    const lines = (s: string) => s.split('\n').sort();
    const ours = box.run(argv);
    const theirs = box.busybox(argv);
    expect(ours.code).toBe(theirs.code);
    expect(lines(ours.stdout)).toEqual(lines(theirs.stdout));
  });

  it.each([
    ['-e', 'fruits.txt'],
    ['-f', 'tree'],
    ['-d', 'tree'],
    ['-s', 'fruits.txt'],
    ['-z', ''],
    ['-n', ''],
    ['abc', '=', 'abc'],
    ['abc', '!=', 'abc'],
    ['10', '-gt', '9'],
    ['10', '-le', '9'],
    ['-3', '-lt', '2'],
    ['!', '-e', 'missing'],
    ['-e', 'fruits.txt', '-a', '-d', 'tree'],
    ['-e', 'missing', '-o', '-d', 'tree'],
    ['(', '1', '-eq', '1', ')', '-a', '!', 'x', '=', 'y'],
    ['='],
    [''],
    ['x', '-eq', '1'],
  ])('test %j', (...args) => {
    for (const argv of [
      ['test', ...args],
      ['[', ...args, ']'],
    ]) {
      expect(box.run(argv).code).toBe(box.busybox(argv).code);
    }
  });
});

describe('berthbox applets without a busybox twin', () => {
  it('hostname comes from $HOSTNAME, else /etc/hostname, else localhost', () => {
    expect(box.run(['hostname'], { env: { HOSTNAME: 'web-1' } }).stdout).toBe('web-1\n');
    expect(box.run(['hostname'], { env: {} }).stdout).toBe('localhost\n');
    const etc = new Sandbox({ 'etc/hostname': 'from-file\n' });
    expect(etc.run(['hostname'], { env: {} }).stdout).toBe('from-file\n');
    etc.remove();
  });

  it('id and whoami: everyone is root in WASI', () => {
    expect(box.run(['id']).stdout).toBe('uid=0(root) gid=0(root) groups=0(root)\n');
    expect(box.run(['id', '-u']).stdout).toBe('0\n');
    expect(box.run(['id', '-un']).stdout).toBe('root\n');
    expect(box.run(['whoami']).stdout).toBe('root\n');
  });

  it('uname reports a wasm32 machine and the container hostname', () => {
    expect(box.run(['uname', '-m']).stdout).toBe('wasm32\n');
    expect(box.run(['uname', '-n'], { env: { HOSTNAME: 'h1' } }).stdout).toBe('h1\n');
    expect(box.run(['uname', '-a'], { env: { HOSTNAME: 'h1' } }).stdout.split(' ')).toContain('h1');
  });

  it('date reads the clock and formats in UTC', () => {
    expect(box.run(['date', '-d', '@0', '+%Y-%m-%d %H:%M:%S']).stdout).toBe('1970-01-01 00:00:00\n');
    expect(box.run(['date', '-u', '-d', '@86400']).stdout).toBe('Fri Jan  2 00:00:00 UTC 1970\n');
    const now = Number(box.run(['date', '+%s']).stdout);
    expect(Math.abs(now - Date.now() / 1000)).toBeLessThan(5);
  });

  it('sleep waits', () => {
    const t0 = Date.now();
    expect(box.run(['sleep', '0.2']).code).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(box.run(['sleep', 'abc']).code).toBe(1);
  });

  it('printenv prints one variable or all (busybox-static has no printenv)', () => {
    const env = { A: '1', B: 'two words' };
    expect(box.run(['printenv', 'B'], { env })).toMatchObject({ stdout: 'two words\n', code: 0 });
    expect(box.run(['printenv'], { env }).stdout).toBe('A=1\nB=two words\n');
    expect(box.run(['printenv', 'NOPE'], { env })).toMatchObject({ stdout: '', code: 1 });
  });

  it('test -nt/-ot follow POSIX for a missing file', () => {
    expect(box.run(['test', 'fruits.txt', '-nt', 'missing']).code).toBe(0);
    expect(box.run(['test', 'missing', '-ot', 'fruits.txt']).code).toBe(0);
    expect(box.run(['test', 'missing', '-nt', 'fruits.txt']).code).toBe(1);
  });

  it('pwd, yes and the multi-call entry', () => {
    expect(box.run(['pwd']).stdout).toBe('/\n');
    expect(box.run(['berthbox', 'echo', 'via', 'berthbox']).stdout).toBe('via berthbox\n');
    expect(box.run(['/bin/cat.wasm', 'tree/a.txt']).stdout).toBe('A\n');
    expect(box.run(['berthbox', 'nope']).code).toBe(127);
    expect(box.run(['berthbox', '--list']).stdout.split('\n')).toEqual(
      expect.arrayContaining(['sh', 'sed', '[']),
    );
    expect(box.sh('yes | head -n 3').stdout).toBe('y\ny\ny\n');
  });

  it('mkdir touch cp mv ln rm rmdir change the filesystem', () => {
    const fs = new Sandbox({ 'src/f.txt': 'data\n' });
    expect(fs.run(['mkdir', '-p', 'a/b/c']).code).toBe(0);
    expect(fs.exists('a/b/c')).toBe(true);
    expect(fs.run(['mkdir', 'a']).code).toBe(1);
    expect(fs.run(['touch', 'a/new']).code).toBe(0);
    expect(fs.read('a/new')).toBe('');
    expect(fs.run(['cp', 'src/f.txt', 'a/copy.txt']).code).toBe(0);
    expect(fs.read('a/copy.txt')).toBe('data\n');
    expect(fs.run(['cp', 'src', 'nodir']).code).toBe(1);
    expect(fs.run(['cp', '-r', 'src', 'a/b']).code).toBe(0);
    expect(fs.read('a/b/src/f.txt')).toBe('data\n');
    expect(fs.run(['mv', 'a/copy.txt', 'a/moved.txt']).code).toBe(0);
    expect(fs.exists('a/copy.txt')).toBe(false);
    expect(fs.read('a/moved.txt')).toBe('data\n');
    expect(fs.run(['ln', '-s', 'moved.txt', 'a/link']).code).toBe(0);
    expect(fs.run(['cat', 'a/link']).stdout).toBe('data\n');
    expect(fs.run(['ls', '-l', 'a/link']).stdout).toMatch(/^lrwxrwxrwx .* a\/link -> moved.txt\n$/);
    expect(fs.run(['rmdir', 'a/b/c']).code).toBe(0);
    expect(fs.run(['rm', 'a']).code).toBe(1);
    expect(fs.run(['rm', '-r', 'a']).code).toBe(0);
    expect(fs.exists('a')).toBe(false);
    expect(fs.run(['rm', 'gone']).code).toBe(1);
    expect(fs.run(['rm', '-f', 'gone']).code).toBe(0);
    expect(fs.run(['chmod', '755', 'src/f.txt']).code).toBe(0);
    expect(fs.run(['chmod', '755', 'gone']).code).toBe(1);
    expect(fs.run(['tee', 'out1', 'out2'], { stdin: 'tee\n' }).stdout).toBe('tee\n');
    expect(fs.read('out2')).toBe('tee\n');
    expect(fs.run(['sed', '-i', 's/data/DATA/', 'src/f.txt']).code).toBe(0);
    expect(fs.read('src/f.txt')).toBe('DATA\n');
    expect(fs.run(['find', 'src', '-name', '*.txt', '-delete']).code).toBe(0);
    expect(fs.exists('src/f.txt')).toBe(false);
    fs.remove();
  });
});
