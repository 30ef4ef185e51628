import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One test file at a time: most files start berth CLIs, engines, registries and worker pools
    // of their own, and two such files at once on 2 cores starved CLIs into rare, random failures.
    maxWorkers: 1,
    // Whole-CLI and multi-process tests share 2 cores; one retry keeps a timing-starved run from
    // failing CI, while a real failure still fails twice. Flaky cases are named in the notes.
    retry: 1,
    // Docker Hub is a closed loopback port in tests (and in every berth subprocess they start):
    // a test that pulls by accident fails at once instead of reaching the Internet.
    env: { BERTH_DOCKER_HUB_ORIGIN: 'http://127.0.0.1:2' },
  },
});
