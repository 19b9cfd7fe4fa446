/**
 * Subscribing the app to many event sources without losing any (spec section 6: every desk phone
 * and softphone in the config). Two Asterisk facts shape it:
 * - The request line of an HTTP request may be 4,095 bytes at most (main/http.c,
 *   MAX_HTTP_LINE_LENGTH); a longer one is answered 400 "Request line too long" and nothing is
 *   subscribed. `eventSource` is a query parameter, so a site with a hundred phones would overflow
 *   it in one request: the sources go in batches whose line stays well under the limit.
 * - Asterisk subscribes a request's sources one by one and stops at the first it cannot find
 *   (res_stasis.c, app_handle_subscriptions: 422 "Event source does not exist", for example an
 *   `endpoint:PJSIP/<name>` that pjsip.conf does not define). A batch answered 422 is retried
 *   source by source, so one phone missing from the PBX costs its own state, not everyone's.
 */
import type { AriRest } from './rest.js';
import { AriHttpError } from '../../errors.js';

/** Bytes of encoded `eventSource` per request: the path, the method and `HTTP/1.1` fit beside it. */
export const MAX_SOURCES_BYTES = 3000;

/** Split the sources into batches whose URL-encoded, comma-joined value stays under `maxBytes`. */
export function batchSources(sources: readonly string[], maxBytes = MAX_SOURCES_BYTES): string[][] {
  const out: string[][] = [];
  let batch: string[] = [];
  let bytes = 0;
  for (const s of sources) {
    const n = encodeURIComponent(s).length + 3; // the comma, encoded as %2C
    if (batch.length > 0 && bytes + n > maxBytes) {
      out.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(s);
    bytes += n;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

/** Subscribe `app` to every source it can; resolves with the sources Asterisk refused (422). */
export async function subscribeAll(rest: Pick<AriRest, 'request'>, app: string, sources: readonly string[]): Promise<string[]> {
  const path = `/applications/${encodeURIComponent(app)}/subscription`;
  /** False when Asterisk does not know a source (422); any other error is thrown. */
  const post = async (eventSource: string): Promise<boolean> => {
    try {
      await rest.request('POST', path, { eventSource });
      return true;
    } catch (err) {
      if (err instanceof AriHttpError && err.status === 422) return false;
      throw err;
    }
  };
  const refused: string[] = [];
  for (const batch of batchSources(sources)) {
    if (await post(batch.join(','))) continue;
    if (batch.length === 1) refused.push(batch[0]!);
    else for (const s of batch) if (!(await post(s))) refused.push(s);
  }
  return refused;
}
