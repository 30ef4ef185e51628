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

const randomInt = (n: number) => globalThis.crypto.getRandomValues(new Uint32Array(1))[0]! % n;

export function newContainerId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32));
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
