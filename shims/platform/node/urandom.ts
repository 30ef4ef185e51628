// Random bytes from the kernel's /dev/urandom, for container ids and names and an inline guest's
// random_get, without loading node:crypto or Web Crypto (each costs a cold CLI milliseconds).

import { closeSync, openSync, readSync } from 'node:fs';

export function urandomFill(bytes: Uint8Array<ArrayBuffer>): void {
  let fd: number | undefined;
  try {
    fd = openSync('/dev/urandom', 'r');
    for (let at = 0; at < bytes.length; ) {
      const n = readSync(fd, bytes, at, bytes.length - at, null);
      if (n <= 0) throw new Error('short read from /dev/urandom');
      at += n;
    }
  } catch {
    globalThis.crypto.getRandomValues(bytes); // no /dev/urandom (not Linux, a sandbox): Web Crypto
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
