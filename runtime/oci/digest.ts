// Content digests. Only sha256 is produced or accepted: it is what every registry and both image
// formats use. The hash implementation is pluggable so Node can use its native OpenSSL one
// (runtime/content/node-sha256.ts installs it) while the browser keeps the pure-JS default.

import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { DigestMismatchError, InvalidReferenceError } from '../errors.ts';
import { SHA256_WASM_BASE64 } from './sha256-wasm.ts';

/** `sha256:` followed by 64 lowercase hex digits. */
export type Digest = `sha256:${string}`;

/** An incremental SHA-256. */
export interface Sha256 {
  update(chunk: Uint8Array): void;
  /** Lowercase hex of the hash of everything written so far; ends the hasher. */
  hex(): string;
}

export type Sha256Factory = () => Sha256;

const HEX = '0123456789abcdef';

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]! >> 4]! + HEX[bytes[i]! & 15]!;
  return s;
}

const nobleFactory: Sha256Factory = () => {
  const h = nobleSha256.create();
  return {
    update: (chunk) => void h.update(chunk),
    hex: () => toHex(h.digest()),
  };
};

let factory: Sha256Factory = nobleFactory;

/** Replaces the SHA-256 implementation (Node installs node:crypto's; several times faster). */
export function useSha256(f: Sha256Factory): void {
  factory = f;
}

export function createSha256(): Sha256 {
  return factory();
}

/**
 * Below this many bytes, sha256Hex runs berth's WebAssembly SHA-256 (sha256.c) even where a native
 * hash is installed: a cold process hashes a manifest, a config or a small layer through it in
 * microseconds, where loading node:crypto costs milliseconds and JavaScript that V8 has not
 * optimised yet (@noble/hashes) about a millisecond per few KB. Past it the native hash wins
 * (~60 MB/s for this module, several hundred for OpenSSL).
 */
const SMALL = 64 * 1024;

interface WasmSha256 {
  readonly memory: WebAssembly.Memory;
  input(): number;
  out(): number;
  init(): void;
  update(n: number): void;
  final(): void;
}

/** The bytes one update() takes (INPUT_SIZE in sha256.c). */
const WASM_INPUT = 65536;

let wasmSha: WasmSha256 | null | undefined;

function wasmSha256(): WasmSha256 | null {
  if (wasmSha === undefined) {
    try {
      const text = atob(SHA256_WASM_BASE64);
      const bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
      wasmSha = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as WasmSha256;
    } catch {
      wasmSha = null; // no WebAssembly here (or a policy refusing it): JavaScript then
    }
  }
  return wasmSha;
}

function wasmHex(w: WasmSha256, bytes: Uint8Array): string {
  const input = w.input();
  w.init();
  for (let at = 0; at < bytes.length; at += WASM_INPUT) {
    const part = bytes.subarray(at, Math.min(bytes.length, at + WASM_INPUT));
    new Uint8Array(w.memory.buffer, input, part.length).set(part);
    w.update(part.length);
  }
  w.final();
  return toHex(new Uint8Array(w.memory.buffer, w.out(), 32));
}

export function sha256Hex(bytes: Uint8Array): string {
  if (bytes.length < SMALL) {
    const w = wasmSha256();
    if (w) return wasmHex(w, bytes);
  }
  const h = factory();
  h.update(bytes);
  return h.hex();
}

export function digestOf(bytes: Uint8Array): Digest {
  return `sha256:${sha256Hex(bytes)}`;
}

const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
const ANY_ALGORITHM_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

export function isDigest(s: string): s is Digest {
  return DIGEST_RE.test(s);
}

/** Validates a digest string; other algorithms are refused by name. */
export function parseDigest(s: string): Digest {
  if (isDigest(s)) return s;
  if (ANY_ALGORITHM_RE.test(s) && !s.startsWith('sha256:')) {
    throw new InvalidReferenceError(`unsupported digest algorithm: ${s.slice(0, s.indexOf(':'))}`);
  }
  throw new InvalidReferenceError(`invalid digest format: ${s}`);
}

/** The 64 hex digits of a digest (used as a file name). */
export function digestHex(d: Digest): string {
  return d.slice(7);
}

/** Docker's 12-character short id. */
export function shortId(d: string): string {
  return (d.startsWith('sha256:') ? d.slice(7) : d).slice(0, 12);
}

/** Throws DigestMismatchError unless `bytes` hash to `expected`. */
export function verifyDigest(bytes: Uint8Array, expected: Digest, what = 'content'): void {
  const actual = digestOf(bytes);
  if (actual !== expected) throw new DigestMismatchError(expected, actual, { what });
}

/** Hashes a stream as it passes (downloads); `verify()` checks the total. */
export class DigestVerifier {
  readonly expected: Digest;
  private readonly hash = createSha256();
  private count = 0;
  constructor(expected: Digest) {
    this.expected = parseDigest(expected);
  }
  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.count += chunk.byteLength;
  }
  get size(): number {
    return this.count;
  }
  /** The digest of what was written (ends the verifier). */
  digest(): Digest {
    return `sha256:${this.hash.hex()}`;
  }
  /** Throws DigestMismatchError naming the expected digest if the content differs. */
  verify(what = 'content'): void {
    const actual = this.digest();
    if (actual !== this.expected) throw new DigestMismatchError(this.expected, actual, { what });
  }
}
