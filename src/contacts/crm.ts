/**
 * The optional CRM look-up (`contacts.lookup`): asked for a caller's owner when the local store
 * has none. It is on the path of a ringing call, so it never waits longer than `timeoutMs` and
 * never throws: any failure means "unknown owner" and is logged with the reason.
 */

/** Where to ask and how long to wait. `url` contains `{caller}`. */
export interface CrmLookupOptions {
  url: string;
  timeoutMs: number;
}

/** The warn-level logger the look-up reports failures to (a pino logger fits). */
export interface CrmLog {
  warn(obj: object, msg: string): void;
}

/** The answer body is tiny; a server that streams more is not a CRM we understand. */
const MAX_BODY_BYTES = 64 * 1024;

type Answer = { owner: string | null } | { failure: string };

async function ask(url: string, signal: AbortSignal): Promise<Answer> {
  let res: Response;
  try {
    res = await fetch(url, { signal, headers: { accept: 'application/json' }, redirect: 'error' });
  } catch (err) {
    return { failure: signal.aborted ? 'timed out' : `request failed: ${(err as Error)?.cause ?? (err as Error)?.message ?? String(err)}` };
  }
  if (res.status === 404) {
    await res.body?.cancel().catch(() => undefined);
    return { owner: null };
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    return { failure: `HTTP ${res.status}` };
  }
  const read = await readCapped(res, MAX_BODY_BYTES);
  if ('failure' in read) return { failure: signal.aborted ? 'timed out reading the answer' : read.failure };
  const text = read.text;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { failure: `the answer is not JSON: ${JSON.stringify(text.slice(0, 80))}` };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !('owner' in body)) return { failure: 'the answer has no "owner" key' };
  const owner = (body as { owner: unknown }).owner;
  if (owner === null) return { owner: null };
  if (typeof owner !== 'string') return { failure: `"owner" is a ${typeof owner}, not a string` };
  return { owner: owner.trim() || null };
}

/**
 * The body, read chunk by chunk and given up (the stream cancelled, so the socket closes) as soon
 * as it passes `max` bytes. `res.text()` would read all of it first: a server streaming 600 MB took
 * the controller to 1.35 GB, one streaming 3 GB killed it with a V8 fatal error.
 */
async function readCapped(res: Response, max: number): Promise<{ text: string } | { failure: string }> {
  const reader = res.body?.getReader();
  if (!reader) return { text: '' };
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => undefined);
        return { failure: 'the answer is too large' };
      }
      chunks.push(value);
    }
  } catch {
    await reader.cancel().catch(() => undefined);
    return { failure: 'the answer could not be read' };
  }
  return { text: Buffer.concat(chunks).toString('utf8') };
}

/** Build the look-up: `(E.164 phone) => owner user id, or null for unknown / any failure`. */
export function createCrmLookup(opts: CrmLookupOptions, log?: CrmLog): (phone: string) => Promise<string | null> {
  const timeoutMs = Math.max(1, opts.timeoutMs);
  return async (phone) => {
    const url = opts.url.split('{caller}').join(encodeURIComponent(phone));
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    // AbortSignal covers the request; the race covers a server that sends headers and then stalls
    // the body, or anything else that ignores the signal.
    const deadline = new Promise<Answer>((resolve) => {
      timer = setTimeout(() => {
        abort.abort();
        resolve({ failure: 'timed out' });
      }, timeoutMs);
      timer.unref?.();
    });
    let answer: Answer;
    try {
      answer = await Promise.race([ask(url, AbortSignal.any([abort.signal, AbortSignal.timeout(timeoutMs)])), deadline]);
    } catch (err) {
      answer = { failure: `look-up failed: ${(err as Error)?.message ?? String(err)}` };
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
    if ('failure' in answer) {
      log?.warn({ phone, reason: answer.failure, timeoutMs }, 'CRM look-up failed; treating the caller as unknown');
      return null;
    }
    return answer.owner;
  };
}
