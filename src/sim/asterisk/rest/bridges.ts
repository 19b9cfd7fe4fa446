/** /ari/bridges: create, list, get, addChannel, removeChannel, destroy. */
import { randomUUID } from 'node:crypto';
import { BRIDGE_TYPES, SimBridge } from '../bridges.js';
import type { SimChannel } from '../channels.js';
import type { SimCore } from '../core.js';
import { fail, NO_CONTENT, ok, str, type RestRequest, type RestResponse, type Router } from './router.js';

/** Register the bridge routes. */
export function bridgeRoutes(router: Router, core: SimCore): void {
  const { pbx } = core;
  const notFound = fail(404, 'Bridge not found');

  const create = (req: RestRequest, id: string | undefined): RestResponse => {
    const type = str(req.params, 'type') ?? 'mixing';
    if (!type.split(',').every((t) => BRIDGE_TYPES.has(t.trim()))) return fail(400, 'Invalid bridge type');
    const existing = id ? pbx.bridges.get(id) : undefined;
    if (existing) return ok(existing.toJson());
    const bridge = new SimBridge(id || randomUUID(), type, str(req.params, 'name') ?? '');
    pbx.bridges.set(bridge.id, bridge);
    return ok(bridge.toJson());
  };

  /** The `channel` list param: 400 when missing or naming a channel that does not exist. */
  const channelsOf = (req: RestRequest): SimChannel[] | RestResponse => {
    const raw = str(req.params, 'channel');
    if (!raw) return fail(400, 'Missing parameter channel');
    const out: SimChannel[] = [];
    for (const id of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
      const ch = pbx.channels.get(id);
      if (!ch) return fail(400, 'Channel not found');
      out.push(ch);
    }
    return out.length ? out : fail(400, 'Missing parameter channel');
  };

  router.on('GET', '/bridges', () => ok([...pbx.bridges.values()].map((b) => b.toJson())));
  router.on('POST', '/bridges', (req) => create(req, str(req.params, 'bridgeId')));
  router.on('POST', '/bridges/{bridgeId}', (req) => create(req, req.path.bridgeId));
  router.on('GET', '/bridges/{bridgeId}', (req) => {
    const b = pbx.bridges.get(req.path.bridgeId ?? '');
    return b ? ok(b.toJson()) : notFound;
  });
  router.on('DELETE', '/bridges/{bridgeId}', (req) => {
    const b = pbx.bridges.get(req.path.bridgeId ?? '');
    if (!b) return notFound;
    pbx.destroyBridge(b);
    return NO_CONTENT;
  });
  router.on('POST', '/bridges/{bridgeId}/addChannel', (req) => {
    const b = pbx.bridges.get(req.path.bridgeId ?? '');
    if (!b) return notFound;
    const chans = channelsOf(req);
    if (!Array.isArray(chans)) return chans;
    if (chans.some((c) => !c.stasisApp)) return fail(422, 'Channel not in Stasis application');
    pbx.addToBridge(b, chans);
    return NO_CONTENT;
  });
  router.on('POST', '/bridges/{bridgeId}/removeChannel', (req) => {
    const b = pbx.bridges.get(req.path.bridgeId ?? '');
    if (!b) return notFound;
    const chans = channelsOf(req);
    if (!Array.isArray(chans)) return chans;
    if (chans.some((c) => c.bridgeId !== b.id)) return fail(422, 'Channel not in this bridge');
    for (const c of chans) pbx.removeFromBridge(c);
    return NO_CONTENT;
  });
}
