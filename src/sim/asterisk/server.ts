/** The HTTP + WebSocket front of the simulator: /ari (REST, api-docs, events) and /_sim (control). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import type { EventBus } from './events.js';
import type { RestResponse, Router } from './rest/router.js';
import { SessionLimiter } from './sessions.js';
import { apiDeclaration, resourceListing } from './swagger/index.js';

/** What the server needs from the simulator. */
export interface ServerDeps {
  username: string;
  password: string;
  maxHttpSessions: number;
  router: Router;
  bus: EventBus;
  control: (method: string, path: string, params: Record<string, unknown>, body: unknown) => Promise<RestResponse>;
  onError: (err: unknown) => void;
  /** Called after each REST request was handled (the PBX may have pruned apps etc.). */
  afterRequest?: () => void;
  /** A slow or hung PBX for tests: a promise here holds the ARI request until it settles. */
  hold?: (method: string, path: string) => Promise<void> | undefined;
}

/** The listening HTTP server with its session limiter. */
export class AriHttpServer {
  readonly sessions: SessionLimiter;
  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true });

  constructor(private readonly deps: ServerDeps) {
    this.sessions = new SessionLimiter(deps.maxHttpSessions);
    this.http = createServer((req, res) => this.sessions.whenServed(req.socket, () => void this.onRequest(req, res)));
    this.http.on('connection', (s: Socket) => this.sessions.add(s));
    this.http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.sessions.whenServed(socket, () => this.onUpgrade(req, socket, head)));
    this.http.on('clientError', (_err, socket: Socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    });
  }

  /** Listen on host:port (0 = ephemeral); resolves with the bound port. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        const addr = this.http.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  /** Close every socket and the server. */
  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    for (const s of this.sessions.all()) s.destroy();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private authorized(req: IncomingMessage, url: URL): boolean {
    const key = url.searchParams.get('api_key');
    if (key !== null) return key === `${this.deps.username}:${this.deps.password}`;
    const h = req.headers.authorization ?? '';
    const m = /^Basic\s+(.+)$/i.exec(h);
    if (!m) return false;
    return Buffer.from(m[1] ?? '', 'base64').toString('utf8') === `${this.deps.username}:${this.deps.password}`;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://sim');
      const raw = await readBody(req);
      if (!this.authorized(req, url)) {
        res.setHeader('WWW-Authenticate', 'Basic realm="Asterisk REST Interface"');
        return send(res, { status: 401, body: { error: 'Authentication required' } });
      }
      let body: unknown;
      if (raw.trim()) {
        try {
          body = JSON.parse(raw);
        } catch {
          return send(res, { status: 400, body: { message: 'Failed to parse JSON body' } });
        }
      }
      const params = mergeParams(url, body);
      const path = url.pathname;
      if (path.startsWith('/_sim/')) return send(res, await this.deps.control(req.method ?? 'GET', path.slice('/_sim'.length), params, body));
      if (!path.startsWith('/ari/')) return send(res, { status: 404, body: { message: 'Not found' } });
      const ariPath = path.slice(4);
      const docs = /^\/api-docs\/([a-zA-Z]+)\.json$/.exec(ariPath);
      if (docs && req.method === 'GET') {
        const basePath = `http://${req.headers.host ?? '127.0.0.1'}/ari`;
        const doc = docs[1] === 'resources' ? resourceListing(basePath) : apiDeclaration(docs[1] ?? '', basePath);
        return send(res, doc ? { status: 200, body: doc } : { status: 404, body: { message: 'Resource not found' } });
      }
      await this.deps.hold?.(req.method ?? 'GET', ariPath);
      const out = this.deps.router.dispatch(req.method ?? 'GET', ariPath, params, body);
      this.deps.afterRequest?.();
      send(res, out);
    } catch (err) {
      this.deps.onError(err);
      if (!res.headersSent) send(res, { status: 500, body: { message: 'Internal Server Error' } });
    }
  }

  private onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    try {
      const url = new URL(req.url ?? '/', 'http://sim');
      if (url.pathname !== '/ari/events') return refuse(socket, 404, 'Not Found');
      if (!this.authorized(req, url)) return refuse(socket, 401, 'Unauthorized');
      const apps = url.searchParams.getAll('app').flatMap((a) => a.split(',')).map((a) => a.trim()).filter(Boolean);
      if (!apps.length) return refuse(socket, 400, 'Bad Request');
      const all = ['true', '1', 'yes'].includes((url.searchParams.get('subscribeAll') ?? '').toLowerCase());
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', () => ws.terminate());
        this.deps.bus.attach(ws, apps, all);
      });
    } catch (err) {
      this.deps.onError(err);
      socket.destroy();
    }
  }
}

function refuse(socket: Socket, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
}

function send(res: ServerResponse, out: RestResponse): void {
  if (out.body === undefined) {
    res.writeHead(out.status);
    res.end();
    return;
  }
  const text = JSON.stringify(out.body);
  res.writeHead(out.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Query params, plus the fields of a JSON object body (Asterisk accepts parameters in either place). */
function mergeParams(url: URL, body: unknown): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) if (k !== 'variables') params[k] = v;
  }
  for (const k of new Set(url.searchParams.keys())) {
    if (k === 'api_key') continue;
    const all = url.searchParams.getAll(k);
    params[k] = all.length > 1 ? all.join(',') : all[0];
  }
  return params;
}

const MAX_BODY = 1 << 20;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
