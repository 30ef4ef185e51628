// Hex ids from the platform's crypto (globalThis.crypto exists on Node 20 and in browsers).

export function randomBytes(n: number): string {
  const bytes = new Uint8Array(n);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
