/** Run the ARI simulator standalone: `npx tsx src/sim/asterisk/main.ts --port 8088 [--user u --password p]`. */
import { AriSimulator } from './index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

const sim = await AriSimulator.start({
  port: Number(arg('port', '8088')),
  host: arg('host', '127.0.0.1'),
  username: arg('user', process.env.ARI_USERNAME ?? 'switchboard'),
  password: arg('password', process.env.ARI_PASSWORD ?? 'switchboard'),
  stasisArgs: (['none', 'exten', 'shipped'] as const).find((v) => v === arg('stasis-args', 'shipped')) ?? 'shipped',
});
sim.events.on('error', (err: unknown) => process.stderr.write(`sim error: ${String(err)}\n`));
process.stdout.write(`ARI simulator listening on ${sim.url}/ari (control API: ${sim.url}/_sim/)\n`);
const shutdown = (): void => {
  void sim.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
