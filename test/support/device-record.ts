/**
 * One inbound ESL event as the device-state fixtures keep it: the names and the fields the
 * controller's device watcher (src/backend/freeswitch/devices.ts) reads, nothing that changes from
 * run to run (uuids, ports, call-ids, times).
 */
import type { EslEvent } from '../../src/esl/protocol.js';

export interface DeviceRecord {
  event: string;
  subclass?: string;
  /** The phone: `from-user` of sofia::register/unregister, `user` of sofia::expire. */
  user?: string;
  username?: string;
  profile?: string;
  direction?: string;
  answerState?: string;
  dialedUser?: string;
  presenceId?: string;
}

export function deviceRecord(e: EslEvent): DeviceRecord {
  const h = e.headers;
  const r: DeviceRecord = { event: e.name };
  if (e.name === 'CUSTOM') {
    r.subclass = h['Event-Subclass'];
    r.user = h['from-user'] ?? h.user;
    r.username = h.username;
    r.profile = h['profile-name'];
    return r;
  }
  r.profile = /^sofia\/([^/]+)\//.exec(h['Channel-Name'] ?? '')?.[1];
  r.direction = h['Call-Direction'];
  r.answerState = h['Answer-State'];
  r.dialedUser = h.variable_dialed_user;
  r.presenceId = h['Channel-Presence-ID'];
  return r;
}

/** The ARI device events of `endpoints` (PJSIP) the controller reads or could read. */
export function isAriDeviceEvent(type: string, event: Record<string, any>, endpoints: string[]): boolean {
  if (type === 'DeviceStateChanged') return endpoints.some((ep) => event.device_state?.name === `PJSIP/${ep}`);
  if (type === 'PeerStatusChange' || type === 'ContactStatusChange' || type === 'EndpointStateChange') {
    return event.endpoint?.technology === 'PJSIP' && endpoints.includes(event.endpoint?.resource);
  }
  return false;
}

/** One ARI device event as the fixture keeps it: names and states, no times, ids or ports. */
export function ariDeviceRecord(type: string, event: Record<string, any>): Record<string, unknown> {
  if (type === 'DeviceStateChanged') return { type, device: event.device_state.name, state: event.device_state.state };
  return {
    type,
    endpoint: `${event.endpoint.technology}/${event.endpoint.resource}`,
    endpointState: event.endpoint.state,
    ...(event.peer ? { peerStatus: event.peer.peer_status } : {}),
    ...(event.contact_info ? { contactStatus: event.contact_info.contact_status } : {}),
  };
}
