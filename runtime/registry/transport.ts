// The one HTTP primitive the registry client needs: fetch. Node supplies one with proxy support
// (node-transport.ts); the browser uses its own fetch.

export type Fetcher = (url: string, init?: RequestInit) => Promise<Response>;

export const browserFetcher: Fetcher = (url, init) => globalThis.fetch(url, init);
