/**
 * Narrower ARI events: the channel and bridge event types the controller never reads, which
 * Asterisk is asked not to send (`PUT /applications/{app}/eventFilter`, Asterisk 16.x and later).
 * On a real Asterisk 22 a routed call was 31 events, 20 of them of these types (npm run bench --
 * real, BENCHMARKS.md); Asterisk checks the filter before it writes an event out as JSON text
 * (res/ari/ari_websockets.c), so a filtered event costs it no serialisation and no WebSocket write,
 * and costs the controller no parse.
 *
 * A disallow list, not an allow list: an event type a new feature subscribes to (device and
 * endpoint states) arrives without touching this file. ChannelDtmfReceived is read since press-1
 * confirmation (section 8): a key pressed on a confirming leg. A type listed here that the controller starts
 * to read is caught by test/asterisk/event-filter.test.ts.
 */
export const UNREAD_ARI_EVENTS = [
  'ChannelVarset',
  'ChannelDialplan',
  'ChannelStateChange',
  'ChannelCallerId',
  'ChannelConnectedLine',
  'ChannelEnteredBridge',
  'ChannelLeftBridge',
  'BridgeCreated',
  'BridgeDestroyed',
  'BridgeVideoSourceChanged',
  'ChannelTalkingStarted',
  'ChannelTalkingFinished',
  'ChannelToneDetected',
  'ChannelHold',
  'ChannelUnhold',
  // A confirming leg's prompt (section 8) is repeated from PlaybackFinished; its start is not read.
  'PlaybackStarted',
  'PlaybackContinuing',
] as const;

/** The request body of `PUT /applications/{app}/eventFilter`. */
export function eventFilterBody(): { disallowed: { type: string }[] } {
  return { disallowed: UNREAD_ARI_EVENTS.map((type) => ({ type })) };
}
