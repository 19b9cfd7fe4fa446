/** A tiny path router for the ARI REST resources, answering the way Asterisk does (JSON `{message}` errors). */

/** A parsed REST request: path params, query + JSON body params merged (Asterisk accepts both). */
export interface RestRequest {
  method: string;
  path: Record<string, string>;
  params: Record<string, unknown>;
  body: unknown;
}

/** A REST answer. `body` undefined means 204 No Content. */
export interface RestResponse { status: number; body?: unknown }

/** Route handler. */
export type Handler = (req: RestRequest) => RestResponse;

interface Route { method: string; parts: string[]; handler: Handler }

/** Shorthand for an Asterisk-style error answer. */
export function fail(status: number, message: string): RestResponse {
  return { status, body: { message } };
}

/** 200 with a JSON body. */
export function ok(body: unknown): RestResponse {
  return { status: 200, body };
}

/** 204 No Content. */
export const NO_CONTENT: RestResponse = { status: 204 };

/** Method + path-pattern routing (`/channels/{channelId}/answer`). */
export class Router {
  private readonly routes: Route[] = [];

  /** Register a handler. */
  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
    return this;
  }

  /** Find and run the handler; 404/405 like Asterisk when none matches. */
  dispatch(method: string, pathname: string, params: Record<string, unknown>, body: unknown): RestResponse {
    const parts = pathname.split('/').filter(Boolean).map((p) => safeDecode(p));
    let pathMatched = false;
    for (const r of this.routes) {
      const path = match(r.parts, parts);
      if (!path) continue;
      pathMatched = true;
      if (r.method !== method) continue;
      return r.handler({ method, path, params, body });
    }
    return pathMatched ? fail(405, 'Invalid method') : fail(404, 'Resource not found');
  }
}

function match(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const out: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? '';
    const v = parts[i] ?? '';
    if (p.startsWith('{')) out[p.slice(1, -1)] = v;
    else if (p !== v) return undefined;
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A string parameter, or undefined. Repeated query params keep the first value. */
export function str(params: Record<string, unknown>, name: string): string | undefined {
  const v = params[name];
  if (Array.isArray(v)) return v.length ? String(v[0]) : undefined;
  if (v === undefined || v === null) return undefined;
  return typeof v === 'object' ? undefined : String(v);
}

/** An integer parameter: undefined when absent, NaN when not an integer (the caller answers 400). */
export function int(params: Record<string, unknown>, name: string): number | undefined {
  const s = str(params, name);
  if (s === undefined || s === '') return undefined;
  return /^-?\d+$/.test(s) ? Number(s) : NaN;
}
