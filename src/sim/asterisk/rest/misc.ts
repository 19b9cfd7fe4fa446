/** /ari/applications, /ari/asterisk/info, /ari/endpoints. */
import type { SimCore } from '../core.js';
import { ASTERISK_ID } from '../events.js';
import { fail, ok, str, type RestRequest, type RestResponse, type Router } from './router.js';

/** Register application, asterisk and endpoint routes. */
export function miscRoutes(router: Router, core: SimCore): void {
  const { pbx } = core;
  const appOr404 = (req: RestRequest, fn: (app: string) => RestResponse): RestResponse => {
    const app = req.path.applicationName ?? '';
    return pbx.appExists(app) ? fn(app) : fail(404, 'Application not found');
  };

  router.on('GET', '/applications', () => {
    pbx.pruneApps();
    return ok(pbx.bus.knownApps().filter((a) => pbx.appExists(a)).map((a) => pbx.applicationJson(a)));
  });
  router.on('GET', '/applications/{applicationName}', (req) => appOr404(req, (app) => ok(pbx.applicationJson(app))));
  router.on('POST', '/applications/{applicationName}/subscription', (req) => appOr404(req, (app) => subscribe(core, app, req, true)));
  router.on('DELETE', '/applications/{applicationName}/subscription', (req) => appOr404(req, (app) => subscribe(core, app, req, false)));
  router.on('PUT', '/applications/{applicationName}/eventFilter', (req) => appOr404(req, (app) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const list = (v: unknown) => (Array.isArray(v) && v.every((e) => typeof (e as { type?: unknown })?.type === 'string') ? (v as { type: string }[]) : undefined);
    if ((body.allowed !== undefined && !list(body.allowed)) || (body.disallowed !== undefined && !list(body.disallowed))) return fail(400, 'Invalid filter');
    pbx.bus.setFilter(app, { allowed: list(body.allowed), disallowed: list(body.disallowed) });
    return ok(pbx.applicationJson(app));
  }));

  router.on('GET', '/asterisk/info', () => ok({
    build: { os: 'Linux', kernel: 'sim', machine: 'x86_64', options: '', date: '2026-11-21 00:00:00 UTC', user: 'sim' },
    system: { version: '22.10.1', entity_id: ASTERISK_ID },
    config: { name: '', default_language: 'en', setid: { user: '', group: '' } },
    status: { startup_time: pbx.startedAt, last_reload_time: pbx.startedAt },
  }));
  router.on('GET', '/asterisk/ping', () => ok({ asterisk_id: ASTERISK_ID, ping: 'pong', timestamp: new Date().toISOString().replace('Z', '+0000') }));

  router.on('GET', '/deviceStates/{deviceName}', (req) => {
    const name = req.path.deviceName ?? '';
    const m = /^PJSIP\/(.+)$/.exec(name);
    return ok({ name, state: m ? core.deviceStates.state(m[1]!) : 'UNKNOWN' });
  });
  router.on('GET', '/endpoints', () => ok(endpointList(core)));
  router.on('GET', '/endpoints/{tech}', (req) => {
    const list = endpointList(core).filter((e) => e.technology.toLowerCase() === (req.path.tech ?? '').toLowerCase());
    return list.length ? ok(list) : fail(404, 'No Endpoints found - invalid tech');
  });
  router.on('GET', '/endpoints/{tech}/{resource}', (req) => {
    const e = endpointList(core).find((x) => x.technology === req.path.tech && x.resource === req.path.resource);
    return e ? ok(e) : fail(404, 'Endpoint not found');
  });
}

/** eventSource=channel:<id>,bridge:<id>: explicit subscriptions survive StasisEnd (traces c, d1, d2, p). */
function subscribe(core: SimCore, app: string, req: RestRequest, on: boolean): RestResponse {
  const { pbx } = core;
  const raw = str(req.params, 'eventSource');
  if (!raw) return fail(400, 'Missing parameter eventSource');
  for (const src of raw.split(',')) {
    const [scheme, id = ''] = src.split(':', 2);
    if (scheme === 'channel') {
      const ch = pbx.channels.get(id);
      if (!ch) return fail(422, 'Event source does not exist');
      if (on) {
        ch.subs.add(app);
        ch.explicitSubs.add(app);
      } else {
        ch.explicitSubs.delete(app);
        if (ch.stasisApp !== app) ch.subs.delete(app);
      }
    } else if (scheme === 'bridge') {
      const b = pbx.bridges.get(id);
      if (!b) return fail(422, 'Event source does not exist');
      if (on) b.subs.add(app);
      else b.subs.delete(app);
    } else if (scheme === 'endpoint' || scheme === 'deviceState') {
      // Asterisk accepts any name here, known endpoint or not (a phone may register later).
      core.deviceStates.subscribe(app, scheme, id, on);
    } else {
      return fail(400, 'Invalid event source URI scheme');
    }
  }
  return ok(pbx.applicationJson(app));
}

interface EndpointJson { technology: string; resource: string; state: string; channel_ids: string[] }

/** The PJSIP endpoints the simulator knows: one per configured PJSIP device. */
function endpointList(core: SimCore): EndpointJson[] {
  const out = new Map<string, EndpointJson>();
  for (const dial of core.devices.dials()) {
    const m = /^PJSIP\/(?:[^@]+@)?(.+)$/.exec(dial);
    if (!m || !m[1]) continue;
    const resource = m[1];
    const state = core.deviceStates.isRegistered(resource) ? 'online' : 'offline';
    out.set(resource, { technology: 'PJSIP', resource, state, channel_ids: core.deviceStates.foreignChannelIds(resource) });
  }
  for (const ch of core.pbx.channels.values()) {
    if (ch.tech !== 'PJSIP') continue;
    const resource = ch.name.slice('PJSIP/'.length).replace(/-[0-9a-f]{8}$/, '');
    const e = out.get(resource) ?? { technology: 'PJSIP', resource, state: 'online', channel_ids: [] };
    e.channel_ids.push(ch.id);
    out.set(resource, e);
  }
  return [...out.values()];
}
