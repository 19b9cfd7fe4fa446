// ari-client ships no types. We use only `connect` (API load) and the returned client's
// WebSocket/event surface; src/backend/asterisk/events.ts types what it touches.
declare module 'ari-client' {
  const ari: { connect(url: string, user: string, pass: string): Promise<unknown> };
  export default ari;
}
