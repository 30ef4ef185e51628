// Loads berth's settings file from disk (Node). A missing file means defaults.
import { readFile } from 'node:fs/promises';
import { type BerthConfig, DEFAULT_CONFIG, parseBerthConfig } from './berth-config.ts';
import { berthConfigPath, type Env } from './node-config-paths.ts';

export async function loadBerthConfig(env: Env = process.env): Promise<BerthConfig> {
  const path = berthConfigPath(env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_CONFIG;
    throw e;
  }
  return parseBerthConfig(text, path);
}
