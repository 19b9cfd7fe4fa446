/**
 * `npm run bench [-- PART...]`: run the named benchmark parts (default: all but `real`, `multinode`, `pg-take` and `pg-presence`).
 * Each part is a module with `run(): Promise<void>` that prints its own table.
 */
const PARTS: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  planner: () => import('./planner.js'),
  load: () => import('./load.js'),
  import: () => import('./import.js'),
  'pg-take': () => import('./pg-take.js'),
  'pg-presence': () => import('./pg-presence.js'),
  real: () => import('./real.js'),
  multinode: () => import('./multinode.js'),
};

async function main(argv: string[]): Promise<number> {
  // `real` and `multinode` need the PBXs built by scripts/pbx/ (and Kamailio, SIPp) and run for
  // many minutes, `pg-take` and `pg-presence` a PostgreSQL installation (each starts its own
  // server): only when named.
  const names = argv.length > 0 ? argv : Object.keys(PARTS).filter((n) => !['real', 'multinode', 'pg-take', 'pg-presence'].includes(n));
  const unknown = names.filter((n) => !(n in PARTS));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown part ${unknown.join(', ')}; parts: ${Object.keys(PARTS).join(', ')}\n`);
    return 2;
  }
  for (const name of names) {
    process.stdout.write(`\n== ${name} ==\n`);
    await (await PARTS[name]!()).run();
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
