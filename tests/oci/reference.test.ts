import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from '../../runtime/errors.ts';
import {
  canonicalString,
  familiarName,
  familiarString,
  parseReference,
} from '../../runtime/oci/reference.ts';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseReference (Docker normalisation)', () => {
  it.each([
    ['ubuntu', 'docker.io', 'library/ubuntu', 'latest', undefined, 'ubuntu:latest'],
    ['ubuntu:20.04', 'docker.io', 'library/ubuntu', '20.04', undefined, 'ubuntu:20.04'],
    ['library/ubuntu', 'docker.io', 'library/ubuntu', 'latest', undefined, 'ubuntu:latest'],
    ['docker.io/ubuntu', 'docker.io', 'library/ubuntu', 'latest', undefined, 'ubuntu:latest'],
    ['index.docker.io/library/ubuntu', 'docker.io', 'library/ubuntu', 'latest', undefined, 'ubuntu:latest'],
    [
      'gordon/get-started:part2',
      'docker.io',
      'gordon/get-started',
      'part2',
      undefined,
      'gordon/get-started:part2',
    ],
    [
      '127.0.0.1:5000/gordon/get-started:part2',
      '127.0.0.1:5000',
      'gordon/get-started',
      'part2',
      undefined,
      '127.0.0.1:5000/gordon/get-started:part2',
    ],
    ['localhost/app', 'localhost', 'app', 'latest', undefined, 'localhost/app:latest'],
    ['localhost:5000/app:v1', 'localhost:5000', 'app', 'v1', undefined, 'localhost:5000/app:v1'],
    ['[::1]:5000/app', '[::1]:5000', 'app', 'latest', undefined, '[::1]:5000/app:latest'],
    ['example.com/a/b/c', 'example.com', 'a/b/c', 'latest', undefined, 'example.com/a/b/c:latest'],
    ['docker.io/library/a/b', 'docker.io', 'library/a/b', 'latest', undefined, 'library/a/b:latest'],
    [`ubuntu@${D}`, 'docker.io', 'library/ubuntu', undefined, D, `ubuntu@${D}`],
    [`ubuntu:22.04@${D}`, 'docker.io', 'library/ubuntu', '22.04', D, `ubuntu:22.04@${D}`],
    ['a__b-c---e/x_y.z', 'docker.io', 'a__b-c---e/x_y.z', 'latest', undefined, 'a__b-c---e/x_y.z:latest'],
    ['Foo.com/bar', 'Foo.com', 'bar', 'latest', undefined, 'Foo.com/bar:latest'],
    ['Foo/bar', 'Foo', 'bar', 'latest', undefined, 'Foo/bar:latest'],
  ])('%s', (input, registry, repository, tag, digest, familiar) => {
    const ref = parseReference(input);
    expect(ref.registry).toBe(registry);
    expect(ref.repository).toBe(repository);
    expect(ref.tag).toBe(tag);
    expect(ref.digest).toBe(digest);
    expect(familiarString(ref)).toBe(familiar);
  });

  it('keeps the tag absent when asked', () => {
    expect(parseReference('ubuntu', { defaultTag: false }).tag).toBeUndefined();
  });

  it('gives the canonical key and the familiar name', () => {
    const ref = parseReference('hello-world');
    expect(canonicalString(ref)).toBe('docker.io/library/hello-world:latest');
    expect(familiarName(ref)).toBe('hello-world');
  });

  it.each([
    ['UBUNTU', 'invalid reference format: repository name (library/UBUNTU) must be lowercase'],
    ['gordon/Get', 'invalid reference format: repository name (gordon/Get) must be lowercase'],
    ['ubuntu:', 'invalid reference format'],
    ['ubuntu:-x', 'invalid reference format'],
    ['-ubuntu', 'invalid reference format'],
    ['ubuntu//x', 'invalid reference format'],
    ['ubuntu@sha256:abc', 'invalid reference format'],
    [`ubuntu@sha512:${'a'.repeat(128)}`, 'unsupported digest algorithm: sha512'],
    [
      'a'.repeat(64),
      `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`,
    ],
    [
      `${'a/'.repeat(130)}a`,
      'invalid reference format: repository name must not be more than 255 characters',
    ],
    ['', 'invalid reference format: repository name must have at least one component'],
    ['a_b.c/x', 'invalid reference format'],
    [`ubuntu:${'t'.repeat(129)}`, 'invalid reference format'],
  ])('refuses %s', (input, message) => {
    expect(() => parseReference(input)).toThrow(InvalidReferenceError);
    expect(() => parseReference(input)).toThrow(message);
  });
});

describe('familiarKey (fast path for stored canonical keys)', () => {
  it('agrees with familiarString on canonical keys', async () => {
    const { familiarKey } = await import('../../runtime/images/image-match.ts');
    for (const input of [
      'ubuntu',
      'ubuntu:20.04',
      'gordon/get-started:part2',
      'docker.io/library/a/b:c',
      '127.0.0.1:5000/x/y:z',
      'localhost/app',
      `ubuntu@${D}`,
      `gordon/x@${D}`,
    ]) {
      const ref = parseReference(input);
      expect(familiarKey(canonicalString(ref))).toBe(familiarString(ref));
    }
  });
});
