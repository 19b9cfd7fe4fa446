/** The /_sim control API: the TS API of AriSimulator over HTTP, so a simulator in another process can be driven. */
import { isDeviceBehaviour } from './endpoints.js';
import { fail, int, NO_CONTENT, ok, Router, str } from './rest/router.js';
import type { RestResponse } from './rest/router.js';
import type { DeviceBehaviour, PlayedBehaviour } from './types.js';

/** What the control API drives (implemented by AriSimulator). */
export interface SimControl {
  placeInboundCall(c: { from: string; to: string; callerName?: string; hangupAfterMs?: number; via?: 'local' | 'pjsip' }): Promise<{ pstnChannelId: string; channelId: string }>;
  setDevice(dial: string, b: DeviceBehaviour | PlayedBehaviour): void;
  setDefaultDevice(b: DeviceBehaviour | PlayedBehaviour | null): void;
  hangup(channelId: string, cause?: number): Promise<void>;
  transfer(channelId: string, t: { kind: 'blind'; exten: string; context: string }): Promise<void>;
  dropWebSockets(): number;
  channels(): unknown[];
  bridges(): unknown[];
  voicemails(): unknown[];
  failsafeCalls(): unknown[];
  originates(): unknown[];
  peakHttpSessions(): number;
  reset(): void;
}

/** Build the control handler. */
export function controlApi(sim: SimControl): (method: string, path: string, params: Record<string, unknown>, body: unknown) => Promise<RestResponse> {
  const sync = new Router()
    .on('GET', '/channels', () => ok(sim.channels()))
    .on('GET', '/bridges', () => ok(sim.bridges()))
    .on('GET', '/voicemails', () => ok(sim.voicemails()))
    .on('GET', '/failsafe', () => ok(sim.failsafeCalls()))
    .on('GET', '/originates', () => ok(sim.originates()))
    .on('GET', '/stats', () => ok({ peakHttpSessions: sim.peakHttpSessions() }))
    .on('POST', '/ws/drop', () => ok({ dropped: sim.dropWebSockets() }))
    .on('POST', '/reset', () => {
      sim.reset();
      return NO_CONTENT;
    })
    .on('POST', '/devices', (req) => {
      const b = req.body as Record<string, unknown> | undefined;
      if (!b || typeof b !== 'object') return fail(400, 'expected {"dial": "...", "behaviour": {...}} or {"default": ...}');
      if ('default' in b) {
        if (b.default !== null && !isDeviceBehaviour(b.default)) return fail(400, 'invalid behaviour');
        sim.setDefaultDevice(b.default as DeviceBehaviour | PlayedBehaviour | null);
        return NO_CONTENT;
      }
      if (typeof b.dial !== 'string' || !isDeviceBehaviour(b.behaviour)) return fail(400, 'expected {"dial": "...", "behaviour": {...}}');
      sim.setDevice(b.dial, b.behaviour);
      return NO_CONTENT;
    });

  return async (method, path, params, body) => {
    const hang = /^\/channels\/([^/]+)\/hangup$/.exec(path);
    if (hang && method === 'POST') {
      const cause = int(params, 'cause');
      if (Number.isNaN(cause)) return fail(400, 'invalid cause');
      await sim.hangup(decodeURIComponent(hang[1] ?? ''), cause ?? 16);
      return NO_CONTENT;
    }
    const xfer = /^\/channels\/([^/]+)\/transfer$/.exec(path);
    if (xfer && method === 'POST') {
      const exten = str(params, 'exten');
      if (!exten) return fail(400, 'exten is required');
      await sim.transfer(decodeURIComponent(xfer[1] ?? ''), { kind: 'blind', exten, context: str(params, 'context') ?? 'default' });
      return NO_CONTENT;
    }
    if (path === '/calls' && method === 'POST') {
      const from = str(params, 'from');
      const to = str(params, 'to');
      if (from === undefined || !to) return fail(400, 'from and to are required');
      const hangupAfterMs = int(params, 'hangupAfterMs');
      const via = str(params, 'via') === 'pjsip' ? 'pjsip' : 'local';
      return ok(await sim.placeInboundCall({ from, to, callerName: str(params, 'callerName'), hangupAfterMs: Number.isNaN(hangupAfterMs) ? undefined : hangupAfterMs, via }));
    }
    return sync.dispatch(method, path, params, body);
  };
}
