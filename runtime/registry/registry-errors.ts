// Registry failures as berth errors, worded like Docker's (`unauthorized: authentication required`,
// `manifest unknown: manifest unknown`). The distribution spec's error body is
// `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"…","detail":…}]}`.

import { NotFoundError, RegistryError } from '../errors.ts';
import type { HttpResponse } from './transport.ts';

export function registryFailure(message: string, cause?: unknown): RegistryError {
  return new RegistryError(message, cause === undefined ? undefined : { cause });
}

export function unauthorizedError(registry: string, detail: string): RegistryError {
  return new RegistryError(`${registry}: unauthorized: ${detail}`);
}

interface SpecError {
  code?: string;
  message?: string;
}

const MAX_ERROR_BODY = 64 * 1024;

/** Reads the (small) error body and renders `code words: message`, or the HTTP status. */
export async function describeErrorResponse(res: HttpResponse): Promise<{ text: string; codes: string[] }> {
  let raw = '';
  try {
    const buf = new Uint8Array(await res.arrayBuffer());
    raw = new TextDecoder().decode(buf.subarray(0, MAX_ERROR_BODY));
  } catch {
    // the body is only for the message
  }
  try {
    const parsed = JSON.parse(raw) as { errors?: SpecError[] };
    const errors = Array.isArray(parsed.errors) ? parsed.errors : [];
    if (errors.length > 0) {
      const text = errors
        .map((e) => {
          const code = (e.code ?? 'unknown').toLowerCase().replace(/_/g, ' ');
          return e.message ? `${code}: ${e.message}` : code;
        })
        .join('; ');
      return { text, codes: errors.map((e) => e.code ?? '') };
    }
  } catch {
    // not JSON
  }
  return { text: `${res.status} ${res.statusText || 'error'}`.trim(), codes: [] };
}

/** An error for a failed registry response; 404s become NotFoundError, 401/403 name `unauthorized`. */
export async function errorFromResponse(
  res: HttpResponse,
  what: string,
): Promise<RegistryError | NotFoundError> {
  const { text, codes } = await describeErrorResponse(res);
  if (res.status === 404) return new NotFoundError(`${what}: ${text}`);
  // A HEAD's 401 has no body; name the problem the way the registry's JSON would.
  if (res.status === 401 && !codes.includes('UNAUTHORIZED')) {
    return new RegistryError(`${what}: unauthorized: authentication required`);
  }
  if (res.status === 403 && codes.length === 0) {
    return new RegistryError(`${what}: denied: requested access to the resource is denied`);
  }
  return new RegistryError(`${what}: ${text}`);
}
