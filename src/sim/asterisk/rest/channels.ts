/** /ari/channels: originate, answer, ring, hangup, continue, variables, list/get. */
import { REASON_CAUSE, type SimChannel } from '../channels.js';
import type { SimCore } from '../core.js';
import { answerChannel, continueInDialplan } from '../dialplan.js';
import { originate, type OriginateParams } from '../originate.js';
import { fail, int, NO_CONTENT, ok, str, type RestRequest, type RestResponse, type Router } from './router.js';

/** Register the channel routes. */
export function channelRoutes(router: Router, core: SimCore): void {
  const { pbx } = core;
  const find = (req: RestRequest): SimChannel | undefined => pbx.channels.get(req.path.channelId ?? '');
  const notFound = fail(404, 'Channel not found');
  const inStasis = (req: RestRequest, fn: (ch: SimChannel) => RestResponse): RestResponse => {
    const ch = find(req);
    if (!ch) return notFound;
    if (!ch.stasisApp) return fail(409, 'Channel not in Stasis application');
    return fn(ch);
  };

  router.on('GET', '/channels', () => ok([...pbx.channels.values()].map((c) => c.toJson())));
  router.on('POST', '/channels', (req) => doOriginate(core, req, str(req.params, 'channelId')));
  router.on('POST', '/channels/{channelId}', (req) => doOriginate(core, req, req.path.channelId));
  router.on('GET', '/channels/{channelId}', (req) => {
    const ch = find(req);
    return ch ? ok(ch.toJson()) : notFound;
  });
  router.on('DELETE', '/channels/{channelId}', (req) => {
    const ch = find(req);
    if (!ch) return notFound;
    const code = int(req.params, 'reason_code');
    const reason = str(req.params, 'reason');
    let cause = 16;
    if (code !== undefined) {
      if (Number.isNaN(code) || code < 0 || code > 127) return fail(400, 'Invalid reason for hangup provided');
      cause = code;
    } else if (reason !== undefined) {
      const c = REASON_CAUSE[reason];
      if (c === undefined) return fail(400, 'Invalid reason for hangup provided');
      cause = c;
    }
    // An ARI hangup is a soft hangup: ChannelHangupRequest {cause: 32, soft: true}; the cause goes to ChannelDestroyed.
    pbx.hangup(ch, { cause, request: { cause: 32, soft: true } });
    return NO_CONTENT;
  });
  router.on('POST', '/channels/{channelId}/answer', (req) => inStasis(req, (ch) => {
    answerChannel(core, ch);
    return NO_CONTENT;
  }));
  // Indicating ringing to an incoming channel changes no ARI-visible state.
  router.on('POST', '/channels/{channelId}/ring', (req) => inStasis(req, () => NO_CONTENT));
  router.on('DELETE', '/channels/{channelId}/ring', (req) => inStasis(req, () => NO_CONTENT));
  router.on('POST', '/channels/{channelId}/continue', (req) => inStasis(req, (ch) => {
    const priority = int(req.params, 'priority');
    if (Number.isNaN(priority)) return fail(400, 'Invalid priority');
    continueInDialplan(core, ch, str(req.params, 'context'), str(req.params, 'extension'));
    return NO_CONTENT;
  }));
  router.on('POST', '/channels/{channelId}/variable', (req) => {
    const variable = str(req.params, 'variable');
    if (!variable) return fail(400, 'Variable name is required');
    const ch = find(req);
    if (!ch) return notFound;
    pbx.setVar(ch, variable, str(req.params, 'value') ?? '');
    return NO_CONTENT;
  });
  router.on('GET', '/channels/{channelId}/variable', (req) => {
    const variable = str(req.params, 'variable');
    if (!variable) return fail(400, 'Variable name is required');
    const ch = find(req);
    if (!ch) return notFound;
    const value = ch.vars.get(variable);
    return value === undefined ? fail(404, 'Provided variable was not found') : ok({ value });
  });
}

function doOriginate(core: SimCore, req: RestRequest, channelId: string | undefined): RestResponse {
  const p = req.params;
  const endpoint = str(p, 'endpoint');
  if (!endpoint) return fail(400, 'Endpoint must be specified');
  const app = str(p, 'app');
  const extension = str(p, 'extension');
  if (!app && !extension) return fail(400, 'Application or extension must be specified');
  if (app && extension) return fail(400, "'extension' and 'app' are mutually exclusive");
  const timeoutSec = int(p, 'timeout');
  const priority = int(p, 'priority');
  if (Number.isNaN(timeoutSec) || Number.isNaN(priority)) return fail(400, 'Invalid numeric parameter');
  const variables = parseVariables(req.body);
  if (variables === null) return fail(400, 'Invalid variables: expected {"variables": {"NAME": "value"}}');
  const params: OriginateParams = {
    endpoint, app, appArgs: str(p, 'appArgs'), context: str(p, 'context'), extension, priority,
    callerId: str(p, 'callerId'), timeoutSec, channelId, otherChannelId: str(p, 'otherChannelId'), variables,
  };
  const res = originate(core, params);
  return res.ok ? ok(res.channel.toJson()) : { status: res.status, body: res.body };
}

/** `{"variables": {...}}` from the JSON body; undefined when absent, null when malformed. */
function parseVariables(body: unknown): Record<string, string> | undefined | null {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) return null;
  const v = (body as Record<string, unknown>).variables;
  if (v === undefined) return undefined;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) out[k] = typeof val === 'object' ? JSON.stringify(val) : String(val);
  return out;
}
