// Container ids and names: 64 random hex digits (12 shown), Docker-style `adjective_surname`
// names when none is given, and Docker's rule for valid names.

import { InvalidReferenceError } from '../errors.ts';

const adjectives = [
  'admiring',
  'brave',
  'busy',
  'calm',
  'clever',
  'cool',
  'dreamy',
  'eager',
  'elated',
  'epic',
  'festive',
  'focused',
  'gallant',
  'happy',
  'hopeful',
  'jolly',
  'keen',
  'kind',
  'loving',
  'lucid',
  'modest',
  'nifty',
  'optimistic',
  'peaceful',
  'quirky',
  'relaxed',
  'serene',
  'sharp',
  'stoic',
  'sweet',
  'tender',
  'trusting',
  'upbeat',
  'vibrant',
  'wizardly',
  'zealous',
];
const surnames = [
  'babbage',
  'bell',
  'carson',
  'curie',
  'darwin',
  'dijkstra',
  'einstein',
  'euler',
  'fermat',
  'feynman',
  'galois',
  'gauss',
  'hopper',
  'hypatia',
  'kepler',
  'knuth',
  'lamport',
  'liskov',
  'lovelace',
  'mccarthy',
  'meitner',
  'newton',
  'noether',
  'pascal',
  'ritchie',
  'shannon',
  'thompson',
  'torvalds',
  'turing',
  'wozniak',
];

/** Web Crypto by default; Node installs a cheaper source (shims/platform/node/urandom.ts). */
let fillRandom = (bytes: Uint8Array<ArrayBuffer>): void => {
  globalThis.crypto.getRandomValues(bytes);
};

/** Replaces where container ids and names take their randomness from. */
export function useRandomSource(fill: (bytes: Uint8Array<ArrayBuffer>) => void): void {
  fillRandom = fill;
}

const randomInt = (n: number): number => {
  const b = new Uint8Array(4);
  fillRandom(b);
  return new DataView(b.buffer).getUint32(0) % n;
};

export function newContainerId(): string {
  const bytes = new Uint8Array(32);
  fillRandom(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function randomName(): string {
  return `${adjectives[randomInt(adjectives.length)]}_${surnames[randomInt(surnames.length)]}`;
}

const validName = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function checkName(name: string): string {
  const bare = name.startsWith('/') ? name.slice(1) : name;
  if (!validName.test(bare)) {
    throw new InvalidReferenceError(
      `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
    );
  }
  return bare;
}
