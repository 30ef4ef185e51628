// testcontainers (the Node SDK test suites use for throwaway containers, over dockerode) against
// `berth system service`: the "fresh sandbox per test" use, by a real client berth did not write.
// Ryuk (its reaper, an image from Docker Hub) is off, and the host it connects to is 127.0.0.1:
// inside a container it would otherwise pick the bridge gateway, a virtual address of berth's
// that must never be dialled for real.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { repo } from '../cli/cli-harness.ts';
import { type Service, startService } from './service-harness.ts';

let svc: Service;
beforeAll(async () => {
  svc = await startService();
  const built = await svc.berth([
    'build',
    '-q',
    '-t',
    'friendlyhello',
    join(repo, 'examples', 'friendlyhello'),
  ]);
  if (built.code !== 0) throw new Error(built.stderr);
  process.env.DOCKER_HOST = svc.env.DOCKER_HOST;
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  process.env.TESTCONTAINERS_HOST_OVERRIDE = '127.0.0.1';
}, 60_000);
afterAll(() => svc?.stop());

describe('testcontainers → berth system service', () => {
  test('GenericContainer: start with a log wait, the mapped port answers, exec, stop removes it', async () => {
    const { GenericContainer, Wait } = await import('testcontainers');
    const container = await new GenericContainer('friendlyhello')
      .withExposedPorts(80)
      .withWaitStrategy(Wait.forLogMessage('Serving friendlyhello'))
      .start();
    expect(container.getHost()).toBe('127.0.0.1');
    const page = await (await fetch(`http://127.0.0.1:${container.getMappedPort(80)}/`)).text();
    expect(page).toContain('Hello World!');
    const exec = await container.exec(['sh', '-c', 'echo from-exec; exit 3']);
    expect(exec).toMatchObject({ output: 'from-exec\n', exitCode: 3 });
    const id = container.getId();
    await container.stop();
    const gone = await svc.docker(['inspect', id]);
    expect(gone.code).not.toBe(0);
  });

  test('withCommand, a log wait, the logs stream, stop with a timeout', async () => {
    const { GenericContainer, Wait } = await import('testcontainers');
    const container = await new GenericContainer('berthbox')
      .withCommand(['sh', '-c', 'echo ready; sleep 30'])
      .withWaitStrategy(Wait.forLogMessage('ready'))
      .start();
    const logs: string[] = [];
    const stream = await container.logs();
    stream.on('data', (line: string) => logs.push(line));
    await new Promise((r) => setTimeout(r, 300));
    expect(logs.join('')).toContain('ready');
    const stopped = await container.stop({ timeout: 1 });
    expect(stopped.getId()).toBe(container.getId());
  });
});
