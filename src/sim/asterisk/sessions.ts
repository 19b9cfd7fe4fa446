/**
 * Asterisk's HTTP session limit (http.conf `sessionlimit`, default 100): REST keep-alive sockets and the
 * WebSocket all count. Past the limit Asterisk accepts the TCP connection but never answers on it
 * ("HTTP session count exceeded 100 sessions."): requests hang silently. We park such connections and,
 * unlike Asterisk (which drops them eventually), serve them once a slot frees, so tests can observe both.
 */
import type { Socket } from 'node:net';

/** Counts sessions and parks the ones over the limit. */
export class SessionLimiter {
  private readonly active = new Set<Socket>();
  private readonly parked = new Map<Socket, Array<() => void>>();
  private peak = 0;

  constructor(private readonly max: number) {}

  /** A new TCP connection. */
  add(socket: Socket): void {
    if (this.active.size < this.max) this.active.add(socket);
    else this.parked.set(socket, []);
    this.peak = Math.max(this.peak, this.active.size + this.parked.size);
    socket.once('close', () => this.remove(socket));
  }

  /** Run `fn` now if the connection has a session, else when it gets one. */
  whenServed(socket: Socket, fn: () => void): void {
    const queue = this.parked.get(socket);
    if (queue) queue.push(fn);
    else fn();
  }

  /** Highest number of simultaneously open connections seen. */
  peakSessions(): number {
    return this.peak;
  }

  /** Connections currently open (served + parked). */
  openSessions(): number {
    return this.active.size + this.parked.size;
  }

  /** Sockets currently open, for closing them on stop(). */
  all(): Socket[] {
    return [...this.active, ...this.parked.keys()];
  }

  /** Forget the peak (reset()). */
  resetPeak(): void {
    this.peak = this.openSessions();
  }

  private remove(socket: Socket): void {
    this.parked.delete(socket);
    if (!this.active.delete(socket)) return;
    const next = this.parked.keys().next();
    if (next.done) return;
    const promoted = next.value;
    const queue = this.parked.get(promoted) ?? [];
    this.parked.delete(promoted);
    this.active.add(promoted);
    for (const fn of queue) fn();
  }
}
