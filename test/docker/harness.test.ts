/**
 * The harness's parts agree with each other without a Docker engine: the scenario file keeps
 * to the `switchboard simulate` format and uses only what the harness config defines; the
 * harness config validates; passwords, extensions, mailboxes and dialplan contexts match
 * across switchboard.yaml, the Asterisk overrides, the shipped dialplan and the phones.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { E164_RE } from '../../src/config/schema.js';
import { dialplanOf, parseAsteriskConf, sectionsNamed, stepsFor, valueOf, type ConfFile } from '../support/asterisk-conf.js';
import { REPO_ROOT } from '../support/shared.js';

const DOCKER = resolve(REPO_ROOT, 'docker');
const SHIPPED = resolve(REPO_ROOT, 'dialplan/asterisk');
const OVERRIDES = resolve(DOCKER, 'asterisk/conf');
const read = (path: string) => readFileSync(path, 'utf8');
/** What the container's /etc/asterisk holds: shipped files, then the harness overrides on top. */
const etcAsterisk = (name: string): ConfFile =>
  parseAsteriskConf(read(existsSync(resolve(OVERRIDES, name)) ? resolve(OVERRIDES, name) : resolve(SHIPPED, name)));

const ARI_PASSWORD = 'harness-ari-secret';
const { config } = parseConfigText(read(resolve(DOCKER, 'switchboard/switchboard.yaml')), 'docker/switchboard/switchboard.yaml', { ARI_PASSWORD });
const compose = parse(read(resolve(DOCKER, 'compose.yaml'))) as { services: Record<string, { environment?: Record<string, string> }> };

/** The scenario format that `switchboard simulate --calls` reads. */
const RULES = ['distribution', 'number-user', 'contact-owner', 'also-ring', 'forwarding', 'company'] as const;
const scenarioFile = z.strictObject({
  calls: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        to: z.string().regex(E164_RE),
        from: z.union([z.string().regex(E164_RE), z.literal('anonymous'), z.literal('')]),
        hangupAfterSeconds: z.number().positive().optional(),
        expect: z
          .strictObject({
            outcome: z.enum(['answered', 'voicemail', 'abandoned', 'dropped', 'failed']).optional(),
            answeredBy: z.strictObject({ user: z.string().nullable(), device: z.enum(['desk', 'app', 'mobile', 'forward', 'company']) }).nullable().optional(),
            rules: z.array(z.enum(RULES)).optional(),
          })
          .optional(),
      }),
    )
    .min(1),
});

describe('docker/scenarios/chain.yaml', () => {
  const scenarios = scenarioFile.parse(parse(read(resolve(DOCKER, 'scenarios/chain.yaml')))).calls;
  const numbers = new Set(config.numbers.map((n) => n.number));
  const users = new Set(config.users.map((u) => u.id));
  const contacts = new Set(read(resolve(DOCKER, 'switchboard/contacts.csv')).split(/\r?\n/).slice(1).map((l) => l.split(',')[0]));

  it('has a unique name per call', () => {
    expect(new Set(scenarios.map((s) => s.name)).size).toBe(scenarios.length);
  });

  it.each(scenarios.map((s) => [s.name, s] as const))('%s: calls a number the harness defines (or says it is unknown)', (_name, s) => {
    if (!numbers.has(s.to)) expect(s.name).toMatch(/unknown number/);
    if (s.expect?.answeredBy?.user) expect(users).toContain(s.expect.answeredBy.user);
    if (s.expect?.rules?.includes('contact-owner')) expect(contacts).toContain(s.from);
  });

  it.each(['number-user', 'contact-owner', 'forwarding', 'company'])('covers rule %s', (rule) => {
    expect(scenarios.some((s) => s.expect?.rules?.includes(rule as (typeof RULES)[number]))).toBe(true);
  });

  it('covers a distribution, a busy phone, a withheld caller, an unknown number and an abandoned call', () => {
    const distributionNumbers = new Set(config.numbers.filter((n) => n.distribution).map((n) => n.number));
    expect(scenarios.some((s) => distributionNumbers.has(s.to))).toBe(true);
    expect(scenarios.some((s) => s.to === config.numbers.find((n) => n.user === 'bob')?.number && s.expect?.outcome === 'voicemail')).toBe(true);
    expect(scenarios.some((s) => s.from === 'anonymous')).toBe(true);
    expect(scenarios.some((s) => !numbers.has(s.to))).toBe(true);
    expect(scenarios.some((s) => s.expect?.outcome === 'abandoned')).toBe(true);
  });

  it('given a scenario with a misspelt key, then the format check refuses it', () => {
    expect(scenarioFile.safeParse({ calls: [{ name: 'x', to: '+12025550200', from: 'anonymous', expects: {} }] }).success).toBe(false);
  });
});

describe('harness parts agree', () => {
  const pjsip = etcAsterisk('pjsip.conf');
  const endpoints = pjsip.sections.filter((s) => !s.isTemplate && valueOf(pjsip, s, 'type') === 'endpoint');
  const extensions = [etcAsterisk('extensions.conf'), parseAsteriskConf(read(resolve(SHIPPED, 'extensions_switchboard.conf')))];
  const contexts = new Set(extensions.flatMap((f) => f.sections.map((s) => s.name)));

  it('the ARI user and password are the same in ari.conf, compose.yaml and switchboard.yaml', () => {
    const ari = etcAsterisk('ari.conf');
    const [user] = sectionsNamed(ari, config.asterisk!.username);
    expect(valueOf(ari, user!, 'password')).toBe(ARI_PASSWORD);
    expect(compose.services.switchboard?.environment?.ARI_PASSWORD).toBe(ARI_PASSWORD);
    expect(compose.services.calls?.environment?.ARI_PASSWORD).toBe(ARI_PASSWORD);
    expect(config.asterisk?.url).toBe('http://asterisk:8088');
  });

  it('every harness extension.conf #include is a file the image copies', () => {
    for (const inc of etcAsterisk('extensions.conf').includes) {
      expect(existsSync(resolve(OVERRIDES, inc.path)) || existsSync(resolve(SHIPPED, inc.path)), inc.path).toBe(true);
    }
  });

  it('every user has a PJSIP endpoint, and every endpoint context exists', () => {
    for (const u of config.users) expect(endpoints.map((e) => e.name)).toContain(u.desk ?? u.extension);
    for (const e of endpoints) expect(contexts, e.name).toContain(valueOf(pjsip, e, 'context'));
  });

  it.each(readdirSync(resolve(DOCKER, 'phones/accounts')))('phone %s registers with the password of its PJSIP auth', (ext) => {
    const env = Object.fromEntries(
      read(resolve(DOCKER, 'phones/accounts', ext, 'phone.env'))
        .split(/\r?\n/)
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    expect(env.EXT).toBe(ext);
    const endpoint = endpoints.find((e) => e.name === ext)!;
    const auth = pjsip.sections.find((s) => s.name === valueOf(pjsip, endpoint, 'auth') && valueOf(pjsip, s, 'type') === 'auth')!;
    expect(valueOf(pjsip, auth, 'password')).toBe(env.PASSWORD);
  });

  it('every mailbox the harness config can use exists in voicemail.conf [default]', () => {
    const vm = etcAsterisk('voicemail.conf');
    const boxes = sectionsNamed(vm, 'default')[0]!.entries.map((e) => e.key);
    const used = [config.company.voicemail, ...config.users.map((u) => u.voicemail ?? u.extension), ...config.distributions.map((d) => d.voicemail)];
    for (const box of used.filter((b): b is string => !!b)) expect(boxes).toContain(box);
  });

  it('outside numbers go through [harness-pstn], where the company and forwarding numbers answer', () => {
    expect(config.trunks.default?.asterisk).toBe('Local/{number}@harness-pstn');
    const pstn = dialplanOf(sectionsNamed(etcAsterisk('extensions.conf'), 'harness-pstn')[0]!);
    const outside = [config.company.phone, ...config.numbers.map((n) => n.forwardTo)].filter((n): n is string => !!n);
    for (const n of outside) expect(stepsFor(pstn, n).map((s) => s.app), n).toContain('Answer');
    for (const u of config.users.filter((x) => x.mobile)) expect(stepsFor(pstn, u.mobile!).map((s) => s.app)).not.toContain('Answer');
  });

  it('the busy phone has a line-holder extension to call, in the context its endpoint uses', () => {
    const env = read(resolve(DOCKER, 'phones/accounts/1002/phone.env'));
    const dial = /^DIAL_AT_START=(\S+)$/m.exec(env)?.[1];
    expect(dial).toBeDefined();
    const context = valueOf(pjsip, endpoints.find((e) => e.name === '1002')!, 'context')!;
    const plan = dialplanOf(sectionsNamed(etcAsterisk('extensions.conf'), context)[0]!);
    expect(stepsFor(plan, dial!).map((s) => s.app)).toContain('Answer');
  });
});
