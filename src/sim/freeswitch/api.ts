/**
 * The api commands the simulator answers, with the reply bodies the recordings show
 * (`+OK\n`, `-ERR No such channel!\n`, `uuid_getvar` without a newline, ...).
 */
import { randomUUID } from 'node:crypto';
import type { SimHost } from './host.js';
import { SimChannel } from './channel.js';
import { parseBridgeArg } from './dialstring.js';
import { directoryUserOf, markUserLeg } from './registrations.js';

/** Run one api command line (without the `api ` prefix) and return the reply body. */
export async function runApi(sim: SimHost, line: string): Promise<string> {
  const [cmd = '', ...args] = line.trim().split(/\s+/);
  switch (cmd) {
    case 'uuid_kill': {
      const ch = args[0] ? sim.getChannel(args[0]) : undefined;
      if (!ch || !ch.up) return '-ERR No such channel!\n';
      sim.hangupChannel(ch, args[1] || 'NORMAL_CLEARING');
      return '+OK\n';
    }
    case 'uuid_break': {
      const ch = args[0] ? sim.getChannel(args[0]) : undefined;
      if (!ch || !ch.up) return '-ERR No such channel!\n';
      const brk = ch.onBreak;
      ch.onBreak = null;
      brk?.();
      return '+OK\n';
    }
    case 'uuid_broadcast': {
      // The prompt of a confirming leg: nothing the controller reads comes of it.
      const ch = args[0] ? sim.getChannel(args[0]) : undefined;
      if (!ch || !ch.up) return '-ERR No such channel!\n';
      // The file plays on the leg inside whatever it runs (the confirm sleep): CHANNEL_EXECUTE playback.
      const file = args[1] ?? '';
      queueMicrotask(() => ch.up && sim.emitEvent(ch, 'CHANNEL_EXECUTE', [['Application', 'playback'], ['Application-Data', file]]));
      return '+OK Message sent\n';
    }
    case 'uuid_exists': {
      const ch = args[0] ? sim.getChannel(args[0]) : undefined;
      return ch && !ch.destroyed ? 'true' : 'false';
    }
    case 'uuid_getvar': {
      const ch = args[0] ? sim.getChannel(args[0]) : undefined;
      if (!ch) return '-ERR No such channel!\n';
      return ch.vars.get(args[1] ?? '') ?? '_undef_';
    }
    case 'uuid_setvar': {
      const ch = args[0] ? sim.getChannel(args[0]) : undefined;
      if (!ch) return '-ERR No such channel!\n';
      if (!args[1]) return '-USAGE: <uuid> <var> [value]\n';
      if (args.length > 2) ch.vars.set(args[1], args.slice(2).join(' '));
      else ch.vars.delete(args[1]);
      return '+OK\n';
    }
    case 'uuid_bridge': {
      const a = args[0] ? sim.getChannel(args[0]) : undefined;
      const b = args[1] ? sim.getChannel(args[1]) : undefined;
      if (!a || !b || !a.up || !b.up) return '-ERR Invalid uuid\n';
      a.otherLeg = b;
      b.otherLeg = a;
      sim.emitEvent(a, 'CHANNEL_BRIDGE');
      return `+OK ${b.uuid}\n`;
    }
    case 'show':
      if (args[0] === 'registrations') return sim.registrations.show(args.join(' ').endsWith('as json'));
      return showChannels(sim, args.join(' '));
    case 'sofia_contact': {
      // [profile/]user@domain, as the vanilla directory's dial-string asks for it.
      const user = /^(?:[^/]+\/)?([^@/]+)@.+$/.exec(args[0] ?? '')?.[1];
      return user ? sim.registrations.contact(user) : '-ERR Usage: [profile/]<user>@<domain>\n';
    }
    case 'originate':
      return originate(sim, args);
    case 'status':
      return 'UP 0 years, 0 days\nFreeSWITCH (simulator) is ready\n';
    default:
      return `-ERR ${cmd} Command not found!\n`;
  }
}

function showChannels(sim: SimHost, what: string): string {
  if (!/^channels( as json)?$/.test(what)) return '-ERR unsupported\n';
  const rows = sim.liveChannels().map((c) => ({
    uuid: c.uuid,
    direction: c.direction,
    name: c.name,
    state: c.chanState,
    cid_num: c.callerNumber,
    dest: c.destination,
    callstate: c.callState,
    presence_id: c.vars.get('presence_id') ?? '',
  }));
  if (!what.endsWith('json')) return `uuid,direction,name\n${rows.map((r) => `${r.uuid},${r.direction},${r.name}`).join('\n')}\n\n${rows.length} total.\n`;
  // Recorded: an empty result is `{"row_count": 0}` with a space and a newline.
  return rows.length === 0 ? '{"row_count": 0}\n' : JSON.stringify({ row_count: rows.length, rows });
}

/** `originate <dial> <app|&app()>`: one leg through the device table; `+OK <uuid>` once it answers. */
async function originate(sim: SimHost, args: string[]): Promise<string> {
  const dialArg = args[0] ?? '';
  sim.recordDial(dialArg);
  const leg = parseBridgeArg(dialArg).groups[0]?.[0];
  if (!leg) return '-ERR INVALID_NUMBER_FORMAT\n';
  const b = sim.deviceFor(leg.target);
  if (!b || b.kind === 'unreachable') return '-ERR USER_NOT_REGISTERED\n';
  const failures: Record<string, string> = { busy: 'USER_BUSY', congestion: 'NORMAL_TEMPORARY_FAILURE', rejected: 'CALL_REJECTED' };
  const ch = new SimChannel({
    uuid: leg.vars.origination_uuid ?? randomUUID(),
    name: leg.target,
    direction: 'outbound',
    callerNumber: leg.vars.origination_caller_id_number ?? '0000000000',
    callerName: leg.vars.origination_caller_id_name ?? 'FreeSWITCH',
    destination: leg.target.split('/').pop() ?? leg.target,
  });
  const user = directoryUserOf(leg.target);
  if (user !== null) markUserLeg(ch, user);
  sim.addChannel(ch);
  sim.emitEvent(ch, 'CHANNEL_CREATE');
  const fail = failures[b.kind];
  if (fail) {
    sim.hangupChannel(ch, fail);
    return `-ERR ${fail}\n`;
  }
  if (b.kind !== 'answer') {
    const timeout = Number(leg.vars.originate_timeout ?? 60) * 1000;
    await new Promise<void>((r) => sim.later(timeout, r));
    sim.hangupChannel(ch, 'NO_ANSWER');
    return '-ERR NO_ANSWER\n';
  }
  await new Promise<void>((r) => sim.later(b.afterMs, r));
  if (!ch.up) return '-ERR ORIGINATOR_CANCEL\n';
  ch.answerState = 'answered';
  ch.callState = 'ACTIVE';
  sim.emitEvent(ch, 'CHANNEL_ANSWER');
  if (b.talkMs !== undefined) sim.later(b.talkMs, () => sim.hangupChannel(ch, 'NORMAL_CLEARING'));
  return `+OK ${ch.uuid}\n`;
}
