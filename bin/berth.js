#!/usr/bin/env node
// The `berth` command: kept tiny so start-up is one bundle read (dist/cli.js, built by
// `npm run build`, which `npm install` runs through `prepare`).
import('../dist/cli.js').then(
  (cli) => cli.main(process.argv.slice(2)),
  (e) => {
    process.stderr.write(`berth: cannot load dist/cli.js (run \`npm run build\`): ${e.message}\n`);
    process.exitCode = 125;
  },
);
