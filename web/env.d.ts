// Vite's client types: `?url` and `?worker&url` imports, import.meta.env.
/// <reference types="vite/client" />
