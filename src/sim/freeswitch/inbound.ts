/**
 * One inbound ESL client (mod_event_socket's listener): `auth/request` first, then `auth`,
 * `event plain|json ...`, `api`, `bgapi` (BACKGROUND_JOB), `filter`, `nixevent`, `noevents`, `exit`.
 * Subscribed events are global: every channel, as the carrier connection in the recordings saw.
 */
import type net from 'node:net';
import { randomUUID } from 'node:crypto';
import { renderEvent, type Header, type SimHost } from './host.js';
import { apiResponse, authRequest, commandReply, disconnectNotice, EslParser, onFrames, type EslFrame } from '../../esl/protocol.js';
import { runApi } from './api.js';

/** An authenticated (or not yet) inbound connection. */
export class InboundSession {
  private readonly parser = new EslParser(false);
  private authed = false;
  private format: 'plain' | 'json' | null = null;
  private all = false;
  private readonly names = new Set<string>();
  /** Subclasses of CUSTOM this client asked for (mod_event_socket: every name after CUSTOM is one). */
  private readonly subclasses = new Set<string>();
  private readonly filters: Array<[string, string]> = [];

  constructor(
    private readonly sim: SimHost,
    private readonly socket: net.Socket,
  ) {
    onFrames(socket, this.parser, (f) => void this.handle(f));
    this.write(authRequest());
  }

  /** Drop the connection (a network drop: no goodbye). */
  close(): void {
    this.socket.destroy();
  }

  private write(s: string): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(s);
  }

  private async handle(f: EslFrame): Promise<void> {
    const line = f.firstLine.trim();
    const sp = line.indexOf(' ');
    const cmd = sp === -1 ? line : line.slice(0, sp);
    const rest = sp === -1 ? '' : line.slice(sp + 1).trim();
    if (!this.authed) {
      if (cmd === 'auth' && rest === this.sim.opts.password) {
        this.authed = true;
        this.write(commandReply('+OK accepted'));
      } else if (cmd === 'auth') {
        this.write(commandReply('-ERR invalid'));
        this.socket.end();
      } else {
        this.write(commandReply('-ERR command not found'));
      }
      return;
    }
    switch (cmd) {
      case 'event': {
        const [fmt = 'plain', ...names] = rest.split(/\s+/);
        this.format = fmt === 'json' ? 'json' : 'plain';
        let custom = false;
        for (const n of names) {
          if (!n) continue;
          if (custom) this.subclasses.add(n);
          else if (n === 'ALL') this.all = true;
          else this.names.add(n);
          if (n === 'CUSTOM') custom = true;
        }
        this.write(commandReply(`+OK event listener enabled ${this.format}`));
        return;
      }
      case 'nixevent':
        for (const n of rest.split(/\s+/)) this.names.delete(n);
        if (rest.split(/\s+/).includes('ALL')) this.all = false;
        this.write(commandReply('+OK events nixed'));
        return;
      case 'noevents':
        this.format = null;
        this.all = false;
        this.names.clear();
        this.subclasses.clear();
        this.write(commandReply('+OK no longer listening for events'));
        return;
      case 'filter': {
        const [name = '', ...value] = rest.split(' ');
        if (name === 'delete') {
          const v = value.join(' ');
          const i = this.filters.findIndex(([k, fv]) => k === value[0] || `${k} ${fv}` === v);
          if (i >= 0) this.filters.splice(i, 1);
          this.write(commandReply('+OK filter deleted.'));
          return;
        }
        this.filters.push([name, value.join(' ')]);
        this.write(commandReply(`+OK filter added. [${name}]=[${value.join(' ')}]`));
        return;
      }
      case 'api': {
        const body = await runApi(this.sim, rest);
        this.write(apiResponse(body));
        return;
      }
      case 'bgapi': {
        const job = f.headers['Job-UUID'] ?? randomUUID();
        this.write(commandReply(`+OK Job-UUID: ${job}`, [['Job-UUID', job]]));
        const sp2 = rest.indexOf(' ');
        const body = await runApi(this.sim, rest);
        this.sim.emitBackgroundJob(job, sp2 === -1 ? rest : rest.slice(0, sp2), sp2 === -1 ? '' : rest.slice(sp2 + 1), body);
        return;
      }
      case 'exit':
        this.write(commandReply('+OK bye'));
        this.write(disconnectNotice());
        this.socket.end();
        return;
      default:
        this.write(commandReply('-ERR command not found'));
    }
  }

  /** Send an event if this client subscribed to it and it passes the filters. */
  deliver(name: string, headers: Header[], body = ''): void {
    if (!this.authed || !this.format) return;
    if (!this.all && !this.names.has(name)) return;
    if (!this.all && name === 'CUSTOM' && !headers.some(([k, v]) => k === 'Event-Subclass' && this.subclasses.has(v))) return;
    if (this.filters.length > 0 && !this.filters.some(([k, v]) => headers.some(([hk, hv]) => hk === k && hv === v))) return;
    this.write(renderEvent(this.format, headers, body));
  }
}
