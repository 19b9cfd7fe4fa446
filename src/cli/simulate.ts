/**
 * `switchboard simulate --config F --ari URL --calls FILE [--json] [--username U --password P]
 *  [--timeout S] [--context from-trunk] [--caller-context sim-caller]`:
 * place scripted inbound calls on a running Asterisk (real, or the simulator) as a carrier delivers
 * them, read what the controller logged for each, and compare it with the scenario's `expect`.
 * Exit 0 when every call went as expected, 1 when one did not, 2 for bad usage or input or no ARI.
 */
import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import { AriHttpError, ConfigError, formatConfigIssue, SwitchboardError } from '../errors.js';
import { SimulateAri } from '../simulate/ari.js';
import { formatReportTable, toJsonReport } from '../simulate/report.js';
import { runScenario } from '../simulate/runner.js';
import { loadScenarioFile, type Scenario } from '../simulate/scenario.js';
import { openStore } from '../store/open.js';
import type { SwitchboardStore } from '../runtime/store.js';
import { DEFAULT_CONFIG_PATH, parseArgs, type CliIO, type Command } from './io.js';

const USAGE =
  'usage: switchboard simulate [--config FILE] --calls SCENARIO.yaml [--ari http://host:8088] [--json]\n' +
  '         [--username U] [--password P] [--timeout SECONDS] [--context from-trunk] [--caller-context sim-caller]\n';
const OPTIONS = ['config', 'ari', 'calls', 'json', 'username', 'password', 'timeout', 'context', 'caller-context'];
/** A dialplan context name, as the config schema accepts it: it goes into a dial string. */
const CONTEXT_RE = /^[A-Za-z0-9_-]{1,79}$/;

/** Place the scenario's calls and report them. */
export const simulateCommand: Command = async (argv, io) => {
  const { opts, positionals } = parseArgs(argv, ['json']);
  const unknown = [...opts.keys()].filter((k) => !OPTIONS.includes(k));
  if (unknown.length > 0 || positionals.length > 0 || !opts.get('calls') || opts.get('config') === '') {
    io.stderr.write(USAGE);
    return 2;
  }
  const bad = (what: string) => {
    io.stderr.write(`switchboard simulate: ${what}\n`);
    return 2;
  };
  const timeoutText = opts.get('timeout') ?? '60';
  const timeoutSec = /^\d{1,5}(\.\d+)?$/.test(timeoutText) ? Number(timeoutText) : NaN;
  if (!(timeoutSec > 0 && timeoutSec <= 86_400)) return bad(`--timeout ${JSON.stringify(timeoutText)}: expected seconds, more than 0`);
  const trunkContext = opts.get('context') ?? 'from-trunk';
  const callerContext = opts.get('caller-context') ?? 'sim-caller';
  for (const [flag, value] of [['--context', trunkContext], ['--caller-context', callerContext]] as const) {
    if (!CONTEXT_RE.test(value)) return bad(`${flag} ${JSON.stringify(value)}: expected a dialplan context name`);
  }

  const loaded = await readInput(() => loadConfig(opts.get('config') ?? DEFAULT_CONFIG_PATH, io.env, { cwd: io.cwd }), io);
  if (!loaded) return 2;
  const scenario = await readInput<Scenario>(() => loadScenarioFile(opts.get('calls')!, io.cwd), io);
  if (!scenario) return 2;
  // The controller is another process: simulate reads the file it writes. A missing file would be
  // created empty by Store.open and every call would then time out, hiding the real mistake.
  if (!loaded.postgresUrl) {
    if (loaded.sqlitePath === ':memory:') return bad(`${loaded.file}: storage.sqlite is ":memory:": simulate needs the controller's call-log file`);
    if (!existsSync(loaded.sqlitePath)) return bad(`call log ${loaded.sqlitePath} does not exist: start the controller with this config first`);
  }

  const url = opts.get('ari') ?? loaded.config.asterisk?.url;
  if (!url || !/^https?:\/\/[^/\s]+/.test(url)) return bad(`--ari ${JSON.stringify(url ?? '')}: expected the ARI server's http(s) URL`);
  const ari = new SimulateAri({
    url,
    username: opts.get('username') ?? loaded.config.asterisk?.username ?? 'switchboard',
    password: opts.get('password') ?? loaded.config.asterisk?.password ?? '',
  });
  try {
    await ari.ping();
  } catch (err) {
    if (err instanceof AriHttpError && (err.status === 401 || err.status === 403)) return bad(`ARI at ${url} refused the credentials (HTTP ${err.status})`);
    return bad(err instanceof SwitchboardError ? err.message : `cannot reach ARI at ${url}: ${String(err)}`);
  }

  let store: SwitchboardStore | undefined;
  try {
    store = await openStore(loaded);
    const results = await runScenario(scenario, {
      ari,
      calls: store.calls,
      options: { trunkContext, callerContext, timeoutMs: timeoutSec * 1000 },
      onResult: (r, i) => io.stderr.write(`[${i + 1}/${scenario.calls.length}] ${r.expectation.ok ? 'ok  ' : 'FAIL'} ${r.call.name}\n`),
    });
    io.stdout.write(opts.has('json') ? `${JSON.stringify(toJsonReport(results), null, 2)}\n` : formatReportTable(results));
    return results.every((r) => r.expectation.ok) ? 0 : 1;
  } catch (err) {
    io.stderr.write(`switchboard simulate: ${err instanceof SwitchboardError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await store?.close().catch(() => undefined);
  }
};

/** Load a config or scenario file; on ConfigError print every issue and return null. */
async function readInput<T>(load: () => Promise<T>, io: CliIO): Promise<T | null> {
  try {
    return await load();
  } catch (err) {
    if (err instanceof ConfigError) for (const issue of err.issues) io.stderr.write(`${formatConfigIssue(issue)}\n`);
    else io.stderr.write(`switchboard simulate: ${err instanceof Error ? err.message : String(err)}\n`);
    return null;
  }
}
