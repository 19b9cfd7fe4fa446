/** Shared test helpers: start a simulator, connect ari-client, collect delivered events. */
import { AriSimulator, type AriSimOptions, type SimEventRecord } from '../../src/sim/asterisk/index.js';

export const USER = 'switchboard';
export const PASS = 'sim-secret';
export const APP = 'switchboard';

/** Start a simulator on an ephemeral port. */
export function startSim(opts: Partial<AriSimOptions> = {}): Promise<AriSimulator> {
  return AriSimulator.start({ port: 0, username: USER, password: PASS, ...opts });
}

/** Minimal typing of the parts of ari-client the tests use. */
export interface AriClient {
  start(apps: string | string[]): Promise<void>;
  stop(): void;
  on(event: string, fn: (...args: any[]) => void): void;
  // ari-client builds these from the Swagger documents at run time.
  channels: any;
  bridges: any;
  applications: any;
  asterisk: any;
}

/** Connect the real ari-client 2.2.0 and start the app; resolves once the WebSocket is up. */
export async function connectClient(sim: AriSimulator, app = APP): Promise<AriClient> {
  const ari = (await import('ari-client')).default as unknown as { connect(url: string, u: string, p: string): Promise<AriClient> };
  const client = await ari.connect(sim.url, USER, PASS);
  const connected = new Promise<void>((resolve) => client.on('WebSocketConnected', () => resolve()));
  await client.start(app);
  await connected;
  return client;
}

/** Collect every event the simulator produced for an app (delivered or not). */
export function collect(sim: AriSimulator, app = APP): SimEventRecord[] {
  const out: SimEventRecord[] = [];
  sim.events.on('event', (r: SimEventRecord) => {
    if (r.app === app) out.push(r);
  });
  return out;
}

/** Plain REST call with basic auth. */
export async function rest(sim: AriSimulator, method: string, path: string, query: Record<string, string> = {}, body?: unknown): Promise<{ status: number; body: any }> {
  const qs = new URLSearchParams(query).toString();
  const res = await fetch(`${sim.url}${path}${qs ? `?${qs}` : ''}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : '';
  } catch {
    /* keep text */
  }
  return { status: res.status, body: parsed };
}
