// Runs one bench module in this process and sends {title, rows} (or {error}) to the parent.
const file = process.argv[2];
try {
  const mod = await import(new URL(`../${file}`, import.meta.url).href);
  const rows = await mod.run();
  process.send({ title: mod.title, rows }, () => process.exit(0));
} catch (e) {
  process.send({ error: e?.stack ?? String(e) }, () => process.exit(1));
}
