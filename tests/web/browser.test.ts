// The browser proof: the same core, bundled by Vite, runs a C program in headless Chromium.
// The playground page (web/) is built to a temp dir, served by `vite preview` on 127.0.0.1 with
// the COOP/COEP headers from vite.config.ts, and driven like a person would: fill the form, press
// Run, read stdout and the exit status off the page.

import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build, type PreviewServer, preview } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestPath, repoRoot } from '../sandbox/compile-guest.ts';

const configFile = join(repoRoot, 'vite.config.ts');
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('berth in headless Chromium', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'berth-web-'));
  let server: PreviewServer;
  let browser: Browser;
  let page: Page;
  let origin: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    await build({ configFile, logLevel: 'error', build: { outDir, emptyOutDir: true } });
    mkdirSync(join(outDir, 'guests'));
    copyFileSync(guestPath('proof-hello'), join(outDir, 'guests/proof-hello.wasm'));
    server = await preview({
      configFile,
      logLevel: 'error',
      build: { outDir },
      preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
    });
    const address = server.httpServer.address();
    if (!address || typeof address === 'string') throw new Error('vite preview has no TCP address');
    origin = `http://127.0.0.1:${address.port}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
    page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'berthPlayground' in window, undefined, { timeout: 20_000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('serves the page cross-origin isolated, so SharedArrayBuffer exists', async () => {
    const response = await page.request.get(`${origin}/`);
    expect(response.headers()['cross-origin-opener-policy']).toBe('same-origin');
    expect(response.headers()['cross-origin-embedder-policy']).toBe('require-corp');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('function');
    expect(await page.textContent('#isolation')).toContain('is cross-origin isolated');
  });

  it('runs proof-hello.c from the form: file through the overlay, argv, env, exit code', async () => {
    await page.fill('#module-url', './guests/proof-hello.wasm');
    await page.fill('#args', 'proof-hello\nfirst arg\nzweites-ärg');
    await page.fill('#env', 'GREETING=hello from Chromium\nEXIT_CODE=7');
    await page.click('#run');
    await page.waitForFunction(
      () => /exited|trapped|failed/.test(document.getElementById('status')!.textContent!),
      undefined,
      {
        timeout: 30_000,
      },
    );
    expect(await page.textContent('#status')).toBe('exited with code 7');
    expect(await page.textContent('#stdout')).toBe(
      [
        'argv[0]=proof-hello',
        'argv[1]=first arg',
        'argv[2]=zweites-ärg',
        'env GREETING=hello from Chromium',
        'read back 43 bytes (size 43): written through the overlay by proof-hello',
        '',
      ].join('\n'),
    );
    expect(await page.textContent('#stderr')).toBe('');
    expect(pageErrors).toEqual([]);
  });

  it('runs the built-in hello-world image the page offers by default', async () => {
    const run = await page.evaluate(() =>
      window.berthPlayground.runModule({
        url: window.berthPlayground.images['hello-world']!,
        args: ['hello-world'],
        env: {},
      }),
    );
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Hello from berth!');
    expect(run.stderr).toBe('');
  });

  it('reports a module that cannot run as a clear error, and the page keeps working', async () => {
    const bad = await page.evaluate(async () => {
      // A valid module that imports a function no WASI provides.
      const bytes = new Uint8Array([
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x02, 0x0b, 0x01,
        0x03, 0x65, 0x6e, 0x76, 0x03, 0x6e, 0x6f, 0x70, 0x00, 0x00,
      ]);
      const url = URL.createObjectURL(new Blob([bytes], { type: 'application/wasm' }));
      return window.berthPlayground.runModule({ url, args: ['bad'], env: {} });
    });
    expect(bad.exitCode).toBe(126);
    // (How clearly the import is named is checked in tests/sandbox/bad-modules.test.ts.)
    expect(bad.stderr).toMatch(/^berth: cannot execute: .*env/m);
    expect(bad.error).toMatch(/env/);
    const again = await page.evaluate(() =>
      window.berthPlayground.runModule({ url: './guests/proof-hello.wasm', args: ['again'], env: {} }),
    );
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('env GREETING=(unset)');
  });
});
