/**
 * The Swagger 1.2 documents served under /ari/api-docs: written for what the simulator implements
 * (same paths, nicknames and parameters as Asterisk's ARI, so ari-client builds the same methods).
 */
import { declaration, type Api, type Param } from './build.js';
import { applicationModels, asteriskModels, bridgeModels, channelModels, deviceStateModels, endpointModels, eventModels } from './models.js';

const cid: Param = ['channelId', 'path', 'string', true];
const bid: Param = ['bridgeId', 'path', 'string', true];
const app: Param = ['applicationName', 'path', 'string', true];
const originateParams: Param[] = [
  ['endpoint', 'query', 'string', true], ['extension', 'query', 'string'], ['context', 'query', 'string'], ['priority', 'query', 'long'],
  ['label', 'query', 'string'], ['app', 'query', 'string'], ['appArgs', 'query', 'string'], ['callerId', 'query', 'string'],
  ['timeout', 'query', 'int'], ['variables', 'body', 'containers'], ['otherChannelId', 'query', 'string'], ['originator', 'query', 'string'],
  ['formats', 'query', 'string'],
];
const notFound: Array<[number, string]> = [[404, 'Channel not found'], [409, 'Channel not in a Stasis application']];

const channels: Api[] = [
  { path: '/channels', ops: [
    { method: 'GET', nickname: 'list', response: 'List[Channel]' },
    { method: 'POST', nickname: 'originate', response: 'Channel', params: [...originateParams, ['channelId', 'query', 'string']], errors: [[400, 'Invalid parameters'], [409, 'Channel id in use']] },
  ] },
  { path: '/channels/{channelId}', ops: [
    { method: 'GET', nickname: 'get', response: 'Channel', params: [cid], errors: [[404, 'Channel not found']] },
    { method: 'POST', nickname: 'originateWithId', response: 'Channel', params: [cid, ...originateParams], errors: [[400, 'Invalid parameters'], [409, 'Channel id in use']] },
    { method: 'DELETE', nickname: 'hangup', response: 'void', params: [cid, ['reason_code', 'query', 'string'], ['reason', 'query', 'string']], errors: [[400, 'Invalid reason'], [404, 'Channel not found']] },
  ] },
  { path: '/channels/{channelId}/continue', ops: [{ method: 'POST', nickname: 'continueInDialplan', response: 'void', params: [cid, ['context', 'query', 'string'], ['extension', 'query', 'string'], ['priority', 'query', 'int'], ['label', 'query', 'string']], errors: notFound }] },
  { path: '/channels/{channelId}/answer', ops: [{ method: 'POST', nickname: 'answer', response: 'void', params: [cid], errors: notFound }] },
  { path: '/channels/{channelId}/ring', ops: [
    { method: 'POST', nickname: 'ring', response: 'void', params: [cid], errors: notFound },
    { method: 'DELETE', nickname: 'ringStop', response: 'void', params: [cid], errors: notFound },
  ] },
  { path: '/channels/{channelId}/variable', ops: [
    { method: 'GET', nickname: 'getChannelVar', response: 'Variable', params: [cid, ['variable', 'query', 'string', true]], errors: [[400, 'Missing variable'], [404, 'Channel or variable not found']] },
    { method: 'POST', nickname: 'setChannelVar', response: 'void', params: [cid, ['variable', 'query', 'string', true], ['value', 'query', 'string']], errors: [[400, 'Missing variable'], [404, 'Channel not found']] },
  ] },
];

const bridges: Api[] = [
  { path: '/bridges', ops: [
    { method: 'GET', nickname: 'list', response: 'List[Bridge]' },
    { method: 'POST', nickname: 'create', response: 'Bridge', params: [['type', 'query', 'string'], ['bridgeId', 'query', 'string'], ['name', 'query', 'string']] },
  ] },
  { path: '/bridges/{bridgeId}', ops: [
    { method: 'POST', nickname: 'createWithId', response: 'Bridge', params: [['type', 'query', 'string'], bid, ['name', 'query', 'string']] },
    { method: 'GET', nickname: 'get', response: 'Bridge', params: [bid], errors: [[404, 'Bridge not found']] },
    { method: 'DELETE', nickname: 'destroy', response: 'void', params: [bid], errors: [[404, 'Bridge not found']] },
  ] },
  { path: '/bridges/{bridgeId}/addChannel', ops: [{ method: 'POST', nickname: 'addChannel', response: 'void', params: [bid, ['channel', 'query', 'string', true, true], ['role', 'query', 'string'], ['absorbDTMF', 'query', 'boolean'], ['mute', 'query', 'boolean'], ['inhibitConnectedLineUpdates', 'query', 'boolean']], errors: [[400, 'Channel not found'], [404, 'Bridge not found'], [422, 'Channel not in Stasis application']] }] },
  { path: '/bridges/{bridgeId}/removeChannel', ops: [{ method: 'POST', nickname: 'removeChannel', response: 'void', params: [bid, ['channel', 'query', 'string', true, true]], errors: [[400, 'Channel not found'], [404, 'Bridge not found'], [422, 'Channel not in this bridge']] }] },
];

const applications: Api[] = [
  { path: '/applications', ops: [{ method: 'GET', nickname: 'list', response: 'List[Application]' }] },
  { path: '/applications/{applicationName}', ops: [{ method: 'GET', nickname: 'get', response: 'Application', params: [app], errors: [[404, 'Application does not exist']] }] },
  { path: '/applications/{applicationName}/subscription', ops: [
    { method: 'POST', nickname: 'subscribe', response: 'Application', params: [app, ['eventSource', 'query', 'string', true, true]], errors: [[400, 'Missing parameter'], [404, 'Application does not exist'], [422, 'Event source does not exist']] },
    { method: 'DELETE', nickname: 'unsubscribe', response: 'Application', params: [app, ['eventSource', 'query', 'string', true, true]], errors: [[400, 'Missing parameter'], [404, 'Application does not exist'], [422, 'Event source does not exist']] },
  ] },
];

const asterisk: Api[] = [
  { path: '/asterisk/info', ops: [{ method: 'GET', nickname: 'getInfo', response: 'AsteriskInfo', params: [['only', 'query', 'string', false, true]] }] },
  { path: '/asterisk/ping', ops: [{ method: 'GET', nickname: 'ping', response: 'AsteriskPing' }] },
];

const endpoints: Api[] = [
  { path: '/endpoints', ops: [{ method: 'GET', nickname: 'list', response: 'List[Endpoint]' }] },
  { path: '/endpoints/{tech}', ops: [{ method: 'GET', nickname: 'listByTech', response: 'List[Endpoint]', params: [['tech', 'path', 'string', true]] }] },
  { path: '/endpoints/{tech}/{resource}', ops: [{ method: 'GET', nickname: 'get', response: 'Endpoint', params: [['tech', 'path', 'string', true], ['resource', 'path', 'string', true]] }] },
];

const deviceStates: Api[] = [
  { path: '/deviceStates/{deviceName}', ops: [{ method: 'GET', nickname: 'get', response: 'DeviceState', params: [['deviceName', 'path', 'string', true]] }] },
];

const events: Api[] = [
  { path: '/events', ops: [{ method: 'GET', nickname: 'eventWebsocket', response: 'Message', upgrade: true, params: [['app', 'query', 'string', true, true], ['subscribeAll', 'query', 'boolean']] }] },
];

const RESOURCES: Record<string, { apis: Api[]; models: Record<string, unknown> }> = {
  asterisk: { apis: asterisk, models: asteriskModels },
  endpoints: { apis: endpoints, models: endpointModels },
  deviceStates: { apis: deviceStates, models: deviceStateModels },
  channels: { apis: channels, models: channelModels },
  bridges: { apis: bridges, models: bridgeModels },
  applications: { apis: applications, models: applicationModels },
  events: { apis: events, models: eventModels },
};

/** `resources.json`, with basePath pointing at the host the client used (as Asterisk rewrites it). */
export function resourceListing(basePath: string): Record<string, unknown> {
  return {
    apiVersion: '2.0.0',
    swaggerVersion: '1.1',
    basePath,
    apis: Object.keys(RESOURCES).map((name) => ({ path: `/api-docs/${name}.{format}`, description: name })),
  };
}

/** One API declaration (`channels.json` ...), or undefined for an unknown one. */
export function apiDeclaration(name: string, basePath: string): Record<string, unknown> | undefined {
  const r = RESOURCES[name];
  return r ? declaration(name, basePath, r.apis, r.models) : undefined;
}
