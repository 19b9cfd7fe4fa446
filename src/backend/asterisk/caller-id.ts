/** Caller IDs on Asterisk: of a leg Switchboard originates, and of an inbound call. */
import type { InboundCallInfo } from '../../call/contract.js';
/**
 * ARI originate's `callerId` as Asterisk's ast_callerid_parse reads it: `"name" <number>`, the
 * name unescaped by ast_unescape_quoted (a backslash escapes the next character). The name is
 * already made safe (letters, digits, spaces, . - ' & :), so the escaping below never fires; it is
 * there so the quoting cannot be broken even if that ever changes. No name: the number alone.
 */
export function ariCallerId(name: string | null, number: string): string {
  if (!name) return number;
  return `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}" <${number}>`;
}

/**
 * The caller restricted presentation of the number: the shipped dialplan passes
 * `callerpres=${CALLERID(pres)}` as a Stasis argument (after the number called), because ARI's
 * channel model carries no presentation. Asterisk's values are `allowed...`, `prohib...` and
 * `unavailable`; only `prohib...` is a restriction (spec section 9: withheld). An older dialplan
 * without the argument gives false: the caller ID text alone then decides.
 */
export function presentationRestricted(args: readonly string[]): boolean {
  const pres = args.slice(1).find((a) => a.startsWith('callerpres='));
  return pres !== undefined && pres.slice('callerpres='.length).trim().toLowerCase().startsWith('prohib');
}

/** What an inbound channel tells of its call (spec 4: the number called is the first Stasis argument when given, else the dialplan extension). */
export function inboundInfo(channel: { id: string; caller?: { number?: string }; dialplan?: { exten?: string } }, args: string[]): InboundCallInfo {
  const firstArg = typeof args[0] === 'string' && args[0] !== '' ? args[0] : undefined;
  return {
    channelId: channel.id,
    rawCaller: String(channel.caller?.number ?? ''),
    rawCalled: String(firstArg ?? channel.dialplan?.exten ?? ''),
    presentationRestricted: presentationRestricted(args),
  };
}
