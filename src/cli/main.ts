/**
 * `switchboard <command>`: the command-line entry. Each command lives in its own module,
 * loaded on demand so that `explain` does not pay for the ARI client.
 */
import type { CliIO, Command } from './io.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: { summary: 'run the controller against the PBX named in the config', load: async () => (await import('./run.js')).runCommand },
  demo: { summary: 'start the embedded simulator and the controller, and place demo calls', load: async () => (await import('./demo.js')).demoCommand },
  'check-config': { summary: 'validate a config file (exit 0 ok, 2 errors)', load: async () => (await import('./check-config.js')).checkConfigCommand },
  schema: { summary: 'print the JSON Schema of the config file', load: async () => (await import('./schema.js')).schemaCommand },
  explain: { summary: 'print the route a call would take', load: async () => (await import('./explain.js')).explainCommand },
  contacts: { summary: 'contacts import FILE.csv | contacts lookup PHONE', load: async () => (await import('./contacts.js')).contactsCommand },
  schedule: { summary: 'schedule [ID open|closed|auto]: business hours now, or the day/night override', load: async () => (await import('./schedule.js')).scheduleCommand },
  block: { summary: 'block [add|remove NUMBER_OR_PREFIX]: the run-time block list', load: async () => (await import('./block.js')).blockCommand },
  dnd: { summary: 'dnd [USER on|off]: who is on do-not-disturb, or set it', load: async () => (await import('./dnd.js')).dndCommand },
  calls: { summary: 'print the call log, newest first', load: async () => (await import('./calls.js')).callsCommand },
  simulate: { summary: 'place scripted inbound calls on an Asterisk (real or simulated)', load: async () => (await import('./simulate.js')).simulateCommand },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: switchboard <command> [--config FILE] [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

/** Run one CLI invocation; returns the exit status. */
export async function main(argv: string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() }): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage());
    return name ? 0 : 2;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr.write(`switchboard: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  const command = await entry.load();
  return command(rest, io);
}
