// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are shell scripts, ${x} is theirs
import { afterAll, describe, expect, it } from 'vitest';
import { Sandbox } from './berthbox-harness.ts';

const box = new Sandbox({
  'in.txt': 'first line\nsecond line\nthird\n',
  'g/a.txt': '',
  'g/b.txt': '',
  'g/c.md': '',
  'script.sh': 'echo "script $0 got $# args: $*"\nfor a in "$@"; do echo "[$a]"; done\nexit 3\n',
});
afterAll(() => box.remove());

// Each script runs as `berthbox sh -c` and `busybox sh -c`; stdout and the exit status must match.
const scripts: Record<string, string> = {
  'single and double quotes': `a='x  y'; echo '$a' "$a" $a "it's" 'say "hi"' "\\$a \\"q\\" \\\\"`,
  'backslashes outside quotes': 'echo a\\ b \\$HOME \\\\ c\\"d',
  'adjacent quoted parts': `x=1; echo "a"'b'$x"c"'d'`,
  'empty quoted arguments are kept': `set -- "" a ""; echo $#`,
  'unquoted expansion splits, quoted does not': `v='1 2   3'; for i in $v; do echo "<$i>"; done; for i in "$v"; do echo "<$i>"; done`,
  'custom IFS': `IFS=:; v=a:b::c; for i in $v; do echo "<$i>"; done`,
  'default values': 'unset U; E=; echo "${U:-d1} ${E:-d2} ${E-d3} ${U-d4} ${U:+p} ${HOME:+set}"',
  'assign default': 'unset U; echo ${U:=new}; echo $U',
  'length and trimming': 'p=/usr/local/lib.so.1; echo ${#p} ${p#*/} ${p##*/} ${p%.*} ${p%%.*}',
  'positional parameters': 'set -- a "b c" d; echo $# $1 $2 $3; shift; echo $# "$@"; echo "$*"',
  '"$@" with no parameters is nothing': 'set --; for a in "$@"; do echo never; done; echo "[$@]" done',
  'special parameters': 'false; echo $?; true; echo $?; echo $0',
  arithmetic:
    'i=5; echo $((i * 2 + 1)) $((10 / 3)) $((10 % 3)) $(( (1+2) * 3 )) $((i > 3)) $((-i)) $((1 << 4))',
  'arithmetic assignment in a loop':
    'i=0; while [ $i -lt 5 ]; do i=$((i + 1)); done; echo $i; : $((i += 10)); echo $i',
  'command substitution':
    'x=$(echo hello; echo world); echo "$x"; echo "n=$(echo a b | wc -w)"; echo `echo back`',
  'nested command substitution': 'echo $(echo $(echo deep))',
  'command substitution strips trailing newlines':
    'x="$(printf "a\\n\\n\\n" 2>/dev/null || echo a)"; echo "[$x]"',
  'status of an assignment with substitution': 'x=$(false); echo $?',
  'and-or lists':
    'true && echo a; false && echo b; false || echo c; true || echo d; false || false || echo e',
  negation: '! false; echo $?; ! true; echo $?',
  'semicolons and newlines': 'echo a; echo b\necho c',
  'if elif else':
    'for x in 1 2 3; do if [ $x = 1 ]; then echo one; elif [ $x = 2 ]; then echo two; else echo other; fi; done',
  'for over a list and over globs': 'for f in g/*.txt; do echo $f; done; for f in g/*.none; do echo $f; done',
  'while and until':
    'n=3; while [ $n -gt 0 ]; do echo $n; n=$((n-1)); done; until [ $n = 2 ]; do n=$((n+1)); done; echo $n',
  'break and continue': 'for i in 1 2 3 4 5; do [ $i = 2 ] && continue; [ $i = 4 ] && break; echo $i; done',
  'nested loops with break 2': 'for i in a b; do for j in 1 2; do echo $i$j; break 2; done; done; echo out',
  'case patterns':
    'for w in apple Berry cat 42 x.txt; do case $w in a*) echo A;; [A-Z]*) echo upper;; c?t) echo cat;; *[0-9]) echo num;; *.txt|*.md) echo file;; esac; done',
  'case with quoted pattern and fallthrough to default':
    'x="*"; case $x in "*") echo star;; *) echo any;; esac; case zz in a) ;; *) echo default;; esac',
  'functions and return':
    'f() { echo "f:$1:$#"; return 4; }; f x y; echo $?; g() { local_var=1; echo g; }; g; echo $local_var',
  'local variables are restored on return': 'x=g; f() { local x=l y; y=2; echo "$x $y"; }; f; echo "$x [$y]"',
  'exec runs the command and leaves': 'exec echo bye; echo never',
  'function sees and sets globals': 'count=0; inc() { count=$((count+1)); }; inc; inc; echo $count',
  recursion: 'fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(($1-1))) )); fi; }; fact 5',
  'redirect out, append, in':
    'echo one > out.txt; echo two >> out.txt; cat < out.txt; read first < out.txt; echo "[$first]"; rm out.txt',
  'redirect stderr': 'ls missing-file 2>/dev/null; echo $?; ls missing-file 2>&1 >/dev/null | wc -l',
  'redirect a compound command':
    'for i in 1 2; do echo $i; done > loop.txt; cat loop.txt; { echo x; echo y; } > grp.txt; cat grp.txt; rm loop.txt grp.txt',
  'while read from a file': 'while read a b; do echo "a=$a b=$b"; done < in.txt',
  'read -r keeps backslashes':
    'printf "%s\\n" "a\\\\b c" > r.txt 2>/dev/null || echo "a\\\\b c" > r.txt; read -r x < r.txt; echo "$x"; rm r.txt',
  heredoc: 'cat <<EOF\nhome is $HOME\n  $(echo sub)\nEOF\ncat <<"EOF"\nraw $HOME\nEOF',
  'heredoc with tab stripping': 'cat <<-EOF\n\tindented\n\tEOF\necho after',
  'subshell keeps its changes': 'x=1; (x=2; cd g; echo "in $x"; ls); echo "out $x"; ls -d g',
  'brace group shares them': 'x=1; { x=2; }; echo $x',
  'export and env': 'export FOO=bar; env | grep ^FOO=; unset FOO; env | grep -c ^FOO=',
  'prefix assignment is for that command only': 'X=outer; X=inner env | grep ^X=; echo $X',
  'set -e stops at a failure': 'set -e; echo a; false; echo b',
  'set -e ignores conditions': 'set -e; if false; then :; fi; false || true; ! true; echo survived',
  'exit status': 'exit 42',
  'exit in a subshell': '(exit 3); echo $?',
  'globbing sorts and respects quotes': 'cd g; echo *; echo "*"; echo *.md; echo \\*; echo [ab].txt',
  'set -f turns globbing off': 'set -f; echo g/*',
  pipelines: 'echo hello | tr a-z A-Z; printf "b\\na\\n" 2>/dev/null | sort; echo x | cat | cat | wc -c',
  'pipeline status is the last stage': 'false | true; echo $?; true | false; echo $?',
  'pipeline into a while loop': 'printf "1\\n2\\n" 2>/dev/null | while read n; do echo "got $n"; done',
  eval: 'cmd="echo evaluated"; eval $cmd; eval "x=5"; echo $x',
  comments: 'echo a # a comment\n# whole line\necho b#not-a-comment',
  'line continuation': 'echo a \\\nb',
  'syntax error': 'if true; then echo x',
  'unknown command': 'no-such-command-here; echo $?',
  'test and [ inside the shell':
    '[ -f in.txt ] && echo file; [ -d g ] && echo dir; test 3 -lt 10 && echo lt; [ "a" = "b" ] || echo ne',
  'command -v': 'command -v echo; command -v no-such-thing || echo none',
};

describe('berthbox sh matches busybox sh', () => {
  it.each(Object.entries(scripts))('%s', (_name, script) => {
    const ours = box.sh(script);
    const theirs = box.busybox(['sh', '-c', script]);
    expect({ stdout: ours.stdout, code: ours.code }).toEqual({ stdout: theirs.stdout, code: theirs.code });
  });
});

describe('berthbox sh', () => {
  it('runs a script file with arguments', () => {
    expect(box.run(['sh', 'script.sh', 'a b', 'c'])).toMatchObject({
      stdout: 'script script.sh got 2 args: a b c\n[a b]\n[c]\n',
      code: 3,
    });
  });

  it('cd keeps PWD and OLDPWD, resolving .. by name', () => {
    expect(box.sh('cd g; pwd; echo $PWD; cd ..; pwd; cd /g/../g/.; pwd; cd -; cd; pwd').stdout).toBe(
      '/g\n/g\n/\n/g\n/\n/\n',
    );
    expect(box.sh('cd /missing')).toMatchObject({ code: 1, stderr: expect.stringContaining('/missing') });
  });

  it('-c takes $0 and parameters after the command', () => {
    expect(box.run(['sh', '-c', 'echo $0 $1 $#', 'name', 'p1']).stdout).toBe('name p1 1\n');
  });

  it('reads commands from stdin, continuing unfinished ones', () => {
    const r = box.run(['sh'], { stdin: 'echo one\nif true\nthen echo two\nfi\nx=3\necho $x\n' });
    expect(r).toMatchObject({ stdout: 'one\ntwo\n3\n', code: 0 });
  });

  it('commands read the rest of stdin after the shell read its line', () => {
    expect(box.run(['sh'], { stdin: 'read line\nfrom the script\necho "[$line]"\n' }).stdout).toBe(
      '[from the script]\n',
    );
  });

  it('reports syntax errors with status 2', () => {
    const r = box.sh('echo (');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/syntax error/);
  });

  it('says "not found" for a missing command, with status 127', () => {
    expect(box.sh('nope-command')).toMatchObject({ code: 127, stderr: 'sh: nope-command: not found\n' });
  });

  it('set -x traces commands on stderr', () => {
    expect(box.sh('set -x; echo hi').stderr).toBe('+ echo hi\n');
  });

  it('without process support, pipelines run stage by stage in-process', () => {
    expect(box.sh('seq 5 | sort -r | head -n 2 | tr "\\n" " "').stdout).toBe('5 4 ');
    expect(box.sh('sh -c "echo nested; exit 4"; echo $?').stdout).toBe('nested\n4\n');
  });

  it('an external program fails clearly when berth has no process support', () => {
    const fs = new Sandbox({ 'bin/tool': 'not really wasm' });
    const r = fs.sh('/bin/tool; echo $?');
    expect(r.stdout).toBe('126\n');
    expect(r.stderr).toContain('no process support');
    fs.remove();
  });
});
