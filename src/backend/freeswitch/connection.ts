/**
 * One ESL connection (either direction) on our own codec: commands are answered in order by
 * `command/reply` or `api/response` frames; events and disconnect notices are emitted.
 *
 * Why not drachtio-modesl's Connection/Server here (it stays the reference client in the tests):
 * its parser calls decodeURIComponent on every header inside the socket's data handler, so one
 * malformed `%` escape from the peer is an uncaught URIError that takes the controller and every
 * call down (test/esl/why-own-codec.test.ts shows it); its API is callback-only; and the simulator
 * needs the same codec anyway, tested frame by frame.
 */
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { SwitchboardError } from '../../errors.js';
import { command, EslParser, frameToEvent, type EslEvent, type EslFrame } from '../../esl/protocol.js';

interface Waiter {
  resolve: (f: EslFrame) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Every command FreeSWITCH answers at once (`sendmsg` replies before the app runs; we never use a
 * blocking `api originate`), so a reply that takes longer means a peer that accepted TCP and went
 * silent. Replies are matched by order, so a late one would answer the wrong command: on a timeout
 * the connection is closed and every waiter fails (the caller's retry, or the call's end, follows).
 */
export const ESL_REPLY_TIMEOUT_MS = 5000;

/**
 * Events: `event` (EslEvent), `notice` (EslFrame: text/disconnect-notice), `auth-request`,
 * `close` (once), `protocol-error` (SwitchboardError).
 */
export class EslConnection extends EventEmitter {
  private readonly parser = new EslParser(true);
  private readonly waiters: Waiter[] = [];
  private closedFlag = false;

  constructor(
    readonly socket: net.Socket,
    private readonly timeoutMs = ESL_REPLY_TIMEOUT_MS,
  ) {
    super();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    socket.once('close', () => this.onClose());
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Send a command and resolve with its reply frame. Rejects with ESL_DISCONNECTED if the socket goes. */
  send(line: string, headers: ReadonlyArray<readonly [string, string]> = []): Promise<EslFrame> {
    if (this.closedFlag) return Promise.reject(new SwitchboardError('ESL_DISCONNECTED', 'ESL connection closed', { command: line.split(' ')[0] }));
    const wire = command(line, headers);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.emit('timeout', line.split(' ')[0]);
        this.socket.destroy(new SwitchboardError('ESL_TIMEOUT', `ESL ${line.split(' ')[0]}: no reply in ${this.timeoutMs} ms`));
        reject(new SwitchboardError('ESL_TIMEOUT', `ESL ${line.split(' ')[0]}: no reply in ${this.timeoutMs} ms`, { command: line.split(' ')[0] }));
      }, this.timeoutMs);
      this.waiters.push({ resolve, reject, timer });
      this.socket.write(wire);
    });
  }

  /** `api <cmd>`: the reply body; a `-ERR` body is an ESL_COMMAND_FAILED error. */
  async api(cmd: string): Promise<string> {
    const reply = await this.send(`api ${cmd}`);
    if (reply.body.startsWith('-ERR') || reply.body.startsWith('-USAGE')) {
      throw new SwitchboardError('ESL_COMMAND_FAILED', `api ${cmd.split(' ')[0]}: ${reply.body.trim()}`, { reply: reply.body.trim() });
    }
    return reply.body;
  }

  /** Close our side. */
  close(): void {
    if (!this.socket.destroyed) this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private onData(chunk: Buffer): void {
    let frames: EslFrame[];
    try {
      frames = this.parser.push(chunk);
    } catch (err) {
      this.emit('protocol-error', err);
      this.socket.destroy();
      return;
    }
    for (const f of frames) this.dispatch(f);
  }

  private dispatch(f: EslFrame): void {
    const type = f.headers['Content-Type'];
    if (type === 'command/reply' || type === 'api/response') {
      const w = this.waiters.shift();
      if (w) {
        clearTimeout(w.timer);
        w.resolve(f);
      }
      return;
    }
    if (type === 'auth/request') {
      this.emit('auth-request');
      return;
    }
    if (type === 'text/disconnect-notice') {
      this.emit('notice', f);
      return;
    }
    const ev: EslEvent | null = frameToEvent(f);
    if (ev) this.emit('event', ev);
  }

  private onClose(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    const err = new SwitchboardError('ESL_DISCONNECTED', 'ESL connection closed');
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    this.emit('close');
  }
}
