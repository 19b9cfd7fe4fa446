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
}

/**
 * Events: `event` (EslEvent), `notice` (EslFrame: text/disconnect-notice), `auth-request`,
 * `close` (once), `protocol-error` (SwitchboardError).
 */
export class EslConnection extends EventEmitter {
  private readonly parser = new EslParser(true);
  private readonly waiters: Waiter[] = [];
  private closedFlag = false;

  constructor(readonly socket: net.Socket) {
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
      this.waiters.push({ resolve, reject });
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
      if (w) w.resolve(f);
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
    for (const w of this.waiters.splice(0)) w.reject(err);
    this.emit('close');
  }
}
