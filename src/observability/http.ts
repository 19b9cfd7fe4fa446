/** The observability endpoint: GET /metrics (Prometheus) and GET /healthz, on 127.0.0.1 by default. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

export interface HealthSource {
  connected(): boolean;
  /** Why the PBX is not connected (e.g. refused credentials); null while it is. */
  reason?(): string | null;
  activeCalls(): number;
  configGeneration(): number;
  /** Why the controller has not started yet (`run` waiting for PostgreSQL), or null once it has. */
  starting?(): string | null;
  /** Why this controller takes no calls although the PBX is up (ARI `ApplicationReplaced`), or null. */
  refusing?(): string | null;
  /** The store's state: a store that is down leaves the controller routing on memory (section 10). */
  store?(): { kind: string; up: boolean; reason?: string; queued: number; overflowed: number };
  /**
   * True once the controller is stopping (draining): /healthz turns red at once, so that a SIP
   * proxy in front of several nodes (deploy/kamailio/health-watch.sh) stops sending it calls.
   */
  stopping?(): boolean;
}

/**
 * Start the endpoint on `listen` ("host:port"); resolves with the bound address. `metrics` may be
 * a getter: `run` serves /healthz before the controller (and its metrics) exists.
 */
export async function startObservability(listen: string, metrics: Metrics | (() => Metrics), health: HealthSource): Promise<{ server: http.Server; port: number; close(): Promise<void> }> {
  const [host, port] = [listen.slice(0, listen.lastIndexOf(':')), Number(listen.slice(listen.lastIndexOf(':') + 1))];
  const server = http.createServer((req, res) => {
    void (async () => {
      try {
        if (req.method === 'GET' && req.url === '/metrics') {
          const { registry } = typeof metrics === 'function' ? metrics() : metrics;
          const body = await registry.metrics();
          res.writeHead(200, { 'content-type': registry.contentType });
          return res.end(body);
        }
        if (req.method === 'GET' && req.url === '/healthz') {
          const connected = health.connected();
          const starting = health.starting?.() ?? null;
          const refusing = health.refusing?.() ?? null;
          const stopping = health.stopping?.() ?? false;
          const store = health.store?.();
          // Red (503) only when this node takes no calls: a store that is down is reported, but
          // calls still route on memory, and every node would share that state anyway. A
          // controller still waiting for PostgreSQL to start takes none.
          const ok = connected && starting === null && refusing === null && !stopping;
          const status = refusing !== null ? 'app-replaced' : stopping ? 'stopping' : starting !== null ? 'starting' : !connected ? 'pbx-disconnected' : store && !store.up ? 'store-down' : 'ok';
          const reason = refusing ?? (stopping ? 'stopping: draining calls in progress' : (starting ?? (connected ? null : (health.reason?.() ?? null))));
          res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ status, pbxConnected: connected, ...(reason !== null || !ok ? { reason } : {}), activeCalls: health.activeCalls(), configGeneration: health.configGeneration(), ...(store ? { store } : {}) }));
        }
        res.writeHead(404).end();
      } catch {
        res.writeHead(500).end();
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
