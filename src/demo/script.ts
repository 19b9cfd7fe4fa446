/**
 * The demo's calls: one or more for each rule of the chain, against the example config
 * (config/switchboard.yaml). Devices are simulated; each call says how its phones behave.
 */
import type { DeviceBehaviour } from '../sim/devices.js';

/** A phone as the config names it: a SIP endpoint, or a number reached through the trunk. */
export type { DeviceRef as DemoDevice } from '../sim/driver.js';
import type { DeviceRef as DemoDevice } from '../sim/driver.js';

export interface DemoCall {
  title: string;
  from: string;
  to: string;
  /** Seconds after the demo starts. */
  at: number;
  /** The caller hangs up this long after calling (ms), answered or not. */
  hangupAfterMs: number;
  devices: [DemoDevice, DeviceBehaviour][];
  /** What the demo expects, shown next to what happened. */
  expect: string;
}

const answer = (afterMs: number): DeviceBehaviour => ({ kind: 'answer', afterMs });
/** An outside number that answers and presses 1 (the example config has `confirm` on mobiles and forwarding). */
const confirms = (afterMs: number): DeviceBehaviour => ({ kind: 'answer', afterMs, press: { key: '1', afterMs: 600 } });
const noanswer: DeviceBehaviour = { kind: 'noanswer' };
const busy: DeviceBehaviour = { kind: 'busy', afterMs: 300 };

export const DEMO_CONTACTS = [{ phone: '+12025550777', name: 'Dana Demo', owner: 'bob', fields: { company: 'Demo Homes' } }];

/** The scripted calls. Ring times are shortened for the demo (see demoConfig). */
export const DEMO_CALLS: DemoCall[] = [
  {
    title: 'number-user: Alice answers her desk phone',
    from: '+12025550999', to: '+12025550200', at: 0, hangupAfterMs: 4000,
    devices: [[{ endpoint: '1001' }, answer(1200)], [{ number: '+12025550111' }, noanswer], [{ endpoint: '1002' }, noanswer]],
    expect: 'answered by alice',
  },
  {
    title: 'busy everywhere, fallthrough: the forwarding number answers',
    from: '+12025550998', to: '+12025550200', at: 6, hangupAfterMs: 5000,
    devices: [[{ endpoint: '1001' }, busy], [{ number: '+12025550111' }, busy], [{ endpoint: '1002' }, busy], [{ number: '+12025550300' }, confirms(1000)]],
    expect: 'busy at once, then forwarding answers',
  },
  {
    title: 'nobody answers: Carol\'s voicemail',
    from: '+12025550997', to: '+12025550202', at: 1, hangupAfterMs: 9000,
    devices: [[{ endpoint: '1003' }, noanswer], [{ number: '+12025550113' }, noanswer]],
    expect: 'voicemail 1003',
  },
  {
    title: 'known caller: the contact owner (bob) rings first',
    from: '+12025550777', to: '+12025550202', at: 2, hangupAfterMs: 3000,
    devices: [[{ endpoint: '1002' }, answer(800)]],
    expect: 'answered by bob (contact-owner)',
  },
  {
    title: 'the caller gives up while it rings',
    from: '+12025550996', to: '+12025550203', at: 2.5, hangupAfterMs: 1500,
    devices: [[{ endpoint: '1002' }, noanswer]],
    expect: 'abandoned',
  },
  {
    title: 'round robin 1/3', from: '+12025550995', to: '+12025550201', at: 3, hangupAfterMs: 2500,
    devices: [[{ endpoint: '1001' }, answer(400)], [{ number: '+12025550111' }, noanswer]],
    expect: 'sales-rr takes alice',
  },
  {
    title: 'round robin 2/3', from: '+12025550994', to: '+12025550201', at: 3.5, hangupAfterMs: 2500,
    devices: [[{ endpoint: '1002' }, answer(400)]],
    expect: 'sales-rr takes bob',
  },
  {
    title: 'round robin 3/3', from: '+12025550993', to: '+12025550201', at: 4, hangupAfterMs: 2500,
    devices: [[{ endpoint: '1003' }, answer(400)], [{ number: '+12025550113' }, noanswer]],
    expect: 'sales-rr takes carol',
  },
  {
    title: 'a number not in the config: the company phone',
    from: '+12025550992', to: '+12025550299', at: 4.5, hangupAfterMs: 2500,
    devices: [[{ number: '+12025550100' }, answer(500)]],
    expect: 'answered by the company phone',
  },
  {
    title: 'hostile caller ID: routed as withheld, never dialled',
    from: '1001&PJSIP/evil,"|^', to: '+12025550203', at: 5, hangupAfterMs: 2500,
    devices: [[{ endpoint: '1002' }, answer(300)]],
    expect: 'answered, caller withheld',
  },
  {
    title: 'mobile-only user: Dave answers his mobile',
    from: '+12025550990', to: '+12025550204', at: 5.5, hangupAfterMs: 3000,
    devices: [[{ number: '+12025550114' }, confirms(700)]],
    expect: 'dave presses 1 on his mobile',
  },
  {
    title: 'no device: Erin is passed over, her forwarding number answers',
    from: '+12025550989', to: '+12025550205', at: 6.5, hangupAfterMs: 3000,
    devices: [[{ number: '+12025550301' }, confirms(600)]],
    expect: 'answered by the forwarding number',
  },
  {
    title: 'after hours: the office line goes to the answering service',
    from: '+12025550988', to: '+12025550206', at: 7, hangupAfterMs: 3000,
    devices: [[{ number: '+12025550399' }, confirms(600)]],
    expect: 'closed: answering service answers',
  },
  {
    title: 'a blocked caller: hung up with cause 21, no leg',
    from: '+12025550666', to: '+12025550200', at: 7.5, hangupAfterMs: 3000,
    devices: [],
    expect: 'blocked',
  },
  {
    title: 'phone unreachable, unanswered: hangup',
    from: '+12025550991', to: '+12025550203', at: 9, hangupAfterMs: 5000,
    devices: [[{ endpoint: '1002' }, { kind: 'unreachable' }]],
    expect: 'dropped at once',
  },
  {
    // Section 8: a switched-off mobile answers with its own voicemail, which never presses 1.
    title: 'press 1: Alice\'s mobile voicemail answers but presses nothing; her desk answers',
    from: '+12025550987', to: '+12025550200', at: 12, hangupAfterMs: 5000,
    devices: [[{ endpoint: '1001' }, answer(2600)], [{ number: '+12025550111' }, answer(300)], [{ endpoint: '1002' }, noanswer]],
    expect: 'mobile unconfirmed, desk answers',
  },
];

/** Demo devices are set per call; calls that share a phone are timed so they do not overlap. */
export function demoDuration(): number {
  return Math.max(...DEMO_CALLS.map((c) => c.at * 1000 + c.hangupAfterMs)) + 3000;
}
