/**
 * Nothing a caller sends reaches a dial string or a caller ID, other than the caller's number
 * normalised to E.164. The session is driven through a recording fake CallControl with hundreds
 * of hostile caller IDs and numbers called, and every leg it asks for is checked.
 */
import { describe, expect, it } from 'vitest';
import { runCall } from '../../src/call/session.js';
import { configSchema } from '../../src/config/schema.js';
import { dialStringFor } from '../../src/call/dialstring.js';
import { SwitchboardError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import type { AttemptOutcome, CallControl, LegSpec } from '../../src/call/contract.js';
import type { CallRecord } from '../../src/call/record.js';
import { SCENARIO_CONFIG } from '../scenarios/suite.js';

const config = configSchema.parse(SCENARIO_CONFIG);
const ENDPOINTS = new Set(config.users.flatMap((u) => [u.desk ?? u.extension, ...(u.app ? [u.app] : [])]));
const NUMBERS = new Set([...config.users.flatMap((u) => (u.mobile ? [u.mobile] : [])), ...config.numbers.flatMap((n) => (n.forwardTo ? [n.forwardTo] : [])), config.company.phone!]);

/** A CallControl that records what it is asked and answers nothing. */
class RecordingCall implements CallControl {
  readonly legs: LegSpec[] = [];
  readonly mailboxes: string[] = [];
  readonly callerGone = false;
  constructor(readonly info: CallControl['info']) {}
  async indicateRinging(): Promise<void> {}
  async ringAttempt(legs: LegSpec[]): Promise<AttemptOutcome> {
    this.legs.push(...legs);
    return { kind: 'unanswered', legs: legs.map((l) => ({ key: l.key, startedAt: new Date().toISOString(), result: 'busy', cause: 17 })) };
  }
  async waitBridgeEnd(): Promise<never> {
    throw new Error('never bridged');
  }
  async voicemail(mailbox: string): Promise<void> {
    this.mailboxes.push(mailbox);
  }
  async hangup(): Promise<void> {}
  snapshot(): null {
    return null;
  }
  setLogContext(): void {}
  dispose(): void {}
}

const HOSTILE = [
  '',
  'anonymous',
  'Restricted',
  '1001,PJSIP/666',
  '1001&Local/6666@default',
  'PJSIP/1001@carrier|user/1002',
  '"; DROP TABLE contacts; --',
  "+1202'5550999",
  '+12025550999\r\nVariable: X=1',
  '%0Aexecute-app-name: bash',
  '${SHELL}',
  '^1^2^3',
  '../../../etc/passwd',
  'x'.repeat(500),
  '+'.repeat(300),
  '0'.repeat(64),
  '\u0000\u0001\u0002',
  '１２０２５５５０９９９', // full-width digits
  '+1 (202) 555-0999 ext. 7',
  '+1202555099',
  '+999999999999999999',
];

function fuzz(seed: number, n: number): string[] {
  // A fixed-seed generator: the same inputs every run, so a failure can be reproduced.
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) & 0x7fffffff);
  const alphabet = '0123456789+ ()-.,&|^/\\"\'@:;=${}[]%\n\r\tabcPJSIPuser';
  return Array.from({ length: n }, () => Array.from({ length: next() % 40 }, () => alphabet[next() % alphabet.length]).join(''));
}

async function route(rawCaller: string, rawCalled: string): Promise<{ call: RecordingCall; record: CallRecord }> {
  const call = new RecordingCall({ channelId: 'c1', rawCaller, rawCalled });
  const record = await runCall(call, {
    config,
    backend: 'asterisk',
    lookupContact: async () => null,
    cursors: { take: async (decide) => decide(new Map()).result },
    calls: { upsert: async () => {}, saveState: async () => {}, deleteState: async () => {} },
    log: silentLogger(),
  });
  return { call, record };
}

describe('caller-supplied text never reaches the PBX', () => {
  const inputs = [...HOSTILE, ...fuzz(7, 400)];

  it.each(inputs.map((i) => [JSON.stringify(i).slice(0, 60), i]))('given caller ID %s, then every leg is config-only and its caller ID is E.164 or withheld', async (_label, raw) => {
    const { call, record } = await route(raw, '+12025550200');
    expect(record.outcome).toBe('voicemail');
    expect(call.legs.length).toBeGreaterThan(0);
    for (const leg of call.legs) {
      if (leg.endpoint !== undefined) expect(ENDPOINTS).toContain(leg.endpoint);
      else expect(NUMBERS).toContain(leg.number);
      expect(leg.callerId === null || /^\+[0-9]{8,15}$/.test(leg.callerId)).toBe(true);
      const dial = dialStringFor(leg, { endpoint: config.endpoints.asterisk, trunk: config.trunks.default!.asterisk });
      expect(dial).toMatch(/^PJSIP\/[A-Za-z0-9+@._-]+$/);
    }
    expect(record.from === null || /^\+[0-9]{8,15}$/.test(record.from)).toBe(true);
  });

  it.each(inputs.slice(0, 120).map((i) => [JSON.stringify(i).slice(0, 60), i]))('given number called %s, then the call is routed safely (as a number not in the config when unreadable)', async (_label, raw) => {
    const { call, record } = await route('+12025550999', raw);
    expect(['voicemail', 'dropped']).toContain(record.outcome);
    for (const leg of call.legs) expect(leg.endpoint !== undefined ? ENDPOINTS.has(leg.endpoint) : NUMBERS.has(leg.number!)).toBe(true);
    expect(record.to === '' || /^\+[0-9]{8,15}$/.test(record.to)).toBe(true);
  });

  it.each(['1001&PJSIP/666', '1001,user/1002', 'x y', '', '"1001"'])('given the unsafe dial value %j, then it is refused with its own error code and never dialled', (value) => {
    let thrown: unknown;
    try {
      dialStringFor({ endpoint: value }, { endpoint: 'PJSIP/{endpoint}', trunk: 'PJSIP/{number}@carrier' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(SwitchboardError);
    expect((thrown as SwitchboardError).code).toBe('UNSAFE_DIAL_VALUE');
  });
});
