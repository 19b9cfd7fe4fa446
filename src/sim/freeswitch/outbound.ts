/**
 * The simulator's side of one outbound-mode connection (FreeSWITCH -> controller), as recorded:
 * `connect` -> CHANNEL_DATA reply with the odd framing; `myevents`, `linger [N]`, `resume`, `sendmsg`,
 * `api`/`bgapi`, `exit`; linger semantics of surprises 5 and 6.
 */
import type net from 'node:net';
import { randomUUID } from 'node:crypto';
import { renderEvent, type AppRunner, type Header } from './host.js';
import { apiResponse, commandReply, connectReply, disconnectNotice, EslParser, lingerNotice, onFrames, type EslFrame } from '../../esl/protocol.js';
import { runApi } from './api.js';

/** One controller connection for one controlled channel. */
export class OutboundSession {
  private readonly parser = new EslParser(false);
  private format: 'plain' | 'json' | null = null;
  /** null: no linger (close right after hangup); -1: forever; N: close N s after hangup. */
  private linger: number | null = null;
  private lingerSent = false;
  private closed = false;

  constructor(
    private readonly runner: AppRunner,
    private readonly socket: net.Socket,
  ) {
    onFrames(socket, this.parser, (f) => this.handle(f));
    socket.once('close', () => {
      this.closed = true;
      runner.detach('socket-closed');
    });
  }

  private write(s: string): void {
    if (!this.closed && !this.socket.destroyed) this.socket.write(s);
  }

  private handle(f: EslFrame): void {
    const line = f.firstLine.trim();
    const [cmd = '', ...rest] = line.split(' ');
    const ch = this.runner.ch;
    switch (cmd) {
      case 'connect':
        ch.vars.set('current_application', 'socket');
        ch.vars.set('current_application_data', this.runner.socketAppData);
        this.write(connectReply(ch.eventHeaders('CHANNEL_DATA')));
        this.runner.controllerConnected();
        return;
      case 'myevents':
        this.format = rest[0] === 'json' ? 'json' : 'plain';
        this.write(commandReply('+OK Events Enabled'));
        return;
      case 'event':
        this.format = rest[0] === 'json' ? 'json' : 'plain';
        this.write(commandReply(`+OK event listener enabled ${this.format}`));
        return;
      case 'linger': {
        const n = rest[0] ? Number(rest[0]) : -1;
        this.linger = Number.isInteger(n) && n > 0 ? n : -1;
        this.write(commandReply(this.linger > 0 ? `+OK will linger ${this.linger} seconds` : '+OK will linger'));
        return;
      }
      case 'nolinger':
        this.linger = null;
        this.write(commandReply('+OK will not linger'));
        return;
      case 'resume':
      case 'divert_events':
      case 'filter':
      case 'nixevent':
        this.write(commandReply('+OK'));
        return;
      case 'noevents':
        this.format = null;
        this.write(commandReply('+OK no longer listening for events'));
        return;
      case 'sendmsg':
        this.sendmsg(rest[0], f);
        return;
      case 'api':
        void runApi(this.runner.sim, rest.join(' ')).then((body) => this.write(apiResponse(body)));
        return;
      case 'bgapi': {
        const job = f.headers['Job-UUID'] ?? randomUUID();
        this.write(commandReply(`+OK Job-UUID: ${job}`, [['Job-UUID', job]]));
        return;
      }
      case 'exit':
        this.write(commandReply('+OK bye'));
        this.write(disconnectNotice(ch.uuid));
        this.socket.end();
        return;
      default:
        this.write(commandReply('-ERR command not found'));
    }
  }

  /** sendmsg: `+OK` at once, whether or not the application will ever run (surprise 2). */
  private sendmsg(uuid: string | undefined, f: EslFrame): void {
    const ch = this.runner.ch;
    if (uuid && uuid !== ch.uuid) {
      this.write(commandReply(`-ERR invalid session id [${uuid}]`));
      return;
    }
    const h = f.headers;
    const callCommand = h['call-command'] ?? '';
    this.write(commandReply('+OK'));
    if (callCommand === 'execute') {
      const app = h['execute-app-name'] ?? '';
      const arg = h['execute-app-arg'] ?? (f.body ? f.body : '');
      this.runner.enqueue(app, arg, h['Event-UUID'] ?? randomUUID(), h['event-lock'] === 'true');
    } else if (callCommand === 'hangup') {
      this.runner.sim.hangupChannel(ch, h['hangup-cause'] ?? 'NORMAL_CLEARING');
    }
  }

  /** An event about the controlled channel, if `myevents` was sent. */
  deliverEvent(_name: string, headers: Header[]): void {
    if (this.format) this.write(renderEvent(this.format, headers));
  }

  /** The linger notice, at most once. */
  sendLingerNotice(): void {
    if (this.linger === null || this.lingerSent) return;
    this.lingerSent = true;
    this.write(lingerNotice(this.runner.ch.uuid, this.runner.ch.name, this.linger));
  }

  /** After CHANNEL_HANGUP_COMPLETE: linger notice and wait, or say goodbye and close. */
  onHangupComplete(): void {
    const ch = this.runner.ch;
    if (this.linger === null) {
      this.write(disconnectNotice(ch.uuid));
      this.socket.end();
      return;
    }
    this.sendLingerNotice();
    if (this.linger > 0) {
      this.runner.sim.later(this.linger * 1000, () => {
        this.write(disconnectNotice(ch.uuid));
        this.socket.end();
      });
    }
    // linger forever (-1): FreeSWITCH holds the session until the controller closes (a5).
  }
}
