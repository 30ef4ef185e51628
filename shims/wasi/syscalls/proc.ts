// proc_exit, proc_raise, sched_yield.

import { ERRNO_INVAL, ERRNO_NOSYS, ERRNO_SUCCESS, SIGNAL_MAX } from '../defs.ts';

/** Thrown by proc_exit through the guest's frames; Wasi.start() turns it into the exit code. */
export class ProcExit extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`proc_exit(${code})`);
    this.name = 'ProcExit';
    this.code = code;
  }
}

export const procSyscalls = () => ({
  proc_exit(code: number): never {
    throw new ProcExit(code >>> 0);
  },
  /** Signals are not delivered to WASI processes (preview1 dropped them; wasmtime refuses too). */
  proc_raise(sig: number): number {
    return sig < 0 || sig > SIGNAL_MAX ? ERRNO_INVAL : ERRNO_NOSYS;
  },
  /** Each process owns its worker thread: there is nobody to yield to. */
  sched_yield(): number {
    return ERRNO_SUCCESS;
  },
});
