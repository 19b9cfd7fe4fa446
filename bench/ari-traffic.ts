/**
 * Counts what the controller process exchanges with ARI: WebSocket messages received by
 * ari-client's `ws` (one per event) and HTTP requests started through any http.Agent (the
 * controller's REST pool; nothing else in that process speaks HTTP). Patched at the prototypes
 * so that the controller's code stays untouched.
 */
import http from 'node:http';
import { createRequire } from 'node:module';

export interface AriTraffic {
  readonly events: number;
  readonly requests: number;
  /** Events by ARI type, and REST requests by method and first path segment. */
  readonly byType: Record<string, number>;
}

export function countAriTraffic(): AriTraffic {
  const counts = { events: 0, requests: 0, byType: {} as Record<string, number> };
  const bump = (k: string) => void (counts.byType[k] = (counts.byType[k] ?? 0) + 1);
  // The ws copy ari-client loads (it may nest its own), so that its instances are the ones counted.
  const fromAri = createRequire(createRequire(import.meta.url).resolve('ari-client'));
  const WebSocket = fromAri('ws') as { prototype: { emit: (...a: unknown[]) => boolean } };
  const emit = WebSocket.prototype.emit;
  WebSocket.prototype.emit = function (this: unknown, ...args: unknown[]) {
    if (args[0] === 'message') {
      counts.events++;
      const type = /"type"\s*:\s*"(\w+)"/.exec(String(args[1]))?.[1];
      bump(type ?? '?');
    }
    return emit.apply(this, args);
  };
  const agent = http.Agent.prototype as unknown as { addRequest: (...a: unknown[]) => void };
  const addRequest = agent.addRequest;
  agent.addRequest = function (this: unknown, ...args: unknown[]) {
    counts.requests++;
    const req = args[0] as { method?: string; path?: string };
    // Ids (channel, bridge) replaced so that the kinds add up: POST /channels/:id/answer.
    bump(`${req.method} ${String(req.path).split('?')[0]!.replace(/^\/ari/, '').replace(/\/(channels|bridges)\/[^/]+/, '/$1/:id')}`);
    return addRequest.apply(this, args);
  };
  return counts;
}
