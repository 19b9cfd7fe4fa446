/** What an Asterisk call needs from its backend (kept apart from call.ts, which is at its size limit). */
import type { Logger } from '../../log.js';
import type { AriRest } from './rest.js';

export interface AsteriskCallDeps<Call> {
  rest: AriRest;
  app: string;
  voicemailContext: string;
  templates: { endpoint: string; trunk: string };
  log: Logger;
  /** Route a channel's (and bridge's) events to this call, or stop routing them. */
  register(id: string, call: Call | null): void;
  newId(): string;
}
