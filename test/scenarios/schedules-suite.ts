/**
 * Spec sections 7 and 9 end to end, written once and run against every backend's simulator:
 * an after-hours call and its whenClosed route, overrides reaching a running controller, blocked
 * callers (config list, prefixes, run-time list, withheld), and caller labels on the legs.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../src/config/schema.js';
import type { PlacedCall, ScenarioHarness } from './harness.js';
import type { SuiteOptions } from './suite.js';

/** What these scenarios need beyond the shared harness; both simulator harnesses have it. */
export interface ScheduleHarness extends ScenarioHarness {
  addContact(phone: string, owner: string, name?: string): Promise<void>;
  importContacts(file: string): Promise<void>;
  block(pattern: string, on?: boolean): Promise<void>;
  override(scheduleId: string, state: 'open' | 'closed' | null): Promise<void>;
  callerCause(call: PlacedCall): Promise<number>;
  dialedNames(): { dial: string; callerName: string }[];
  /** A caller who restricted presentation of the number; absent where the PBX cannot show it yet. */
  placeHiddenCall?(call: { from: string; to: string }): Promise<PlacedCall>;
}

const CALLER = '+12025550999';
const HOSTILE_CSV = fileURLToPath(new URL('../fixtures/contacts/hostile-names.csv', import.meta.url));
const localMinute = (ms: number) => new Date(ms).toISOString().slice(0, 16);

/** The config, with a holiday that covers "now" (these are real clocks) and a CRM that counts its look-ups. */
export function scheduleConfig(crmUrl: string): ConfigInput {
  const now = Date.now();
  return {
    company: { name: 'Acme', phone: '+12025550100', voicemail: '9000' },
    users: [
      { id: 'alice', name: 'Alice', extension: '1001', mobile: '+12025550111' },
      { id: 'bob', name: 'Bob', extension: '1002' },
    ],
    numbers: [
      { number: '+12025550270', user: 'alice', schedule: 'holiday', whenClosed: { forwardTo: '+12025550399', ringSeconds: 2, voicemail: '9001' }, ringSeconds: 2 },
      { number: '+12025550271', user: 'alice', schedule: 'holiday' },
      { number: '+12025550272', user: 'alice', schedule: 'holiday', whenClosed: { distribution: 'night', unanswered: 'hangup' } },
      { number: '+12025550280', user: 'bob', schedule: 'day', whenClosed: { forwardTo: '+12025550399', ringSeconds: 2 }, ringSeconds: 2, forwardToCompany: false },
      { number: '+12025550290', user: 'bob', label: 'Sales', alsoRing: ['alice'], ringSeconds: 2, forwardToCompany: false },
      { number: '+12025550291', user: 'bob', label: "O'Brien & Co: Zoë", ringSeconds: 2, forwardToCompany: false },
      { number: '+12025550292', user: 'bob', withheld: 'block', ringSeconds: 2, forwardToCompany: false },
    ],
    ringGroups: [{ id: 'night-crew', strategy: 'simultaneous', members: ['bob'], ringSeconds: 2 }],
    distributions: [{ id: 'night', steps: ['night-crew'] }],
    schedules: [
      {
        id: 'holiday',
        timezone: 'UTC',
        open: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '00:00', to: '24:00' }],
        closed: [{ from: localMinute(now - 86400_000), to: localMinute(now + 2 * 86400_000), name: 'Test Holiday' }],
      },
      { id: 'day', timezone: 'Europe/Berlin', open: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '00:00', to: '24:00' }] },
    ],
    blocked: ['+12025550666', '+1900*'],
    contacts: { lookup: { url: `${crmUrl}/owner?phone={caller}`, timeoutMs: 300 } },
  };
}

/** Run the schedules, labels and blocking scenarios against the harness `make` builds. */
export function scheduleSuite(make: () => ScheduleHarness, options: SuiteOptions = {}): void {
  const skipReason = new Map<string, string>();
  for (const s of options.skip ?? []) for (const t of s.tests) skipReason.set(t, s.reason);
  const test = (name: string, fn: () => Promise<void>): void => {
    const reason = skipReason.get(name);
    if (reason !== undefined) it.skip(`${name} [skipped: ${reason}]`, fn);
    else it(name, fn, 15_000);
  };
  let h: ScheduleHarness;
  let crm: Server;
  const crmAsked: string[] = [];
  beforeAll(async () => {
    crm = createServer((req, res) => {
      crmAsked.push(new URL(req.url ?? '/', 'http://x').searchParams.get('phone') ?? '');
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => crm.listen(0, '127.0.0.1', r));
    h = make();
    await h.start(scheduleConfig(`http://127.0.0.1:${(crm.address() as AddressInfo).port}`));
  });
  afterAll(async () => {
    await h?.stop();
    await new Promise((r) => crm?.close(r));
  });

  describe('schedules (section 7)', () => {
    test('given an after-hours call, then only the whenClosed forwarding number rings (rule closed, device forward)', async () => {
      h.setDevice({ number: '+12025550399' }, { kind: 'answer', afterMs: 50 });
      const call = await h.placeCall({ from: CALLER, to: '+12025550270', hangupAfterMs: 1500 });
      const r = await h.waitForRecord(call);
      expect(r.rules).toEqual(['closed']);
      expect(r.legs.map((l) => [l.device, l.number, l.result])).toEqual([['forward', '+12025550399', 'answered']]);
      expect(r.answeredBy).toEqual({ user: null, device: 'forward' });
      expect(r.trace).toContain('schedule holiday is closed: Test Holiday');
    });

    test('given the answering service does not answer, then whenClosed.voicemail takes the call', async () => {
      h.setDevice({ number: '+12025550399' }, { kind: 'noanswer' });
      const before = h.voicemails().length;
      const call = await h.placeCall({ from: CALLER, to: '+12025550270' });
      const r = await h.waitForRecord(call);
      expect(r.outcome).toBe('voicemail');
      expect(r.detail).toBe('voicemail 9001');
      expect(r.legs.map((l) => l.result)).toEqual(['no-answer']);
      await h.hangupCaller(call).catch(() => undefined);
      expect(h.voicemails().length).toBeGreaterThanOrEqual(before);
    });

    test('given a closed number without whenClosed, then straight to the company mailbox, no leg', async () => {
      const call = await h.placeCall({ from: CALLER, to: '+12025550271' });
      const r = await h.waitForRecord(call);
      expect(r.outcome).toBe('voicemail');
      expect(r.detail).toBe('voicemail 9000');
      expect(r.legs).toEqual([]);
      await h.hangupCaller(call).catch(() => undefined);
    });

    test('given whenClosed names a distribution, then its group rings, then whenClosed.unanswered (hangup)', async () => {
      h.setDevice({ endpoint: '1002' }, { kind: 'noanswer' });
      const call = await h.placeCall({ from: CALLER, to: '+12025550272' });
      const r = await h.waitForRecord(call);
      expect(r.rules).toEqual(['distribution']);
      expect(r.legs.map((l) => [l.user, l.result])).toEqual([['bob', 'no-answer']]);
      expect(r.outcome).toBe('dropped');
    });

    test('given "schedule day closed" then "auto" from another process, then the running controller follows within a second', async () => {
      h.setDevice({ endpoint: '1002' }, { kind: 'answer', afterMs: 50 });
      h.setDevice({ number: '+12025550399' }, { kind: 'answer', afterMs: 50 });
      const open = await h.waitForRecord(await h.placeCall({ from: CALLER, to: '+12025550280', hangupAfterMs: 1500 }));
      expect(open.rules).toEqual(['number-user']);
      await h.override('day', 'closed');
      const closed = await h.waitForRecord(await h.placeCall({ from: CALLER, to: '+12025550280', hangupAfterMs: 1500 }));
      expect(closed.rules).toEqual(['closed']);
      expect(closed.trace).toContain('schedule day is closed: forced closed by override');
      await h.override('day', null);
      const back = await h.waitForRecord(await h.placeCall({ from: CALLER, to: '+12025550280', hangupAfterMs: 1500 }));
      expect(back.rules).toEqual(['number-user']);
    });

    test('given "schedule holiday open", then the holiday number takes its normal route', async () => {
      h.setDevice({ endpoint: '1001' }, { kind: 'answer', afterMs: 50 });
      await h.override('holiday', 'open');
      try {
        const r = await h.waitForRecord(await h.placeCall({ from: CALLER, to: '+12025550271', hangupAfterMs: 1500 }));
        expect(r.rules).toEqual(['number-user']);
        expect(r.trace).toContain('schedule holiday is open: forced open by override');
      } finally {
        await h.override('holiday', null);
      }
    });
  });

  describe('blocked callers (section 9)', () => {
    const expectBlocked = async (call: PlacedCall) => {
      const r = await h.waitForRecord(call);
      expect(r.outcome).toBe('blocked');
      expect(r.rules).toEqual(['blocked']);
      expect(r.legs).toEqual([]);
      expect(await h.callerCause(call)).toBe(21);
      return r;
    };

    test('given a caller on the config block list, then hung up with cause 21: no leg, no CRM look-up', async () => {
      const dialedBefore = h.dialed().length;
      const r = await expectBlocked(await h.placeCall({ from: '+12025550666', to: '+12025550290' }));
      expect(r.trace).toContain('caller +12025550666 is on the block list: blocked');
      expect(h.dialed().length).toBe(dialedBefore);
      expect(crmAsked).not.toContain('+12025550666');
    });

    test('given a caller matching a +1900* prefix, then blocked', async () => {
      const r = await expectBlocked(await h.placeCall({ from: '+19005551234', to: '+12025550290' }));
      expect(r.trace).toContain('caller +19005551234 matches +1900* on the block list: blocked');
      expect(crmAsked).not.toContain('+19005551234');
    });

    test('given "block add" from another process, then the next call is blocked within a second, and "remove" lets it through', async () => {
      h.setDevice({ endpoint: '1002' }, { kind: 'answer', afterMs: 50 });
      h.setDevice({ endpoint: '1001' }, { kind: 'noanswer' });
      const caller = '+12025550777';
      await h.block(caller);
      await expectBlocked(await h.placeCall({ from: caller, to: '+12025550290' }));
      await h.block(caller, false);
      const r = await h.waitForRecord(await h.placeCall({ from: caller, to: '+12025550290', hangupAfterMs: 1500 }));
      expect(r.outcome).toBe('answered');
      expect(crmAsked).toContain(caller); // routed calls are looked up as usual
    });

    test('given a withheld caller and withheld: block, then blocked; elsewhere the block list never matches a withheld caller', async () => {
      await expectBlocked(await h.placeCall({ from: 'anonymous', to: '+12025550292' }));
      await expectBlocked(await h.placeCall({ from: 'Private', to: '+12025550292' }));
      h.setDevice({ endpoint: '1002' }, { kind: 'answer', afterMs: 50 });
      h.setDevice({ endpoint: '1001' }, { kind: 'noanswer' });
      const r = await h.waitForRecord(await h.placeCall({ from: 'anonymous', to: '+12025550290', hangupAfterMs: 1500 }));
      expect(r.outcome).toBe('answered');
      expect(r.from).toBeNull();
    });

    test('given presentation restricted by the PBX, then withheld: the number is not shown and withheld: block refuses it', async () => {
      if (!h.placeHiddenCall) throw new Error('this harness cannot place a presentation-restricted call');
      const r = await expectBlocked(await h.placeHiddenCall({ from: CALLER, to: '+12025550292' }));
      expect(r.from).toBeNull();
    });
  });

  describe('caller labels (section 9)', () => {
    test('given a label, then desk legs show "Sales" for an unknown caller and "Sales: <name>" for a contact; outside legs no name', async () => {
      h.setDevice({ endpoint: '1002' }, { kind: 'noanswer' });
      h.setDevice({ endpoint: '1001' }, { kind: 'answer', afterMs: 100 });
      h.setDevice({ number: '+12025550111' }, { kind: 'noanswer' });
      let before = h.dialedNames().length;
      await h.waitForRecord(await h.placeCall({ from: CALLER, to: '+12025550290', hangupAfterMs: 1500 }));
      const unknown = h.dialedNames().slice(before);
      expect(unknown.filter((d) => !d.dial.includes('+')).map((d) => d.callerName)).toEqual(['Sales', 'Sales']);
      // Alice's mobile is an outside leg: it shows the number only.
      for (const d of unknown.filter((x) => x.dial.includes('+12025550111'))) expect(d.callerName).not.toContain('Sales');

      await h.addContact('+12025550811', 'bob', 'Jane Doe');
      before = h.dialedNames().length;
      await h.waitForRecord(await h.placeCall({ from: '+12025550811', to: '+12025550290', hangupAfterMs: 1500 }));
      expect(h.dialedNames().slice(before).filter((d) => !d.dial.includes('+')).map((d) => d.callerName)).toContain('Sales: Jane Doe');
    });

    test("given a label with an apostrophe and an ampersand, then it reaches the desk leg intact (FreeSWITCH: U+2019 for ')", async () => {
      h.setDevice({ endpoint: '1002' }, { kind: 'answer', afterMs: 50 });
      const before = h.dialedNames().length;
      await h.waitForRecord(await h.placeCall({ from: CALLER, to: '+12025550291', hangupAfterMs: 1500 }));
      const [leg] = h.dialedNames().slice(before);
      expect(leg!.callerName).toBe(h.backend === 'asterisk' ? "O'Brien & Co: Zoë" : 'O\u2019Brien & Co: Zoë');
    });

    test('given hostile contact names imported from a CSV, then the leg names are made safe and nothing reaches the dial string', async () => {
      await h.importContacts(HOSTILE_CSV);
      h.setDevice({ endpoint: '1002' }, { kind: 'answer', afterMs: 50 });
      const names: string[] = [];
      for (const phone of ['+12025550801', '+12025550802', '+12025550803', '+12025550804']) {
        const before = h.dialed().length;
        await h.waitForRecord(await h.placeCall({ from: phone, to: '+12025550291', hangupAfterMs: 1500 }));
        const dialed = h.dialed().slice(before);
        for (const d of dialed) expect(d.dial).toMatch(/^[A-Za-z0-9/@._+-]+$/);
        names.push(h.dialedNames().slice(before)[0]!.callerName);
      }
      const apostrophe = h.backend === 'asterisk' ? "'" : '\u2019';
      expect(names[0]).toBe(`O${apostrophe}Brien & Co: Zoë: O${apostrophe}Brien & Co: Zoë`.slice(0, 40).trimEnd());
      expect(names[1]).toBe(`O${apostrophe}Brien & Co: Zoë: Evil sip:666 attacker`);
      expect(names[2]).toBe(`O${apostrophe}Brien & Co: Zoë: Line Break EXEC rm`);
      for (const n of names) {
        expect([...n].length).toBeLessThanOrEqual(40);
        expect(n).not.toMatch(/[<>"|^,$\n\r{}()\\]/);
      }
    });
  });
}
