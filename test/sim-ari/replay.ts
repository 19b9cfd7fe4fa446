/**
 * Loader and normaliser for the reference recordings (../shared/asterisk-reference/traces/*.jsonl), and
 * a replayer that drives the same REST calls against the simulator and returns both event sequences
 * as comparable tuples: `type role [dialstatus] [cause] [soft] [variable=value]`.
 *
 * Channel ids differ between runs, so channels are compared by ROLE: the channel name without its
 * sequence suffix plus the how-many-th channel of that base it is (`Local/noanswer@sim;1#1`).
 */
import { readFileSync } from 'node:fs';
import type { AriSimulator, SimEventRecord } from '../../src/sim/asterisk/index.js';
import { waitFor } from '../support/wait.js';
import { rest } from './helpers.js';

/** One line of a trace file. */
export interface TraceLine {
  seq: number;
  t_ms: number;
  kind: string;
  type?: string;
  event?: Record<string, any>;
  id?: number;
  method?: string;
  path?: string;
  query?: Record<string, string>;
  status?: number;
  body?: any;
  text?: string;
  what?: string;
}

/** Parse a JSONL trace. */
export function loadTrace(file: string): TraceLine[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as TraceLine);
}

/** Assigns stable roles to channel names in order of first appearance. */
export class Roles {
  private readonly byId = new Map<string, string>();
  private readonly counts = new Map<string, number>();
  readonly idOfRole = new Map<string, string>();

  /** Role of a channel (assigned at first sight). */
  role(id: string, name: string): string {
    const known = this.byId.get(id);
    if (known) return known;
    const base = name.replace(/-[0-9a-f]{8}(;[12])?$/, '$1');
    const n = (this.counts.get(base) ?? 0) + 1;
    this.counts.set(base, n);
    const role = `${base}#${n}`;
    this.byId.set(id, role);
    this.idOfRole.set(role, id);
    return role;
  }

  /** Role of an id already seen. */
  known(id: string): string | undefined {
    return this.byId.get(id);
  }
}

/** Media statistics: the simulator has no RTP, so these are not compared. */
const IGNORED_VARS = /^RTPAUDIOQOS/;

/** Turns events into comparable tuples, dropping repeated identical ChannelVarsets (Asterisk sends some 1–3 times). */
export class Normaliser {
  private readonly lastVar = new Map<string, string>();
  readonly tuples: string[] = [];

  constructor(readonly roles: Roles) {}

  /** Add one event; returns its tuple, or undefined when it is not compared. */
  push(e: Record<string, any>): string | undefined {
    const ch = e.channel ?? e.peer;
    const role = ch ? this.roles.role(ch.id, ch.name) : 'bridge';
    if (e.type === 'ChannelVarset') {
      if (IGNORED_VARS.test(e.variable)) return undefined;
      const key = `${role} ${e.variable}`;
      if (this.lastVar.get(key) === e.value) return undefined;
      this.lastVar.set(key, e.value);
    }
    const parts = [e.type, role];
    if (e.dialstatus !== undefined) parts.push(`dial=${e.dialstatus || '""'}`);
    if (e.cause !== undefined) parts.push(`cause=${e.cause}`);
    if (e.soft) parts.push('soft');
    if (e.tech_cause !== undefined) parts.push(`tech=${e.tech_cause}`);
    if (e.type === 'ChannelVarset') parts.push(/^(STASISSTATUS|DIALSTATUS|CHANLOCALSTATUS)$/.test(e.variable) ? `${e.variable}=${e.value}` : e.variable);
    if (e.type === 'ChannelDialplan') parts.push(`${e.dialplan_app}(${e.dialplan_app_data})`);
    if (e.type === 'StasisStart') parts.push(`args=${JSON.stringify(e.args)}`);
    const t = parts.join(' ');
    this.tuples.push(t);
    return t;
  }
}

/** Trace-specific adaptations, each explained where it is declared. */
export interface ReplayPlan {
  /** Concurrent dials: the global interleaving is not deterministic in Asterisk itself. */
  concurrent?: boolean;
  /** Lines (by seq) to leave out of both the replay and the comparison. */
  skip?: (line: TraceLine) => boolean;
  /** Rewrite a request's query before sending (e.g. a shorter originate timeout). */
  query?: (line: TraceLine, q: Record<string, string>) => Record<string, string>;
  /** Actions at notes/events the test driver must reproduce itself (WebSocket drops, a carrier BYE ...). */
  actions?: Array<{ seq: number; run: (ctx: ReplayContext) => Promise<void> }>;
}

/** What a trace action can use. */
export interface ReplayContext {
  sim: AriSimulator;
  roles: Roles;
  simId(role: string): string;
}

/** A replay's outcome: both tuple sequences and the HTTP statuses, recorded vs simulated. */
export interface ReplayResult {
  recorded: string[];
  simulated: string[];
  statuses: Array<{ seq: number; path: string; recorded: number; simulated: number }>;
}

/** Replay a trace against a simulator whose app WebSocket is already connected. */
export async function replay(sim: AriSimulator, lines: TraceLine[], plan: ReplayPlan, app = 'switchboard'): Promise<ReplayResult> {
  const use = lines.filter((l) => !plan.skip?.(l));
  const recRoles = new Roles();
  const rec = new Normaliser(recRoles);
  // How many compared events precede each line of the recording.
  const before = new Map<number, number>();
  for (const l of use) {
    before.set(l.seq, rec.tuples.length);
    if (l.kind === 'event' && l.event) rec.push(l.event);
    if ((l.kind === 'rest_response' || l.kind === 'sim_response') && l.body && typeof l.body === 'object' && !Array.isArray(l.body) && l.body.name && l.body.id) recRoles.role(l.body.id, l.body.name);
  }
  const simRoles = new Roles();
  const got = new Normaliser(simRoles);
  const onEvent = (r: SimEventRecord) => {
    if (r.app === app && r.delivered) got.push(r.event);
  };
  sim.events.on('event', onEvent);
  const bridgeIds = new Map<string, string>();
  const statuses: ReplayResult['statuses'] = [];
  const ctx: ReplayContext = {
    sim, roles: simRoles,
    simId: (role) => {
      const id = simRoles.idOfRole.get(role);
      if (!id) throw new Error(`no simulated channel for role ${role}`);
      return id;
    },
  };
  const mapId = (id: string): string => {
    const b = bridgeIds.get(id);
    if (b) return b;
    const role = recRoles.known(id);
    return role ? simRoles.idOfRole.get(role) ?? id : id;
  };
  // Wait (bounded) until the simulator produced as many events as the recording had by then; on a
  // shortfall go on anyway, so the comparison shows the difference instead of a timeout.
  const catchUp = async (n: number) => {
    await waitFor(() => got.tuples.length >= n, 2000, 'events').catch(() => undefined);
  };
  try {
    for (const l of use) {
      const action = plan.actions?.find((a) => a.seq === l.seq);
      if (action) {
        await catchUp(before.get(l.seq) ?? 0);
        await action.run(ctx);
      }
      if (l.kind !== 'rest_request' && l.kind !== 'sim_request') continue;
      await catchUp(before.get(l.seq) ?? 0);
      const path = (l.path ?? '').replace(/^\/ari/, '').split('/').map((p) => mapId(p)).join('/');
      let query = Object.fromEntries(Object.entries(l.query ?? {}).map(([k, v]) => [k, String(v).split(',').map((x) => x.replace(/^(channel:)?(.*)$/, (_m, pre: string | undefined, id: string) => `${pre ?? ''}${mapId(id)}`)).join(',')]));
      if (plan.query) query = plan.query(l, query);
      const res = await rest(sim, l.method ?? 'GET', `/ari${path}`, query);
      const side = l.kind === 'rest_request' ? 'rest_response' : 'sim_response';
      const recorded = use.find((r) => r.kind === side && r.id === l.id);
      if (recorded) {
        statuses.push({ seq: l.seq, path: l.path ?? '', recorded: recorded.status ?? 0, simulated: res.status });
        if (l.method === 'POST' && /\/bridges$/.test(l.path ?? '') && recorded.body?.id && res.body?.id) bridgeIds.set(recorded.body.id, res.body.id);
        if (l.method === 'POST' && /\/channels$/.test(l.path ?? '') && recorded.body?.id && res.body?.id) simRoles.role(res.body.id, res.body.name);
      }
    }
    await catchUp(rec.tuples.length);
    // A short settle so that extra, unexpected events would show up in the comparison.
    await new Promise((r) => setTimeout(r, 100));
  } finally {
    sim.events.off('event', onEvent);
  }
  return { recorded: rec.tuples, simulated: [...got.tuples], statuses };
}
