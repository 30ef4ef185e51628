#!/usr/bin/env node
// `node bin/berth.js …` as before: the command itself is bin/berth.cjs (CommonJS, which starts
// faster than an ES module).
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./berth.cjs');
