/** The models the simulator sends: resources (Channel, Bridge ...) and the ARI events it produces. */
import { model } from './build.js';

const CHANNEL = model('Channel', {
  id: ['string', true], name: ['string', true], state: ['string', true], protocol_id: ['string', true],
  caller: ['CallerID', true], connected: ['CallerID', true], accountcode: ['string', true],
  dialplan: ['DialplanCEP', true], creationtime: ['Date', true], language: ['string', true],
});

/** Models of the channels resource. */
export const channelModels = {
  Channel: CHANNEL,
  CallerID: model('CallerID', { name: ['string', true], number: ['string', true] }),
  DialplanCEP: model('DialplanCEP', { context: ['string', true], exten: ['string', true], priority: ['long', true], app_name: ['string', true], app_data: ['string', true] }),
  Variable: model('Variable', { value: ['string', true] }),
};

/** Models of the bridges resource. */
export const bridgeModels = {
  Bridge: model('Bridge', {
    id: ['string', true], technology: ['string', true], bridge_type: ['string', true], bridge_class: ['string', true],
    creator: ['string', true], name: ['string', true], channels: ['List[string]', true], creationtime: ['Date', true], video_mode: ['string'],
  }),
};

/** Models of the applications resource. */
export const applicationModels = {
  Application: model('Application', {
    name: ['string', true], channel_ids: ['List[string]', true], bridge_ids: ['List[string]', true], endpoint_ids: ['List[string]', true],
    device_names: ['List[string]', true], events_allowed: ['List[object]', true], events_disallowed: ['List[object]', true],
  }),
};

/** Models of the asterisk resource. */
export const asteriskModels = {
  AsteriskInfo: model('AsteriskInfo', { build: ['object'], system: ['object'], config: ['object'], status: ['object'] }),
  AsteriskPing: model('AsteriskPing', { asterisk_id: ['string', true], ping: ['string', true], timestamp: ['string', true] }),
};

/** Models of the endpoints resource. */
export const endpointModels = {
  Endpoint: model('Endpoint', { technology: ['string', true], resource: ['string', true], state: ['string'], channel_ids: ['List[string]', true] }),
};

export const deviceStateModels = {
  DeviceState: model('DeviceState', { name: ['string', true], state: ['string', true] }),
};

const base: Record<string, [string, boolean?]> = { type: ['string', true], application: ['string', true], timestamp: ['Date', true], asterisk_id: ['string'] };
const ev = (id: string, props: Record<string, [string, boolean?]>) => model(id, { ...base, ...props });
const chan: Record<string, [string, boolean?]> = { channel: ['Channel', true] };

/**
 * Event models. ari-client looks every received event up here by `type` and turns Channel/Bridge
 * properties into objects, so each event the simulator sends must be declared.
 */
export const eventModels = {
  Message: model('Message', { type: ['string', true], asterisk_id: ['string'] }),
  Event: model('Event', base),
  StasisStart: ev('StasisStart', { ...chan, args: ['List[string]', true], replace_channel: ['Channel'] }),
  StasisEnd: ev('StasisEnd', chan),
  Dial: ev('Dial', { caller: ['Channel'], peer: ['Channel', true], forward: ['string'], forwarded: ['Channel'], dialstring: ['string'], dialstatus: ['string', true] }),
  ChannelCreated: ev('ChannelCreated', chan),
  ChannelDtmfReceived: ev('ChannelDtmfReceived', { ...chan, digit: ['string', true], duration_ms: ['int', true] }),
  // Declared as plain objects: the simulator serves no /playbacks resource for ari-client to bind a
  // Playback instance to, and the controller reads only `id` and `target_uri` (media.ts).
  PlaybackStarted: ev('PlaybackStarted', { playback: ['object', true] }),
  PlaybackFinished: ev('PlaybackFinished', { playback: ['object', true] }),
  ChannelDestroyed: ev('ChannelDestroyed', { ...chan, cause: ['int', true], cause_txt: ['string', true], tech_cause: ['int'] }),
  ChannelStateChange: ev('ChannelStateChange', chan),
  ChannelHangupRequest: ev('ChannelHangupRequest', { ...chan, cause: ['int'], soft: ['boolean'], tech_cause: ['int'] }),
  ChannelVarset: ev('ChannelVarset', { channel: ['Channel'], variable: ['string', true], value: ['string', true] }),
  ChannelDialplan: ev('ChannelDialplan', { ...chan, dialplan_app: ['string', true], dialplan_app_data: ['string', true] }),
  ChannelCallerId: ev('ChannelCallerId', { ...chan, caller_presentation: ['int', true], caller_presentation_txt: ['string', true] }),
  ChannelConnectedLine: ev('ChannelConnectedLine', chan),
  ChannelEnteredBridge: ev('ChannelEnteredBridge', { bridge: ['Bridge', true], channel: ['Channel'] }),
  ChannelLeftBridge: ev('ChannelLeftBridge', { bridge: ['Bridge', true], channel: ['Channel', true] }),
  BridgeCreated: ev('BridgeCreated', { bridge: ['Bridge', true] }),
  DeviceStateChanged: ev('DeviceStateChanged', { device_state: ['DeviceState', true] }),
  EndpointStateChange: ev('EndpointStateChange', { endpoint: ['Endpoint', true] }),
  PeerStatusChange: ev('PeerStatusChange', { endpoint: ['Endpoint', true], peer: ['Peer', true] }),
  ContactStatusChange: ev('ContactStatusChange', { endpoint: ['Endpoint', true], contact_info: ['ContactInfo', true] }),
  BridgeDestroyed: ev('BridgeDestroyed', { bridge: ['Bridge', true] }),
  // Sent to the old WebSocket of an app when another one subscribes to it (section 10).
  ApplicationReplaced: ev('ApplicationReplaced', {}),
  BridgeBlindTransfer: ev('BridgeBlindTransfer', {
    channel: ['Channel', true], replace_channel: ['Channel'], transferee: ['Channel'], exten: ['string', true], context: ['string', true],
    result: ['string', true], is_external: ['boolean', true], bridge: ['Bridge'],
  }),
  BridgeAttendedTransfer: ev('BridgeAttendedTransfer', {
    transferer_first_leg: ['Channel', true], transferer_second_leg: ['Channel', true], result: ['string', true], is_external: ['boolean', true],
    destination_type: ['string', true], destination_bridge: ['string'], transferer_first_leg_bridge: ['Bridge'], transferer_second_leg_bridge: ['Bridge'],
  }),
};
