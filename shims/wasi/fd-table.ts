// The process's file descriptor numbers. An Fd may sit in several slots (or several tables, when
// the process layer hands one to a child); Fd.tableRefs counts them and close() runs at zero.

import { ERRNO_BADF, ERRNO_SUCCESS, type Fd } from './fd.ts';

export class FdTable {
  private readonly slots: (Fd | undefined)[] = [];
  /** No free slot below this number. */
  private lowestFree = 0;

  get(n: number): Fd | undefined {
    return this.slots[n];
  }

  /** Puts `fd` at the lowest free number (POSIX style) and returns that number. */
  add(fd: Fd): number {
    let n = this.lowestFree;
    while (this.slots[n] !== undefined) n++;
    this.place(n, fd);
    return n;
  }

  /** Puts `fd` at number `n`, closing what was there. */
  set(n: number, fd: Fd): void {
    if (this.slots[n] === fd) return;
    this.close(n);
    this.place(n, fd);
  }

  /** fd_close: drops slot `n`; the Fd closes when no slot holds it any more. */
  close(n: number): number {
    const fd = this.slots[n];
    if (fd === undefined) return ERRNO_BADF;
    this.slots[n] = undefined;
    if (n < this.lowestFree) this.lowestFree = n;
    if (--fd.tableRefs === 0) fd.close();
    return ERRNO_SUCCESS;
  }

  /** fd_renumber: moves `from` onto `to` (closing what `to` held). Both must be open. */
  renumber(from: number, to: number): number {
    const fd = this.slots[from];
    if (fd === undefined || this.slots[to] === undefined) return ERRNO_BADF;
    if (from === to) return ERRNO_SUCCESS;
    fd.tableRefs++;
    this.close(to);
    this.slots[to] = fd;
    this.close(from);
    return ERRNO_SUCCESS;
  }

  /** Open numbers in ascending order. */
  *numbers(): IterableIterator<number> {
    for (let n = 0; n < this.slots.length; n++) if (this.slots[n] !== undefined) yield n;
  }

  /** Closes every slot (process exit). */
  closeAll(): void {
    for (let n = 0; n < this.slots.length; n++) if (this.slots[n] !== undefined) this.close(n);
  }

  private place(n: number, fd: Fd): void {
    while (this.slots.length < n) this.slots.push(undefined);
    this.slots[n] = fd;
    fd.tableRefs++;
    if (n === this.lowestFree) this.lowestFree = n + 1;
  }
}
