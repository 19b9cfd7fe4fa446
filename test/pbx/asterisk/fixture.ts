/**
 * Recorded ARI events as a committed fixture: one JSON object per line, like the reference
 * recordings in ../shared/asterisk-reference (`t_ms`, `seq`, `kind`, `type`, `event`), plus `note`
 * lines naming each scenario call's channel id. Loopback ports are replaced by their role, so
 * the file does not change with the ports a run happened to get.
 */
import type { ObservedEvent } from './observer.js';

export interface FixturePorts {
  carrierPort: number;
  sipPort: number;
  uasPort: Record<string, number>;
}

export function fixtureLines(events: ObservedEvent[], calls: { name: string; callId: string }[], ports: FixturePorts): string[] {
  const swaps: [string, string][] = [
    [String(ports.carrierPort), '<carrier-port>'],
    [String(ports.sipPort), '<asterisk-sip-port>'],
    ...Object.entries(ports.uasPort).map(([ext, p]): [string, string] => [String(p), `<phone-${ext}-port>`]),
  ];
  const scrub = (text: string) => swaps.reduce((t, [from, to]) => t.split(`:${from}`).join(`:${to}`), text);
  let seq = 0;
  return [
    ...calls.map((c) => JSON.stringify({ t_ms: 0, seq: seq++, kind: 'note', call: c.name, channelId: c.callId })),
    ...events.map((e) => scrub(JSON.stringify({ t_ms: e.t_ms, seq: seq++, kind: 'event', type: e.type, event: e.event }))),
  ];
}
