/**
 * Request/response over a forked child's IPC channel: the load benchmark drives the simulator and
 * the controller, each in its own process, with `{ id, cmd, args }` -> `{ id, ok, result | error }`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface IpcRequest { id: number; cmd: string; args?: unknown }
export interface IpcReply { id: number; ok: boolean; result?: unknown; error?: string }

/** Handlers of a child: one async function per command. */
export type IpcHandlers = Record<string, (args: any) => unknown>;

/** In a child: answer the parent's requests with `handlers`; exits when the parent goes away. */
export function serveIpc(handlers: IpcHandlers): void {
  if (!process.send) throw new Error('this entry point must be started by bench/load.ts (needs an IPC channel)');
  process.on('message', (msg: IpcRequest) => {
    const handler = handlers[msg.cmd];
    const reply = (r: Omit<IpcReply, 'id'>) => process.send?.({ id: msg.id, ...r });
    if (!handler) return reply({ ok: false, error: `unknown command ${msg.cmd}` });
    Promise.resolve()
      .then(() => handler(msg.args))
      .then((result) => reply({ ok: true, result }), (err: unknown) => reply({ ok: false, error: (err as Error)?.message ?? String(err) }));
  });
  // An orphaned child (the benchmark was interrupted) must not keep running.
  process.on('disconnect', () => process.exit(0));
}

/** A forked child driven by requests; every request has a deadline. */
export class Child {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly exited: Promise<number | null>;
  /** What the child's `ready` handler returned. */
  ready: unknown = undefined;

  private constructor(readonly name: string, readonly proc: ChildProcess) {
    proc.on('message', (m: IpcReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`${name}: ${m.error}`));
    });
    this.exited = new Promise((resolve) => proc.once('exit', (code) => {
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error(`${name} exited (code ${code})`));
      }
      this.pending.clear();
      resolve(code);
    }));
  }

  /** Fork `bench/<file>` under tsx with extra node flags; resolves once it answers `ready`. */
  static async start(name: string, file: string, opts: { execArgv?: string[]; env?: NodeJS.ProcessEnv; readyArgs?: unknown; timeoutMs?: number } = {}): Promise<Child> {
    const entry = fileURLToPath(new URL(`./${file}`, import.meta.url));
    const proc = fork(entry, [], {
      execArgv: ['--import', 'tsx', ...(opts.execArgv ?? [])],
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const child = new Child(name, proc);
    try {
      child.ready = await child.call('ready', opts.readyArgs, opts.timeoutMs ?? 30_000);
    } catch (err) {
      proc.kill('SIGKILL');
      throw err;
    }
    return child;
  }

  /** Send one command; rejects after `timeoutMs`. */
  call<T = unknown>(cmd: string, args?: unknown, timeoutMs = 30_000): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${cmd} got no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.proc.send({ id, cmd, args } satisfies IpcRequest);
    });
  }

  /** Ask the child to exit; kill it (by its pid) if it does not within `ms`. */
  async stop(ms = 10_000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.call('exit', undefined, ms).catch(() => undefined);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), ms);
    await this.exited;
    clearTimeout(timer);
  }
}
