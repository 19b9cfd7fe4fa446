/**
 * The shipped Asterisk configuration (dialplan/asterisk/) parses and does what spec section 4
 * asks: every inbound call goes to Stasis(switchboard), a failed Stasis() goes to the fail-safe
 * route, the voicemail context exists, ARI is on loopback, every phone can authenticate.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  dialplanOf,
  matchesExten,
  parseAsteriskConf,
  sectionsNamed,
  stepsFor,
  templateIssues,
  valueOf,
  type ConfFile,
  type ConfIssue,
  type DialplanStep,
} from '../support/asterisk-conf.js';
import { REPO_ROOT } from '../support/shared.js';

const DIR = resolve(REPO_ROOT, 'dialplan/asterisk');
const load = (name: string): ConfFile => parseAsteriskConf(readFileSync(resolve(DIR, name), 'utf8'));

function context(file: ConfFile, name: string): Map<string, DialplanStep[]> {
  const sections = sectionsNamed(file, name);
  expect(sections, `context [${name}]`).toHaveLength(1);
  const issues: ConfIssue[] = [];
  const plan = dialplanOf(sections[0]!, issues);
  expect(issues).toEqual([]);
  return plan;
}

describe('Asterisk .conf parser', () => {
  it('given sections, templates, both operators and comments, when parsed, then each lands where Asterisk puts it', () => {
    const file = parseAsteriskConf(
      [
        '; header comment',
        '#include "other.conf"',
        'LOOSE = 1',
        '[tpl](!)',
        'type = endpoint ; trailing comment',
        '[a](tpl)',
        'context => here',
        'note = semi\\;colon',
        ';-- a block',
        'hidden = yes',
        '--;',
        '[a](+)',
      ].join('\n'),
    );
    expect(file.issues).toEqual([]);
    expect(file.includes).toEqual([{ path: 'other.conf', line: 2 }]);
    expect(file.preamble.map((e) => e.key)).toEqual(['LOOSE']);
    const [a] = sectionsNamed(file, 'a');
    expect(a?.templates).toEqual(['tpl']);
    expect(valueOf(file, a!, 'type')).toBe('endpoint');
    expect(valueOf(file, a!, 'context')).toBe('here');
    expect(valueOf(file, a!, 'note')).toBe('semi;colon');
    expect(valueOf(file, a!, 'hidden')).toBeUndefined();
    expect(file.sections[2]?.additive).toBe(true);
  });

  it.each([
    ['a line that is no entry', '[x]\njust words', 'not a section'],
    ['a broken header', '[x\nk = v', 'malformed section header'],
    ['an unknown directive', '#frobnicate "x"', 'unknown directive'],
  ])('given %s, when parsed, then an issue names it instead of throwing', (_what, text, message) => {
    expect(parseAsteriskConf(text).issues[0]?.message).toContain(message);
  });

  it('given a template used before it is defined, then templateIssues reports it', () => {
    const file = parseAsteriskConf('[a](later)\nk = v\n[later](!)\n');
    expect(templateIssues(file)[0]?.message).toContain('later');
  });

  it('given exten and same lines, when read as a dialplan, then n counts on and labels are kept', () => {
    const file = parseAsteriskConf('[c]\nexten => _X.,1,NoOp()\n same => n(go),Dial(PJSIP/1,20)\nexten => s,1,Hangup\n');
    const plan = dialplanOf(file.sections[0]!);
    expect(plan.get('_X.')?.map((s) => [s.priority, s.label, s.app, s.args])).toEqual([
      [1, null, 'NoOp', ''],
      [2, 'go', 'Dial', 'PJSIP/1,20'],
    ]);
    expect(plan.get('s')?.[0]?.app).toBe('Hangup');
  });

  it('given a same line with no exten before it, then it is reported', () => {
    const issues: ConfIssue[] = [];
    dialplanOf(parseAsteriskConf('[c]\nsame => n,Hangup()\n').sections[0]!, issues);
    expect(issues[0]?.message).toContain('same');
  });

  it.each([
    ['_X.', '2025550200', true],
    ['_X.', '+12025550200', false],
    ['_+X.', '+12025550200', true],
    ['_1XXX', '1001', true],
    ['_1XXX', '10011', false],
    ['_[0-9A-Za-z].', 'sales-team', true],
    ['_[0-9A-Za-z]', 'a', true],
    ['_NXX', '155', false],
    ['s', 's', true],
  ])('pattern %s matching %s is %s', (pattern, exten, expected) => {
    expect(matchesExten(pattern, exten)).toBe(expected);
  });
});

describe('shipped Asterisk configuration (dialplan/asterisk/)', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.conf'));

  it('ships the files an admin needs', () => {
    expect(files).toEqual(
      expect.arrayContaining(['extensions_switchboard.conf', 'switchboard_globals.conf', 'ari.conf', 'http.conf', 'pjsip.conf', 'voicemail.conf']),
    );
  });

  it.each(files)('%s parses with no issue and no undefined template', (name) => {
    const file = load(name);
    expect(file.issues).toEqual([]);
    expect(templateIssues(file)).toEqual([]);
  });

  describe('extensions_switchboard.conf', () => {
    const ext = load('extensions_switchboard.conf');
    const globals = new Map(load('switchboard_globals.conf').preamble.map((e) => [e.key, e.value]));

    it.each(['+12025550200', '12025550200', '2025550200'])(
      'given a carrier call to %s, then [from-trunk] sends it to Stasis(switchboard) and on FAILED to the fail-safe route',
      (called) => {
        const steps = stepsFor(context(ext, 'from-trunk'), called);
        const stasis = steps.findIndex((s) => s.app === 'Stasis');
        expect(stasis).toBeGreaterThanOrEqual(0);
        // The number called first (spec 4), then the caller's presentation (ARI's channel has none).
        expect(steps[stasis]?.args).toBe('switchboard,${EXTEN},callerpres=${CALLERID(pres)}');
        const branch = steps[stasis + 1];
        expect(branch?.app).toBe('GotoIf');
        expect(branch?.args).toMatch(/\$\{STASISSTATUS\}"?\s*=\s*"?FAILED"?\]\?switchboard-failover,s,1$/);
        // SUCCESS (the controller let the call go): nothing else runs.
        expect(steps[stasis + 2]?.app).toBe('Hangup');
      },
    );

    it('covers both national digits and a leading "+" with the same steps', () => {
      const plan = context(ext, 'from-trunk');
      const strip = (steps: DialplanStep[] | undefined) => steps?.map((s) => [s.app, s.args]);
      expect(strip(plan.get('_+X.'))).toEqual(strip(plan.get('_X.')));
    });

    it('on FAILED, [switchboard-failover] takes the fail-safe route, unless a PJSIP call carries X-Switchboard-Failover: yes (503, Kamailio tries another node)', () => {
      const steps = stepsFor(context(ext, 'switchboard-failover'), 's');
      expect(steps.map((s) => s.app)).toEqual(['GotoIf', 'GotoIf', 'NoOp', 'Hangup']);
      // Only a PJSIP channel has headers (a Local channel would log an error for PJSIP_HEADER).
      expect(steps[0]?.args).toBe('$["${CHANNEL(channeltype)}" != "PJSIP"]?switchboard-failsafe,s,1');
      expect(steps[1]?.args).toBe('$["${PJSIP_HEADER(read,X-Switchboard-Failover)}" != "yes"]?switchboard-failsafe,s,1');
      // Cause 34 is sent as 503, the code deploy/kamailio/kamailio.cfg fails over on.
      expect(steps[3]?.args).toBe('34');
      const cfg = readFileSync(resolve(DIR, '../../deploy/kamailio/kamailio.cfg'), 'utf8');
      expect(cfg).toContain('append_hf("X-Switchboard-Failover: yes\\r\\n")');
      expect(cfg).toContain('remove_hf("X-Switchboard-Failover")');
      expect(cfg).toContain('t_check_status("503")');
    });

    it('fail-safe: dials the company phone through the trunk, then the company mailbox, then hangs up', () => {
      const steps = stepsFor(context(ext, 'switchboard-failsafe'), 's').filter((s) => s.app !== 'NoOp');
      expect(steps.map((s) => s.app)).toEqual(['Dial', 'VoiceMail', 'Hangup']);
      expect(steps[0]?.args).toBe('PJSIP/${SWITCHBOARD_COMPANY_PHONE}@${SWITCHBOARD_TRUNK},${SWITCHBOARD_FAILSAFE_RING_SECONDS}');
      expect(steps[1]?.args).toMatch(/^\$\{SWITCHBOARD_COMPANY_MAILBOX\}@default/);
    });

    it('every ${SWITCHBOARD_*} variable it uses is set in switchboard_globals.conf', () => {
      const used = [...readFileSync(resolve(DIR, 'extensions_switchboard.conf'), 'utf8').matchAll(/\$\{(SWITCHBOARD_[A-Z_]+)\}/g)].map((m) => m[1]!);
      expect(used.length).toBeGreaterThan(0);
      for (const name of new Set(used)) expect(globals.get(name), name).toMatch(/\S/);
      expect(Number(globals.get('SWITCHBOARD_FAILSAFE_RING_SECONDS'))).toBeGreaterThan(0);
    });

    it('the globals snippet has no section header (Asterisk reads only the first [globals])', () => {
      expect(load('switchboard_globals.conf').sections).toEqual([]);
    });

    it.each(['1001', '9000', 'a', 'sales-team', 'support_2'])(
      'given the controller continues a caller to mailbox %s, then [switchboard-voicemail] runs VoiceMail(${EXTEN}@default)',
      (mailbox) => {
        const steps = stepsFor(context(ext, 'switchboard-voicemail'), mailbox);
        expect(steps[0]?.priority).toBe(1);
        expect(steps[0]?.app).toBe('VoiceMail');
        expect(steps[0]?.args).toMatch(/^\$\{EXTEN\}@default/);
        expect(steps.at(-1)?.app).toBe('Hangup');
      },
    );
  });

  it('http.conf: enabled, bound to 127.0.0.1:8088, with the session limit stated', () => {
    const [general] = sectionsNamed(load('http.conf'), 'general');
    const http = load('http.conf');
    expect(valueOf(http, general!, 'enabled')).toBe('yes');
    expect(valueOf(http, general!, 'bindaddr')).toBe('127.0.0.1');
    expect(valueOf(http, general!, 'bindport')).toBe('8088');
    expect(Number(valueOf(http, general!, 'sessionlimit'))).toBeGreaterThan(32);
  });

  it('ari.conf: ARI enabled and a read-write "switchboard" user with a password', () => {
    const ari = load('ari.conf');
    expect(valueOf(ari, sectionsNamed(ari, 'general')[0]!, 'enabled')).toBe('yes');
    const [user] = sectionsNamed(ari, 'switchboard');
    expect(valueOf(ari, user!, 'type')).toBe('user');
    expect(valueOf(ari, user!, 'read_only')).toBe('no');
    expect(valueOf(ari, user!, 'password')).toMatch(/\S{8,}/);
  });

  it('voicemail.conf: mailboxes 1001-1003 and the company mailbox are in [default]', () => {
    const vm = load('voicemail.conf');
    const boxes = sectionsNamed(vm, 'default')[0]!.entries.map((e) => e.key);
    const company = load('switchboard_globals.conf').preamble.find((e) => e.key === 'SWITCHBOARD_COMPANY_MAILBOX')?.value;
    expect(boxes).toEqual(expect.arrayContaining(['1001', '1002', '1003', '9000', company]));
  });

  describe('pjsip.conf', () => {
    const pjsip = load('pjsip.conf');
    const ofType = (type: string) => pjsip.sections.filter((s) => !s.isTemplate && valueOf(pjsip, s, 'type') === type);
    const contexts = new Set(load('extensions_switchboard.conf').sections.map((s) => s.name));
    const identified = new Set(ofType('identify').map((s) => valueOf(pjsip, s, 'endpoint')));

    it('has a UDP transport, the carrier trunk and desk phones 1001-1003', () => {
      expect(ofType('transport').map((s) => valueOf(pjsip, s, 'protocol'))).toContain('udp');
      expect(ofType('endpoint').map((s) => s.name)).toEqual(['carrier', '1001', '1002', '1003']);
    });

    it('the carrier is identified by IP, has a contact and delivers to [from-trunk]', () => {
      const [identify] = ofType('identify');
      expect(valueOf(pjsip, identify!, 'match')).toMatch(/^\d+\.\d+\.\d+\.\d+/);
      const aor = ofType('aor').find((s) => s.name === 'carrier');
      expect(valueOf(pjsip, aor!, 'contact')).toMatch(/^sip:/);
      expect(valueOf(pjsip, ofType('endpoint')[0]!, 'context')).toBe('from-trunk');
    });

    it.each(['carrier', '1001', '1002', '1003'])('endpoint %s: its aor exists, its context exists, and it can authenticate', (name) => {
      const endpoint = ofType('endpoint').find((s) => s.name === name)!;
      const aors = valueOf(pjsip, endpoint, 'aors');
      expect(ofType('aor').map((s) => s.name)).toContain(aors);
      expect(contexts).toContain(valueOf(pjsip, endpoint, 'context'));
      if (identified.has(name)) return; // trunks are known by source IP, not by a password
      const auth = ofType('auth').find((s) => s.name === valueOf(pjsip, endpoint, 'auth'));
      expect(auth, `auth for ${name}`).toBeDefined();
      expect(valueOf(pjsip, auth!, 'username')).toBe(name);
      expect(valueOf(pjsip, auth!, 'password')).toMatch(/\S/);
    });
  });
});
