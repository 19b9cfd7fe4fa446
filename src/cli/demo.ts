/**
 * `switchboard demo [--backend asterisk|freeswitch] [--config F]`: the controller against the
 * embedded PBX simulator, placing scripted calls that show each rule, with a live table. Ends by
 * itself. Nothing is written outside a temporary folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { silentLogger, createLogger } from '../log.js';
import { Controller } from '../controller.js';
import { Store } from '../store/index.js';
import { DEMO_CALLS, DEMO_CONTACTS, demoDuration } from '../demo/script.js';
import { LiveTable, legNames, type Row } from '../demo/table.js';
import { startAsteriskDemoPbx, type DemoPbx } from '../demo/pbx.js';
import type { CallRecord } from '../call/record.js';
import { DEFAULT_CONFIG_PATH, parseArgs, type Command } from './io.js';

const DEMO_RING_SECONDS = 3;
const DEMO_CONFIRM_SECONDS = 2;

/** The example config with ring times cut to a few seconds and no CRM, so the demo runs quickly. */
export function demoConfig(config: Config): Config {
  const short = (s: number | undefined) => Math.min(s ?? 20, DEMO_RING_SECONDS);
  return {
    ...config,
    contacts: {},
    numbers: config.numbers.map((n) => ({ ...n, ringSeconds: short(n.ringSeconds) })),
    // The time to press 1 is cut too, so a mobile that does not confirm is seen to lose (section 8).
    confirm: { ...config.confirm, seconds: Math.min(config.confirm.seconds, DEMO_CONFIRM_SECONDS) },
    ringGroups: config.ringGroups.map((g) => ({ ...g, ringSeconds: short(g.ringSeconds) })),
    distributions: config.distributions.map((d) => ({ ...d, steps: d.steps.map((s) => (typeof s === 'string' ? { group: s, ringSeconds: DEMO_RING_SECONDS } : { ...s, ringSeconds: short(s.ringSeconds) })) })),
  };
}

async function startPbx(backend: string): Promise<DemoPbx> {
  if (backend === 'freeswitch') return (await import('../demo/pbx-freeswitch.js')).startFreeswitchDemoPbx();
  return startAsteriskDemoPbx();
}

export const demoCommand: Command = async (argv, io) => {
  const { opts } = parseArgs(argv);
  const backend = opts.get('backend') ?? 'asterisk';
  if (backend !== 'asterisk' && backend !== 'freeswitch') {
    io.stderr.write('switchboard demo: --backend must be asterisk or freeswitch\n');
    return 2;
  }
  let loaded;
  try {
    loaded = await loadConfig(resolve(io.cwd, opts.get('config') ?? DEFAULT_CONFIG_PATH), io.env, { cwd: io.cwd });
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-demo-'));
  const pbx = await startPbx(backend);
  const store = await Store.open(join(dir, 'demo.db'));
  await store.contacts.upsertBatch(DEMO_CONTACTS);
  // The after-hours call must not depend on when the demo runs: every schedule is switched to
  // night, exactly as `switchboard schedule ID closed` does (the override lives in the demo's store).
  for (const s of loaded.config.schedules) await store.overrides.set(s.id, 'closed');
  const config = pbx.configure(demoConfig(loaded.config));
  const rows: Row[] = DEMO_CALLS.map((c, i) => ({ n: i + 1, title: c.title, from: c.from, to: c.to, expect: c.expect, rules: [], rang: [], state: 'waiting' }));
  const byCall = new Map<string, Row>();
  const table = new LiveTable(io.stdout, rows);
  const finished = new Set<string>();
  let allDone!: () => void;
  const done = new Promise<void>((r) => (allDone = r));

  io.stdout.write(`Switchboard demo: ${config.company.name ?? 'the example company'} on a simulated ${backend === 'asterisk' ? 'Asterisk (ARI)' : 'FreeSWITCH (ESL)'}\n`);
  io.stdout.write(`Config: ${loaded.file} (ring times cut to ${DEMO_RING_SECONDS} s and the time to press ${loaded.config.confirm.key} to ${DEMO_CONFIRM_SECONDS} s for the demo; CRM look-up off${loaded.config.schedules.length ? `; schedules forced closed: ${loaded.config.schedules.map((s) => s.id).join(', ')}` : ''})\n\n`);
  const controller = await Controller.start({
    loaded: { ...loaded, config },
    log: io.env.LOG_LEVEL ? createLogger({ level: io.env.LOG_LEVEL }) : silentLogger(),
    store,
    observer: {
      attemptStarted: (rec, legs) => {
        const row = byCall.get(rec.id);
        if (!row) return;
        const rule = legs[0]?.rule;
        if (rule && row.rules.at(-1) !== rule) row.rules.push(rule);
        row.rang.push(...legNames(legs).filter((n) => !row.rang.includes(n)));
        row.state = 'ringing';
      },
      callEnded: (rec: CallRecord) => {
        const row = byCall.get(rec.id);
        if (!row) return;
        row.record = rec;
        if (rec.rules.length) row.rules = [...rec.rules];
        finished.add(rec.id);
        if (finished.size === DEMO_CALLS.length) allDone();
      },
    },
  });

  pbx.attach?.(controller.backend);
  const timer = setInterval(() => table.render(), 250);
  const placing = DEMO_CALLS.map(
    (c, i) =>
      new Promise<void>((res) =>
        setTimeout(async () => {
          for (const [device, behaviour] of c.devices) pbx.driver.setDevice(device, behaviour);
          try {
            const { callId } = await pbx.driver.placeCall({ from: c.from, to: c.to, hangupAfterMs: c.hangupAfterMs });
            byCall.set(callId, rows[i]!);
            rows[i]!.state = 'arriving';
          } catch (err) {
            rows[i]!.state = `not placed: ${(err as Error).message}`;
          }
          res();
        }, c.at * 1000),
      ),
  );
  await Promise.all(placing);
  let deadline: NodeJS.Timeout | undefined;
  const inTime = await Promise.race([done.then(() => true), new Promise<boolean>((r) => (deadline = setTimeout(() => r(false), demoDuration() + 15_000)))]);
  clearTimeout(deadline);
  clearInterval(timer);
  table.render();
  await controller.stop(2000);
  const leaks = pbx.driver.live();
  const voicemails = pbx.driver.voicemails();
  await pbx.stop();
  await store.close();
  await rm(dir, { recursive: true, force: true });

  io.stdout.write(`\n${rows.map((r) => `${String(r.n).padStart(2)}. ${r.title}: expected ${r.expect}`).join('\n')}\n`);
  io.stdout.write(`\nVoicemails left: ${voicemails.join(', ') || 'none'}. Channels left on the PBX: ${leaks.channels}, bridges: ${leaks.bridges}.\n`);
  io.stdout.write(`Try next: switchboard explain --config ${opts.get('config') ?? DEFAULT_CONFIG_PATH} --to +12025550200 --from +12025550999\n`);
  if (!inTime) io.stderr.write('demo: some calls did not finish in time\n');
  return inTime ? 0 : 1;
};
