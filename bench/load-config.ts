/** The site the load benchmark routes: USERS users with one desk phone each, one number per user. */
import type { ConfigInput } from '../src/config/schema.js';

/** How many users (and numbers); their desk phones answer 0 to `maxAnswerMs` apart. */
export const USERS = 50;

/** ARI credentials and app shared by the simulator and the controller (loopback only). */
export const BENCH_ARI = { app: 'switchboard', username: 'bench', password: 'bench-secret' } as const;

/** Desk endpoint of user i (the extension: `desk` defaults to it). */
export function deskOf(i: number): string {
  return String(1000 + i);
}

/** The number called by call n: one per user, round the users. */
export function calledNumber(n: number): string {
  return `+1202555${String(100 + (n % USERS)).padStart(4, '0')}`;
}

/** Caller of call n: a distinct unknown caller (the contact look-up misses, as for most real calls). */
export function callerNumber(n: number): string {
  return `+1303${String(2_000_000 + (n % 7_000_000)).padStart(7, '0')}`;
}

/** The controller's config: each number rings its user's desk for up to 600 s, then hangs up. */
export function benchConfig(ariUrl: string, maxSockets?: number, real?: RealPbx): ConfigInput {
  return {
    ...(real?.endpoints ? { endpoints: { ...(real.endpoints.asterisk ? { asterisk: real.endpoints.asterisk } : {}), ...(real.endpoints.freeswitch ? { freeswitch: real.endpoints.freeswitch } : {}) } } : {}),
    ...(real?.freeswitch ? { backend: 'freeswitch' as const, freeswitch: real.freeswitch } : {}),
    company: { name: 'Bench' },
    users: Array.from({ length: USERS }, (_, i) => ({ id: `u${i}`, name: `User ${i}`, extension: deskOf(i) })),
    numbers: Array.from({ length: USERS }, (_, i) => ({
      number: calledNumber(i),
      user: `u${i}`,
      ringSeconds: 600,
      forwardToCompany: false,
      unanswered: 'hangup' as const,
    })),
    asterisk: {
      url: ariUrl,
      username: real?.username ?? BENCH_ARI.username,
      password: real?.password ?? BENCH_ARI.password,
      app: BENCH_ARI.app,
      ...(maxSockets ? { maxSockets } : {}),
    },
  };
}

/** A real Asterisk instead of the simulator (bench/real-*.ts): its credentials and how desks are dialled. */
export interface RealPbx {
  username: string;
  password: string;
  endpoints?: { asterisk?: string; freeswitch?: string };
  /** A real FreeSWITCH: the controller's socket listener and the inbound ESL connection. */
  freeswitch?: { listen: string; esl: { host: string; port: number; password: string } };
}
