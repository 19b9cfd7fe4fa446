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
  /**
   * True once the controller is stopping (draining): /healthz turns red at once, so that a SIP
   * proxy in front of several nodes (deploy/kamailio/health-watch.sh) stops sending it calls.
   */
  stopping?(): boolean;
}

/** Start the endpoint on `listen` ("host:port"); resolves with the bound address. */
export async function startObservability(listen: string, metrics: Metrics, health: HealthSource): Promise<{ server: http.Server; port: number; close(): Promise<void> }> {
  const [host, port] = [listen.slice(0, listen.lastIndexOf(':')), Number(listen.slice(listen.lastIndexOf(':') + 1))];
  const server = http.createServer((req, res) => {
    void (async () => {
      try {
        if (req.method === 'GET' && req.url === '/metrics') {
          const body = await metrics.registry.metrics();
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          return res.end(body);
        }
        if (req.method === 'GET' && req.url === '/healthz') {
          const connected = health.connected();
          const stopping = health.stopping?.() ?? false;
          const ok = connected && !stopping;
          const reason = stopping ? 'stopping: draining calls in progress' : (health.reason?.() ?? null);
          res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ status: ok ? 'ok' : stopping ? 'stopping' : 'pbx-disconnected', pbxConnected: connected, ...(ok ? {} : { reason }), activeCalls: health.activeCalls(), configGeneration: health.configGeneration() }));
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
