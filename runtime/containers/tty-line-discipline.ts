// A terminal's line discipline for `-t` containers. Docker gives a `-t` container a pty whose
// kernel line discipline cooks the keys of a client terminal in raw mode: Enter (CR) becomes
// NL, typed keys are echoed, Backspace erases, Ctrl-C is SIGINT, Ctrl-D on an empty line is
// end of input, and NL in the output goes out as CR NL. WASI has no ptys, so berth does the same
// here, in between the client's raw terminal and the container's stdin/stdout — canonical mode
// (ICANON, ECHO, ECHOE, ICRNL, ONLCR, ISIG) with the default control keys.

const CR = 0x0d;
const NL = 0x0a;
const INTR = 0x03; // Ctrl-C
const EOF = 0x04; // Ctrl-D
const ERASE = 0x7f; // Backspace (DEL)
const ERASE_BS = 0x08; // Ctrl-H
const KILL = 0x15; // Ctrl-U
const WERASE = 0x17; // Ctrl-W

const encoder = new TextEncoder();

export interface LineDisciplineIo {
  /** Where echoed keys go (the terminal, that is the container's output side). */
  echo(bytes: Uint8Array): void;
  /** Ctrl-C: the foreground process gets SIGINT. */
  interrupt(): void;
}

/** The bytes of the last character of `line` (UTF-8: a lead byte and its continuation bytes). */
function lastCharLength(line: number[]): number {
  let n = 1;
  while (n < line.length && (line[line.length - n]! & 0xc0) === 0x80) n++;
  return n;
}

/**
 * Cooks raw terminal input: yields whole lines (or what Ctrl-D flushed) as the program reads
 * them, echoing as a pty would, and ends at Ctrl-D on an empty line, at Ctrl-C (after
 * interrupt()) or when the input ends.
 */
export async function* cookedInput(
  input: AsyncIterable<Uint8Array>,
  io: LineDisciplineIo,
): AsyncGenerator<Uint8Array> {
  let line: number[] = [];
  /** Erases characters until the line is `keep` bytes long, echoing one "\b \b" each. */
  const eraseTo = (keep: number) => {
    let chars = 0;
    while (line.length > Math.max(keep, 0)) {
      line.splice(line.length - lastCharLength(line));
      chars++;
    }
    if (chars > 0) io.echo(encoder.encode('\b \b'.repeat(chars)));
  };
  for await (const chunk of input) {
    for (const byte of chunk) {
      switch (byte) {
        case INTR:
          io.echo(encoder.encode('^C\r\n'));
          io.interrupt();
          return;
        case EOF:
          if (line.length === 0) return;
          yield Uint8Array.from(line);
          line = [];
          break;
        case ERASE:
        case ERASE_BS:
          if (line.length > 0) eraseTo(line.length - lastCharLength(line));
          break;
        case KILL:
          eraseTo(0);
          break;
        case WERASE: {
          let n = 0;
          while (n < line.length && line[line.length - 1 - n] === 0x20) n++;
          while (n < line.length && line[line.length - 1 - n] !== 0x20) n++;
          eraseTo(line.length - n);
          break;
        }
        case CR:
        case NL:
          line.push(NL);
          io.echo(encoder.encode('\r\n'));
          yield Uint8Array.from(line);
          line = [];
          break;
        default:
          line.push(byte);
          // Other control keys echo as ^X (ECHOCTL); tab and printable bytes as themselves.
          io.echo(
            byte < 0x20 && byte !== 0x09
              ? encoder.encode(`^${String.fromCharCode(byte + 64)}`)
              : Uint8Array.of(byte),
          );
      }
    }
  }
  if (line.length > 0) yield Uint8Array.from(line);
}

/** ONLCR: each NL of a `-t` container's output goes to the terminal as CR NL. */
export function onlcr(chunk: Uint8Array): Uint8Array {
  let count = 0;
  for (const b of chunk) if (b === NL) count++;
  if (count === 0) return chunk;
  const out = new Uint8Array(chunk.length + count);
  let j = 0;
  for (const b of chunk) {
    if (b === NL) out[j++] = CR;
    out[j++] = b;
  }
  return out;
}
