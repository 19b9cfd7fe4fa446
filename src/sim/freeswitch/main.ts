/**
 * Run the ESL simulator standalone:
 *   tsx src/sim/freeswitch/main.ts [--esl-port 8021] [--password ClueCon] [--target 127.0.0.1:8040] [--users 1001,1002,alice-app]
 * Every target answers after 2 s unless told otherwise; `--users` are the registered phones (default 1000-1019); type `call <from> <to>` on stdin to place a call.
 */
import { createInterface } from 'node:readline';
import { EslSimulator } from './simulator.js';

/** Parse `--name value` pairs. */
function flags(argv: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < argv.length - 1; i += 2) m.set((argv[i] ?? '').replace(/^--/, ''), argv[i + 1] ?? '');
  return m;
}

const f = flags(process.argv.slice(2));
const [host = '127.0.0.1', port = '8040'] = (f.get('target') ?? '127.0.0.1:8040').split(':');
const sim = await EslSimulator.start({
  eslPort: Number(f.get('esl-port') ?? 8021),
  password: f.get('password') ?? 'ClueCon',
  socketTarget: { host, port: Number(port) },
  failsafe: { companyPhone: f.get('company-phone'), companyMailbox: f.get('company-mailbox') },
  ...(f.get('users') ? { directory: f.get('users')!.split(',').filter(Boolean) } : {}),
});
sim.setDefaultDevice({ kind: 'answer', afterMs: 2000 });
process.stdout.write(`ESL simulator: inbound ESL on 127.0.0.1:${sim.eslPort}, calls go to ${host}:${port}\n`);
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const [cmd, from, to] = line.trim().split(/\s+/);
  if (cmd === 'call' && from && to) void sim.placeInboundCall({ from, to }).then(({ uuid }) => process.stdout.write(`call ${uuid}\n`));
  else if (cmd === 'quit') void sim.stop().then(() => process.exit(0));
});
process.on('SIGINT', () => void sim.stop().then(() => process.exit(0)));
