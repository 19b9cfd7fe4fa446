/**
 * The presence message between nodes (section 10) on PostgreSQL NOTIFY, whose payload must be
 * shorter than 8000 bytes. A node's whole state (bridged users, in-use endpoints, registered
 * endpoints) is split into as many parts as it takes; all parts of one state carry the same `seq`
 * and are sent in one statement, so they reach the listeners together (NOTIFYs of one transaction
 * are delivered at its commit, never interleaved with another's). A listener replaces its view of
 * that node only once every part of a `seq` has arrived: a state is never half-applied.
 *
 * Wire form (JSON): {"node":"ast1","seq":17,"part":0,"of":2,"users":[..],"inUse":[..],"reg":[..]}
 * `reg` lists the registered endpoints that are not in use (in use implies registered), to keep it
 * short. A message without `seq` is one whole state (the form before parts existed).
 */

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
export const NOTIFY_PAYLOAD_MAX = 7999;
/** At most this many parts per state (about 2 MB): a bound for the listener's memory. */
export const MAX_PARTS = 256;

export interface PresenceState {
  users: ReadonlySet<string>;
  inUse: ReadonlySet<string>;
  registered: ReadonlySet<string>;
}

interface Part {
  node: string;
  seq: number;
  part: number;
  of: number;
  users: string[];
  inUse: string[];
  reg: string[];
}

const KINDS = ['users', 'inUse', 'reg'] as const;
const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * The payloads for one state. `left` names what did not fit: a single name too long for any
 * payload, or everything past MAX_PARTS.
 */
export function encodePresence(node: string, seq: number, state: { users: Iterable<string>; inUse: Iterable<string>; registered: Iterable<string> }, max = NOTIFY_PAYLOAD_MAX): { payloads: string[]; left: string[] } {
  const inUse = [...new Set(state.inUse)].sort();
  const inUseSet = new Set(inUse);
  const lists: Record<(typeof KINDS)[number], string[]> = {
    users: [...new Set(state.users)].sort(),
    inUse,
    reg: [...new Set(state.registered)].filter((e) => !inUseSet.has(e)).sort(),
  };
  // The frame of a part with the widest numbers it can carry; what is left is for the names.
  const frame = bytes(JSON.stringify({ node, seq, part: MAX_PARTS, of: MAX_PARTS, users: [], inUse: [], reg: [] }));
  const budget = max - frame;
  const parts: Omit<Part, 'of'>[] = [];
  const left: string[] = [];
  let current: Omit<Part, 'of'> | null = null;
  let used = 0;
  for (const kind of KINDS) {
    for (const name of lists[kind]) {
      const cost = bytes(JSON.stringify(name)) + 1; // the name and its comma
      if (cost > budget) {
        left.push(name);
        continue;
      }
      if (!current || used + cost > budget) {
        if (parts.length === MAX_PARTS) {
          left.push(name);
          continue;
        }
        current = { node, seq, part: parts.length, users: [], inUse: [], reg: [] };
        parts.push(current);
        used = 0;
      }
      current[kind].push(name);
      used += cost;
    }
  }
  if (parts.length === 0) parts.push({ node, seq, part: 0, users: [], inUse: [], reg: [] });
  return { payloads: parts.map((p) => JSON.stringify({ node: p.node, seq: p.seq, part: p.part, of: parts.length, users: p.users, inUse: p.inUse, reg: p.reg })), left };
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const isCount = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** Puts the parts of each node's states back together. Anything malformed is ignored. */
export class PresenceAssembler {
  private readonly partial = new Map<string, { seq: number; of: number; parts: Map<number, Part> }>();

  constructor(
    private readonly self: string,
    /** Partial states kept at once (one per node): a bound against a flood of made-up node names. */
    private readonly maxNodes = 1000,
  ) {}

  /** One payload heard; the node's whole state when this completes one, else null. */
  feed(payload: string): { node: string; state: PresenceState } | null {
    let msg: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(payload);
      if (typeof parsed !== 'object' || parsed === null) return null;
      msg = parsed as Record<string, unknown>;
    } catch {
      return null;
    }
    const node = msg.node;
    if (typeof node !== 'string' || node === this.self || !Array.isArray(msg.users)) return null;
    const part: Part = { node, seq: 0, part: 0, of: 1, users: strings(msg.users), inUse: strings(msg.inUse), reg: strings(msg.reg) };
    if (msg.seq !== undefined) {
      if (typeof msg.seq !== 'number' || !Number.isFinite(msg.seq) || !isCount(msg.of, 1, MAX_PARTS) || !isCount(msg.part, 0, msg.of - 1)) return null;
      Object.assign(part, { seq: msg.seq, part: msg.part, of: msg.of });
    }
    if (part.of === 1) {
      this.partial.delete(node);
      return { node, state: merge([part]) };
    }
    let p = this.partial.get(node);
    if (!p || p.seq !== part.seq || p.of !== part.of) {
      // A new state from this node: what was left of an older one will never complete.
      this.partial.delete(node);
      if (this.partial.size >= this.maxNodes) this.partial.delete(this.partial.keys().next().value as string);
      this.partial.set(node, (p = { seq: part.seq, of: part.of, parts: new Map() }));
    }
    p.parts.set(part.part, part);
    if (p.parts.size < p.of) return null;
    this.partial.delete(node);
    return { node, state: merge([...p.parts.values()]) };
  }
}

function merge(parts: readonly Part[]): PresenceState {
  const users = new Set<string>();
  const inUse = new Set<string>();
  const registered = new Set<string>();
  for (const p of parts) {
    for (const u of p.users) users.add(u);
    for (const e of p.inUse) {
      inUse.add(e);
      registered.add(e);
    }
    for (const e of p.reg) registered.add(e);
  }
  return { users, inUse, registered };
}
