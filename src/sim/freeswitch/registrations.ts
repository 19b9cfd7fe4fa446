/**
 * Phones registered on the simulated FreeSWITCH (spec section 6), as the real 1.10.12 reports them
 * (test/fixtures/freeswitch-real/devices-inbound.jsonl): a REGISTER fires CUSTOM `sofia::register`,
 * an un-REGISTER (Expires: 0) `sofia::unregister`, both naming the AOR user in `from-user`;
 * `show registrations as json` lists the registered users; an originate or bridge to an
 * unregistered `user/X` fails with USER_NOT_REGISTERED before any channel exists.
 *
 * Every user of the directory (by default vanilla FreeSWITCH's 1000-1019) and every `user/X` given
 * a behaviour is registered until it unregisters: a lab where every phone is plugged in.
 *
 * Several registrations of one user (a second phone, a second Contact) are kept apart by Call-ID,
 * each phone keeping its own across REGISTERs. How they mix is the sofia profile's
 * `multiple-registrations` (sofia_reg.c, sofia_reg_handle_register_token): off (vanilla), a
 * REGISTER deletes the user's other rows without an event and an un-REGISTER deletes them all;
 * on, each Call-ID is its own row and an un-REGISTER ends only its own. `sofia_contact` answers
 * with the Contacts a `user/X` bridge would dial, or `error/user_not_registered`.
 * A call the controller never placed (`foreignCall`) is what `originate user/X &park` from another
 * ESL client does on the real switch: an outbound sofia leg with `dialed_user`, CHANNEL_CREATE,
 * CHANNEL_ANSWER, and at its end CHANNEL_HANGUP, CHANNEL_HANGUP_COMPLETE, CHANNEL_DESTROY.
 */
import { randomUUID } from 'node:crypto';
import type { Header, SimHost } from './host.js';
import { SimChannel } from './channel.js';

const DOMAIN = '127.0.0.1';
/** The port the simulated phones "register from" (their Contact). */
const PHONE_PORT = 5062;

export const VANILLA_DIRECTORY: readonly string[] = Array.from({ length: 20 }, (_, i) => String(1000 + i));

/** The Call-ID of registration `n` of `user` (0: her phone's), stable across its REGISTERs. */
const callIdOf = (user: string, n: number): string => (n === 0 ? `reg-${user}@${DOMAIN}` : `reg-${user}-${n}@${DOMAIN}`);

export class SimRegistrations {
  private directory: Set<string>;
  /** Users whose registrations changed: Call-ID -> Contact port. Any other user: her phone's one. */
  private readonly regs = new Map<string, Map<string, number>>();
  private readonly foreign = new Map<string, SimChannel[]>();

  constructor(
    private readonly sim: SimHost & { emitGlobal(name: string, headers: Header[]): void; deviceUsers(): string[] },
    directory: readonly string[] = VANILLA_DIRECTORY,
  ) {
    this.directory = new Set(directory);
  }

  /** The directory's users (every one registered unless told otherwise). */
  setDirectory(users: readonly string[]): void {
    this.directory = new Set(users);
  }

  isRegistered(user: string): boolean {
    const m = this.regs.get(user);
    return m ? m.size > 0 : true;
  }

  /** Registration `n` of `user` (0: her phone; 1, 2, ...: more Contacts) registers (true) or sends REGISTER with Expires: 0. */
  set(user: string, on: boolean, n = 0): void {
    this.directory.add(user);
    let m = this.regs.get(user);
    if (!m) this.regs.set(user, (m = new Map([[callIdOf(user, 0), PHONE_PORT]])));
    const callId = callIdOf(user, n);
    const multi = this.sim.opts.multipleRegistrations === true;
    if (on) {
      if (!multi) m.clear();
      m.set(callId, PHONE_PORT + n);
    } else if (multi) m.delete(callId);
    else m.clear();
    const contact = `"" <sip:${user}@${DOMAIN}:${PHONE_PORT + n}>`;
    // Header names and order as sofia_reg.c fires them (the recording has the same names).
    const headers: Header[] = on
      ? [
          ['Event-Name', 'CUSTOM'], ['Event-Subclass', 'sofia::register'], ['profile-name', 'internal'], ['from-user', user],
          ['from-host', DOMAIN], ['presence-hosts', DOMAIN], ['contact', contact], ['call-id', callId], ['rpid', 'unknown'],
          ['status', 'Registered(UDP)'], ['expires', '3600'], ['to-user', user], ['to-host', DOMAIN], ['network-ip', DOMAIN],
          ['network-port', String(PHONE_PORT)], ['username', user], ['realm', DOMAIN], ['user-agent', 'sim'],
        ]
      : [
          ['Event-Name', 'CUSTOM'], ['Event-Subclass', 'sofia::unregister'], ['profile-name', 'internal'], ['username', user],
          ['from-user', user], ['from-host', DOMAIN], ['contact', contact], ['call-id', callId], ['rpid', 'unknown'],
          ['realm', DOMAIN], ['network-ip', DOMAIN], ['network-port', String(PHONE_PORT)], ['user-agent', 'sim'], ['expires', '0'],
        ];
    this.sim.emitGlobal('CUSTOM', headers);
  }

  /** `show registrations [as json]`, with the columns of the real reply. */
  show(json: boolean): string {
    const users = [...new Set([...this.directory, ...this.sim.deviceUsers()])].filter((u) => this.isRegistered(u)).sort();
    const rows = users.flatMap((u) => [...this.of(u)].map(([token, port]) => ({
      reg_user: u, realm: DOMAIN, token, url: `sofia/internal/sip:${u}@${DOMAIN}:${port}`,
      expires: String(Math.floor(Date.now() / 1000) + 3600), network_ip: DOMAIN, network_port: String(port),
      network_proto: 'udp', hostname: 'sim', metadata: '',
    })));
    if (json) return rows.length === 0 ? '{"row_count": 0}\n' : JSON.stringify({ row_count: rows.length, rows });
    const cols = 'reg_user,realm,token,url,expires,network_ip,network_port,network_proto,hostname,metadata';
    return `${rows.length ? cols + '\n' : '\n'}${rows.map((r) => Object.values(r).join(',')).join('\n')}${rows.length ? '\n' : ''}\n${rows.length} total.\n`;
  }

  /** `sofia_contact user@domain`: every Contact of the user, comma-separated, or `error/user_not_registered`. */
  contact(user: string): string {
    if (!this.isRegistered(user)) return 'error/user_not_registered';
    return [...this.of(user).values()].map((port) => `sofia/internal/sip:${user}@${DOMAIN}:${port}`).join(',');
  }

  private of(user: string): ReadonlyMap<string, number> {
    return this.regs.get(user) ?? new Map([[callIdOf(user, 0), PHONE_PORT]]);
  }

  /** The phone is on a call Switchboard never saw (start: true), or that call ends (false). */
  foreignCall(user: string, on: boolean): void {
    const list = this.foreign.get(user) ?? [];
    if (!on) {
      const ch = list.shift();
      if (ch) this.sim.hangupChannel(ch, 'NORMAL_CLEARING');
      return;
    }
    const ch = new SimChannel({ uuid: randomUUID(), name: `sofia/internal/${user}@${DOMAIN}:${PHONE_PORT}`, direction: 'outbound', callerNumber: '0000000000', callerName: 'Outbound Call', destination: user });
    markUserLeg(ch, user);
    this.sim.addChannel(ch);
    this.sim.emitEvent(ch, 'CHANNEL_CREATE');
    ch.answerState = 'answered';
    ch.callState = 'ACTIVE';
    ch.vars.set('answer_epoch', String(Math.floor(Date.now() / 1000)));
    this.sim.emitEvent(ch, 'CHANNEL_ANSWER');
    list.push(ch);
    this.foreign.set(user, list);
  }
}

/** A leg to a directory user carries what the real one does: dialed_user, dialed_domain, presence_id. */
export function markUserLeg(ch: SimChannel, user: string): void {
  ch.vars.set('dialed_user', user);
  ch.vars.set('dialed_domain', DOMAIN);
  ch.vars.set('presence_id', `${user}@${DOMAIN}`);
}

/** `user/1001` -> `1001`; anything else null. */
export function directoryUserOf(target: string): string | null {
  return /^user\/([^@/]+)$/.exec(target)?.[1] ?? null;
}
