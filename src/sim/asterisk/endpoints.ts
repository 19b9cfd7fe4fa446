/**
 * Simulated devices: what happens when a dial string is dialled. A test sets a behaviour per dial string
 * (`PJSIP/1001`, `PJSIP/+12025550111@carrier`, `Local/x@ctx`); an unknown PJSIP endpoint is unreachable,
 * like an unregistered phone in real Asterisk (HTTP 500 "Allocation failed", trace d2).
 */
import type { DeviceBehaviour, PlayedBehaviour } from './types.js';

/** A parsed ARI `endpoint` parameter. */
export interface DialTarget {
  tech: 'Local' | 'PJSIP';
  /** The part after `tech/`, which Asterisk reports as the Dial event's `dialstring`. */
  resource: string;
  /** Local: the extension; PJSIP: the number before `@` (or the endpoint itself). */
  exten: string;
  /** Local: the context; PJSIP: the endpoint (`carrier` in `PJSIP/5550000@carrier`). */
  where: string;
}

/** Parse `Local/exten@context[/n]` or `PJSIP/endpoint` / `PJSIP/number@endpoint`; undefined if malformed. */
export function parseDialString(endpoint: string): DialTarget | undefined {
  const m = /^([A-Za-z]+)\/(.+)$/.exec(endpoint);
  if (!m) return undefined;
  const tech = (m[1] ?? '').toLowerCase();
  const resource = m[2] ?? '';
  // Control characters and spaces never occur in a real dial string: refuse rather than guess.
  if (/[\s\x00-\x1f,;|&()]/.test(resource)) return undefined;
  if (tech === 'local') {
    const lm = /^([^@/]+)@([^@/]+)(?:\/n)?$/.exec(resource);
    if (!lm) return undefined;
    return { tech: 'Local', resource: `${lm[1]}@${lm[2]}`, exten: lm[1] ?? '', where: lm[2] ?? '' };
  }
  if (tech === 'pjsip') {
    const at = resource.indexOf('@');
    if (at < 0) return { tech: 'PJSIP', resource, exten: resource, where: resource };
    return { tech: 'PJSIP', resource, exten: resource.slice(0, at), where: resource.slice(at + 1) };
  }
  return undefined;
}

/** Device behaviours keyed by dial string, with an optional default for unknown ones. */
export class DeviceRegistry {
  private readonly byDial = new Map<string, PlayedBehaviour>();
  private fallback: PlayedBehaviour | null = null;

  /** Set what dialling `dial` does. */
  set(dial: string, b: DeviceBehaviour | PlayedBehaviour): void {
    this.byDial.set(normalizeKey(dial), canonical(b));
  }

  /** Behaviour for dial strings nobody configured (null: PJSIP unreachable, Local per dialplan). */
  setDefault(b: DeviceBehaviour | PlayedBehaviour | null): void {
    this.fallback = b ? canonical(b) : null;
  }

  /** The behaviour configured exactly for this dial string, if any. */
  explicit(dial: string): PlayedBehaviour | undefined {
    return this.byDial.get(normalizeKey(dial));
  }

  /** The behaviour for a PJSIP dial string: explicit, else default, else unreachable. */
  forPjsip(dial: string): PlayedBehaviour {
    return this.explicit(dial) ?? this.fallback ?? { kind: 'unreachable' };
  }

  /** The default behaviour (for Local strings into unknown contexts). */
  defaultBehaviour(): PlayedBehaviour | null {
    return this.fallback;
  }

  /** Every configured dial string (normalised). */
  dials(): string[] {
    return [...this.byDial.keys()];
  }

  /** Forget everything. */
  clear(): void {
    this.byDial.clear();
    this.fallback = null;
  }
}

/** `answer` with `talkMs` (the shared scenario shape) is `hangup-after-answer`. */
function canonical(b: DeviceBehaviour | PlayedBehaviour): PlayedBehaviour {
  if (b.kind === 'answer' && 'talkMs' in b && b.talkMs !== undefined) return { kind: 'hangup-after-answer', afterMs: b.afterMs, talkMs: b.talkMs, ...(b.press ? { press: b.press } : {}) };
  return b;
}

function normalizeKey(dial: string): string {
  const t = parseDialString(dial);
  return t ? `${t.tech}/${t.resource}` : dial;
}

/** Type guard for a behaviour received as JSON through the control API. */
export function isDeviceBehaviour(v: unknown): v is DeviceBehaviour | PlayedBehaviour {
  if (!v || typeof v !== 'object') return false;
  const b = v as Record<string, unknown>;
  const kinds = ['answer', 'noanswer', 'busy', 'congestion', 'rejected', 'unreachable', 'dead-contact', 'hangup-after-answer'];
  if (typeof b.kind !== 'string' || !kinds.includes(b.kind)) return false;
  if (b.afterMs !== undefined && (typeof b.afterMs !== 'number' || !(b.afterMs >= 0))) return false;
  if (b.kind === 'hangup-after-answer' && (typeof b.talkMs !== 'number' || !(b.talkMs >= 0))) return false;
  if (b.press !== undefined) {
    const p = b.press as Record<string, unknown> | null;
    if (!p || typeof p.key !== 'string' || !/^[0-9A-D*#]$/.test(p.key) || typeof p.afterMs !== 'number' || !(p.afterMs >= 0)) return false;
  }
  return true;
}
