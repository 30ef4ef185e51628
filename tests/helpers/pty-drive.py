# Runs a command on a real pty (Python's pty module: Node has none), types the given lines with
# Enter as a terminal sends it (CR), and prints what the terminal showed and the exit status.
# Usage: python3 pty-drive.py [--prompt TEXT] 'line1' 'line2' -- command args...
# With --prompt, line k is typed once TEXT has been shown k times (a shell waiting for it).
import json, os, pty, select, sys, time

args = sys.argv[1:]
prompt = None
if args[:1] == ['--prompt']:
    prompt, args = args[1].encode(), args[2:]
sep = args.index('--')
lines, cmd = args[:sep], args[sep + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
shown = b''

def pump(seconds):
    global shown
    end = time.time() + seconds
    while time.time() < end:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return False
            if not chunk:
                return False
            shown += chunk
    return True

def wait_for(count):
    end = time.time() + 30
    while shown.count(prompt) < count and time.time() < end:
        if not pump(0.05):
            return

if prompt is None:
    pump(3)
for k, line in enumerate(lines, 1):
    if prompt is not None:
        wait_for(k)
    os.write(fd, line.encode().replace(b'\n', b'\r'))
    if not pump(0.5 if prompt is not None else 1.5):
        break
deadline = time.time() + 20
status = None
while time.time() < deadline:
    done, raw = os.waitpid(pid, os.WNOHANG)
    if done:
        status = os.waitstatus_to_exitcode(raw)
        break
    pump(0.1)
print(json.dumps({'shown': shown.decode('utf-8', 'replace'), 'status': status}))
