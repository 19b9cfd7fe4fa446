/**
 * The Docker harness's card, without Docker: `switchboard simulate` with docker/scenarios/chain.yaml
 * against a real Asterisk. As in docker/compose.yaml: the controller is `switchboard run` with
 * docker/switchboard/switchboard.yaml (only the ARI address, the store and the metrics port
 * changed) after `contacts import` of the harness's contacts; the desk phones are real SIP phones
 * that register (SIPp instead of baresip: 1001 answers, 1002 is busy, 1003 never answers); the
 * outside numbers are the harness's own [harness-pstn] dialplan context.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { describePbx, locateAsterisk } from '../support/locate.js';
import { REPO_ROOT } from '../../support/shared.js';
import { startCli, type Child } from '../../support/child.js';
import { waitFor } from '../../support/wait.js';
import { AsteriskInstance } from './instance.js';
import { Sipp } from './sipp.js';
import { AriObserver } from './observer.js';

const asterisk = locateAsterisk();
const DOCKER = resolve(REPO_ROOT, 'docker');

/** One `[context]` of the harness's extensions.conf, as written there. */
function harnessContext(name: string): string {
  const text = readFileSync(join(DOCKER, 'asterisk/conf/extensions.conf'), 'utf8');
  const start = text.indexOf(`[${name}]`);
  if (start < 0) throw new Error(`docker/asterisk/conf/extensions.conf has no [${name}]`);
  const next = text.slice(start + 1).search(/^\[/m);
  return text.slice(start, next < 0 ? undefined : start + 1 + next);
}

describePbx('switchboard simulate with the Docker harness scenario, on a real Asterisk', asterisk, () => {
  if ('missing' in asterisk) return;
  let inst: AsteriskInstance;
  let sipp: Sipp;
  let obs: AriObserver;
  let controller: Child | undefined;
  let dir: string;
  let configFile: string;
  const phones = { '1001': 'pw-1001', '1002': 'pw-1002', '1003': 'pw-1003' };

  beforeAll(async () => {
    inst = await AsteriskInstance.start(asterisk, { sipPhones: phones, extraDialplan: harnessContext('harness-pstn') });
    sipp = new Sipp(inst.dir, inst);
    obs = await AriObserver.connect(inst);
    const kinds = { '1001': 'answer', '1002': 'busy', '1003': 'noanswer' } as const;
    for (const [ext, kind] of Object.entries(kinds)) {
      const uas = await sipp.phone(kind, 100);
      await sipp.register(ext, phones[ext as keyof typeof phones], uas.port);
    }
    dir = mkdtempSync(join(tmpdir(), 'sb-simulate-'));
    const config = parse(readFileSync(join(DOCKER, 'switchboard/switchboard.yaml'), 'utf8'));
    config.asterisk.url = inst.ariUrl;
    config.storage.sqlite = join(dir, 'switchboard.db');
    config.http.listen = '127.0.0.1:0';
    configFile = join(dir, 'switchboard.yaml');
    writeFileSync(configFile, stringify(config));
    const env = { ARI_PASSWORD: inst.ariPassword };
    const imported = startCli(['contacts', 'import', '--config', configFile, join(DOCKER, 'switchboard/contacts.csv')], env);
    expect(await imported.exited, imported.output()).toBe(0);
    controller = startCli(['run', '--config', configFile], { ...env, ...(process.env.SB_DEBUG_LOG ? { LOG_LEVEL: 'debug' } : {}) });
    await waitFor(async () => (await inst.ari('GET', '/applications/switchboard')).status === 200, 60_000, 'controller connected');
  }, 120_000);

  afterAll(async () => {
    controller?.proc.kill('SIGTERM');
    await controller?.exited;
    await sipp?.stop();
    obs?.close();
    await inst?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('given docker/scenarios/chain.yaml, then every call ends as the scenario expects', async () => {
    const sim = startCli(['simulate', '--config', configFile, '--ari', inst.ariUrl, '--calls', join(DOCKER, 'scenarios/chain.yaml'), '--username', inst.ariUser, '--password', inst.ariPassword], { ARI_PASSWORD: inst.ariPassword });
    const code = await sim.exited;
    if (process.env.SB_DEBUG_LOG) {
      writeFileSync(process.env.SB_DEBUG_LOG, controller?.output() ?? '');
      writeFileSync(`${process.env.SB_DEBUG_LOG}.events`, obs.events.map((e) => JSON.stringify(e)).join('\n'));
    }
    expect(code, `${sim.output()}\n--- controller ---\n${controller?.output().slice(-3000)}`).toBe(0);
    const calls = readFileSync(join(DOCKER, 'scenarios/chain.yaml'), 'utf8').match(/^ {2}- name:/gm)!.length;
    expect(sim.output().match(/\] ok {2}/g)?.length).toBe(calls);
  }, 300_000);
});
