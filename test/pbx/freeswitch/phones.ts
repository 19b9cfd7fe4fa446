/**
 * Test phones on a real FreeSWITCH: the controller dials `loopback/<device>/phones`; the `phones`
 * context looks the device up in mod_hash (realm `phones`, set by the harness with `hash insert`)
 * and behaves accordingly. On loopback `respond` does nothing (recordings, surprise 12), so the
 * `hangup` cause is what the bridge sees: USER_BUSY 17, CALL_REJECTED 21, ...
 */
import type { DeviceBehaviour } from '../../../src/sim/devices.js';

/** The hash value for a behaviour, matched by the extensions below. */
export function behaviourSpec(b: DeviceBehaviour): string {
  switch (b.kind) {
    case 'answer':
      // A key after the answer (press-1 confirmation): `send_dtmf` on the loopback phone's side.
      if (b.press) return `press:${b.afterMs}:${b.press.afterMs}:${b.press.key === '#' ? 'pound' : b.press.key === '*' ? 'star' : b.press.key}`;
      return `answer:${b.afterMs}:${b.talkMs ?? 0}`;
    case 'busy':
    case 'congestion':
    case 'rejected':
      return `${b.kind}:${b.afterMs ?? 0}`;
    default:
      return b.kind;
  }
}

const ext = (name: string, re: string, actions: string[]): string =>
  `    <extension name="${name}">\n      <condition field="\${hash(select/phones/\${destination_number})}" expression="${re}">\n${actions.map((a) => `        ${a}`).join('\n')}\n      </condition>\n    </extension>`;
const act = (app: string, data?: string): string => (data === undefined ? `<action application="${app}"/>` : `<action application="${app}" data="${data}"/>`);

export const PHONES_XML = `<include>
  <context name="phones">
${[
  ext('answer-stay', '^answer:(\\d+):0$', [act('ring_ready'), act('sleep', '$1'), act('answer'), act('park')]),
  ext('answer-talk', '^answer:(\\d+):(\\d+)$', [act('ring_ready'), act('sleep', '$1'), act('answer'), act('sleep', '$2'), act('hangup', 'NORMAL_CLEARING')]),
  ext('answer-press', '^press:(\\d+):(\\d+):(\\d)$', [act('ring_ready'), act('sleep', '$1'), act('answer'), act('sleep', '$2'), act('send_dtmf', '$3@100'), act('park')]),
  ext('noanswer', '^noanswer$', [act('ring_ready'), act('park')]),
  ext('dead-contact', '^dead-contact$', [act('park')]),
  ext('busy', '^busy:(\\d+)$', [act('sleep', '$1'), act('hangup', 'USER_BUSY')]),
  ext('congestion', '^congestion:(\\d+)$', [act('sleep', '$1'), act('hangup', 'NORMAL_TEMPORARY_FAILURE')]),
  ext('rejected', '^rejected:(\\d+)$', [act('sleep', '$1'), act('hangup', 'CALL_REJECTED')]),
  // Unset or 'unreachable': as a phone that is not registered.
  `    <extension name="unreachable">\n      <condition field="destination_number" expression="^.+$">\n        ${act('hangup', 'USER_NOT_REGISTERED')}\n      </condition>\n    </extension>`,
].join('\n')}
  </context>
</include>
`;
