// Loads berth's settings file from disk (Node). A missing file means defaults.
import { readFileSync } from 'node:fs';
import { type BerthConfig, DEFAULT_CONFIG, parseBerthConfig } from './berth-config.ts';
import { berthConfigPath, type Env } from './node-config-paths.ts';

/**
 * Read synchronously: one small file, read before a pull's first request, where an awaited read
 * (and loading node:fs/promises for it) costs a cold `berth pull` milliseconds of loop turns.
 */
export async function loadBerthConfig(env: Env = process.env): Promise<BerthConfig> {
  return loadBerthConfigSync(env);
}

export function loadBerthConfigSync(env: Env = process.env): BerthConfig {
  const path = berthConfigPath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_CONFIG;
    throw e;
  }
  return parseBerthConfig(text, path);
}
