/**
 * The FreeSWITCH event-socket (ESL) wire format, shared by the backend (client side) and the
 * simulator (server side). Recorded framing quirks (freeswitch-reference README, "Wire format"):
 * - every frame is a header block ended by a blank line, then `Content-Length` bytes of body;
 * - events: `Content-Length` comes first, api replies: `Content-Type` first; order is not a rule;
 * - the outbound `connect` reply carries the channel's headers FIRST, `Content-Type` last, and no
 *   Content-Length; its values (even `Reply-Text: %2BOK%0A`) are URL-encoded;
 * - `text/event-plain` bodies are a second header block with URL-encoded values, optionally with
 *   their own Content-Length and body (BACKGROUND_JOB carries the api reply that way);
 * - header names may repeat (CHANNEL_HANGUP_COMPLETE has `Hangup-Cause` twice): the first wins.
 */
import { SwitchboardError } from '../errors.js';

/** One frame off the wire: its header block and body, headers decoded as asked. */
export interface EslFrame {
  /** The first line of the header block (for a command frame: the command itself). */
  firstLine: string;
  headers: Record<string, string>;
  body: string;
}

/** A parsed event: its name, decoded headers and optional body (BACKGROUND_JOB's job text). */
export interface EslEvent {
  name: string;
  headers: Record<string, string>;
  body: string;
}

/** Frames larger than this are a protocol error, not a reason to buffer without end. */
const MAX_FRAME_BYTES = 8 * 1024 * 1024;
const MAX_HEADER_BYTES = 256 * 1024;

/** Decode a URL-encoded header value; malformed escapes are kept as they are, never thrown. */
export function urlDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
}

/**
 * URL-encode a header value the way FreeSWITCH's switch_url_encode does: unreserved text stays,
 * separators and every control or non-ASCII byte become %XX. Crucially `\n` becomes `%0A`, so a
 * caller name with a newline can never start a new header line.
 */
export function urlEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (byte < 0x20 || byte >= 0x7f || ' "#%&+:;<=>?@[\\]^`{|}'.includes(ch)) {
      out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
    } else {
      out += ch;
    }
  }
  return out;
}

/** Parse `Name: value` lines; the first occurrence of a name wins. */
export function parseHeaderBlock(text: string, decode: boolean): { firstLine: string; headers: Record<string, string> } {
  const lines = text.split('\n');
  const headers: Record<string, string> = {};
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const at = line.indexOf(':');
    if (at <= 0) continue;
    const name = line.slice(0, at);
    const value = line.slice(at + 1).replace(/^ /, '');
    if (!(name in headers)) headers[name] = decode ? urlDecode(value) : value;
  }
  return { firstLine: lines[0] ?? '', headers };
}

/**
 * Incremental frame parser: feed it chunks cut anywhere (even inside a multi-byte character),
 * get whole frames back. Throws SwitchboardError('ESL_PROTOCOL') on a frame it cannot accept.
 */
export class EslParser {
  private buf: Buffer = Buffer.alloc(0);
  private pending: { firstLine: string; headers: Record<string, string>; length: number } | null = null;

  /** `decode`: URL-decode header values (true for what FreeSWITCH sends, false for client commands). */
  constructor(private readonly decode: boolean) {}

  /** Add a chunk; returns every frame completed by it. */
  push(chunk: Buffer | string): EslFrame[] {
    this.buf = Buffer.concat([this.buf, typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk]);
    const frames: EslFrame[] = [];
    for (;;) {
      if (!this.pending) {
        // Clients and some FreeSWITCH paths leave stray blank lines between frames: skip them.
        let start = 0;
        while (start < this.buf.length && (this.buf[start] === 0x0a || this.buf[start] === 0x0d)) start++;
        if (start > 0) this.buf = this.buf.subarray(start);
        const end = this.buf.indexOf('\n\n');
        if (end === -1) {
          if (this.buf.length > MAX_HEADER_BYTES) throw new SwitchboardError('ESL_PROTOCOL', 'ESL header block too large', { bytes: this.buf.length });
          break;
        }
        const { firstLine, headers } = parseHeaderBlock(this.buf.subarray(0, end).toString('utf8'), this.decode);
        this.buf = this.buf.subarray(end + 2);
        const lenText = headers['Content-Length'];
        const length = lenText === undefined ? 0 : Number(lenText);
        if (!Number.isInteger(length) || length < 0 || length > MAX_FRAME_BYTES) {
          throw new SwitchboardError('ESL_PROTOCOL', 'bad Content-Length', { value: String(lenText).slice(0, 40) });
        }
        this.pending = { firstLine, headers, length };
      }
      const p = this.pending;
      if (this.buf.length < p.length) break;
      const body = this.buf.subarray(0, p.length).toString('utf8');
      this.buf = this.buf.subarray(p.length);
      this.pending = null;
      frames.push({ firstLine: p.firstLine, headers: p.headers, body });
    }
    return frames;
  }
}

/** Turn an event frame (plain, json, or the CHANNEL_DATA connect reply) into an event; null if it is none. */
export function frameToEvent(frame: EslFrame): EslEvent | null {
  const type = frame.headers['Content-Type'];
  if (type === 'text/event-plain') {
    const bytes = Buffer.from(frame.body, 'utf8');
    const end = bytes.indexOf('\n\n');
    const headText = (end === -1 ? bytes : bytes.subarray(0, end)).toString('utf8');
    const { headers } = parseHeaderBlock(headText, true);
    let body = '';
    const inner = Number(headers['Content-Length'] ?? 0);
    if (end !== -1 && Number.isInteger(inner) && inner > 0) body = bytes.subarray(end + 2, end + 2 + inner).toString('utf8');
    return headers['Event-Name'] ? { name: headers['Event-Name'], headers, body } : null;
  }
  if (type === 'text/event-json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(frame.body);
    } catch {
      return null;
    }
    if (typeof parsed !== 'object' || parsed === null) return null;
    const headers: Record<string, string> = {};
    let body = '';
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (k === '_body') body = String(v);
      else headers[k] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    return headers['Event-Name'] ? { name: headers['Event-Name'], headers, body } : null;
  }
  // The connect reply: a command/reply whose own headers are the channel's (CHANNEL_DATA).
  const name = frame.headers['Event-Name'];
  return name ? { name, headers: frame.headers, body: frame.body } : null;
}

// ---------------------------------------------------------------------------------------------
// Serialisers. Values in server frames are URL-encoded where FreeSWITCH encodes them.

type HeaderList = ReadonlyArray<readonly [string, string]>;

function block(headers: HeaderList, encode: boolean): string {
  return headers.map(([k, v]) => `${k}: ${encode ? urlEncode(v) : v}\n`).join('');
}

/** `Content-Type: auth/request`, the first thing an inbound ESL client receives. */
export function authRequest(): string {
  return 'Content-Type: auth/request\n\n';
}

/** A command/reply frame; `extra` headers follow Reply-Text (bgapi's Job-UUID). */
export function commandReply(replyText: string, extra: HeaderList = []): string {
  return `Content-Type: command/reply\nReply-Text: ${replyText}\n${block(extra, false)}\n`;
}

/** An api/response frame: Content-Type first, then Content-Length (as recorded). */
export function apiResponse(body: string): string {
  return `Content-Type: api/response\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`;
}

/** A text/event-plain frame: Content-Length first; values URL-encoded; optional inner body. */
export function eventPlain(headers: HeaderList, body = ''): string {
  let inner = block(headers, true);
  if (body) inner += `Content-Length: ${Buffer.byteLength(body)}\n\n${body}`;
  else inner += '\n';
  return `Content-Length: ${Buffer.byteLength(inner)}\nContent-Type: text/event-plain\n\n${inner}`;
}

/** A text/event-json frame: one JSON object with plain string values; `_body` holds a body. */
export function eventJson(headers: HeaderList, body = ''): string {
  const obj: Record<string, string> = {};
  for (const [k, v] of headers) if (!(k in obj)) obj[k] = v;
  if (body) {
    obj['Content-Length'] = String(Buffer.byteLength(body));
    obj._body = body;
  }
  const json = JSON.stringify(obj);
  return `Content-Length: ${Buffer.byteLength(json)}\nContent-Type: text/event-json\n\n${json}`;
}

/** The outbound `connect` reply: channel headers first, Content-Type last, no Content-Length. */
export function connectReply(channelHeaders: HeaderList): string {
  return (
    block(channelHeaders, true) +
    'Content-Type: command/reply\nReply-Text: %2BOK%0A\nSocket-Mode: async\nControl: full\n\n'
  );
}

export const GOODBYE = 'Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n';

/** The linger notice (sent as soon as the controlled channel is down). */
export function lingerNotice(uuid: string, channelName: string, lingerSeconds: number): string {
  return (
    `Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${uuid}\nContent-Disposition: linger\n` +
    `Channel-Name: ${channelName}\nLinger-Time: ${lingerSeconds}\nContent-Length: 0\n\n`
  );
}

/** The final notice before FreeSWITCH closes; the inbound socket's form has no session headers. */
export function disconnectNotice(uuid?: string): string {
  const session = uuid ? `Controlled-Session-UUID: ${uuid}\nContent-Disposition: disconnect\n` : '';
  return `Content-Type: text/disconnect-notice\n${session}Content-Length: ${Buffer.byteLength(GOODBYE)}\n\n${GOODBYE}`;
}

/**
 * A client command frame (`api ...`, `sendmsg <uuid>` + headers). A newline inside the command or a
 * header would start a new command on the wire, so it is refused: this is the injection guard.
 */
export function command(line: string, headers: HeaderList = []): string {
  for (const part of [line, ...headers.flat()]) {
    if (/[\r\n]/.test(part)) throw new SwitchboardError('ESL_PROTOCOL', 'refusing an ESL command with a line break', { line: line.slice(0, 80) });
  }
  return `${line}\n${block(headers, false)}\n`;
}

/**
 * Feed a socket's bytes through `parser` and hand each complete frame to `handle`. A frame the
 * codec cannot read ends the connection (a peer that breaks framing cannot be resynchronised).
 */
export function onFrames(socket: import('node:net').Socket, parser: EslParser, handle: (f: EslFrame) => void): void {
  socket.on('data', (chunk: Buffer) => {
    let frames: EslFrame[];
    try {
      frames = parser.push(chunk);
    } catch {
      socket.destroy();
      return;
    }
    for (const f of frames) handle(f);
  });
}
