/**
 * `switchboard run --config F [--backend asterisk|freeswitch]`: the controller as a service.
 * SIGTERM/SIGINT drain and stop; SIGHUP (or a change to the file) reloads the config; a bad
 * config is refused with the check-config message and the last good one stays in force.
 */
import { resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { Controller } from '../controller.js';
import { Metrics } from '../observability/metrics.js';
import { startObservability } from '../observability/http.js';
import { watchConfig } from './watch-config.js';
import { DEFAULT_CONFIG_PATH, parseArgs, type Command } from './io.js';

/** Back-off between tries to reach PostgreSQL at start: 0.5 s doubling to 5 s. */
const STORE_RETRY_MS = { first: 500, max: 5000 };

/** Resolve after `ms`, or at once when `signal` aborts (a stop while waiting). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((r) => {
    if (signal.aborted) return r();
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      r();
    }
  });
}

/**
 * Create the controller; while PostgreSQL cannot be reached (STORE_UNREACHABLE), wait for it the
 * way connect() waits for a PBX that is down: retry with back-off, say why in `waiting` (for
 * /healthz) and in the log. Resolves null when stopped meanwhile; anything else is thrown.
 */
async function createWhenStoreAnswers(first: LoadedConfig, file: string, io: { env: NodeJS.ProcessEnv; cwd: string }, log: Logger, cancel: AbortSignal, waiting: (why: string | null) => void): Promise<Controller | null> {
  let loaded = first;
  let wait = STORE_RETRY_MS.first;
  for (;;) {
    try {
      const c = await Controller.create({ loaded, log });
      waiting(null);
      return c;
    } catch (err) {
      if ((err as { code?: string }).code !== 'STORE_UNREACHABLE' || cancel.aborted) throw err;
      const why = `waiting for PostgreSQL: ${(err as Error).message}`;
      waiting(why);
      log.warn({ err: (err as Error).message, retryInMs: wait }, 'PostgreSQL not reachable; retrying (the controller starts once it answers)');
      await pause(wait, cancel);
      if (cancel.aborted) return null;
      wait = Math.min(wait * 2, STORE_RETRY_MS.max);
      // The file may have been fixed while we waited: the next try uses it (a bad one: the last good).
      loaded = await loadConfig(file, io.env, { cwd: io.cwd }).then((next) => ({ ...next, config: { ...next.config, backend: first.config.backend } }), () => loaded);
    }
  }
}

export const runCommand: Command = async (argv, io) => {
  const { opts } = parseArgs(argv);
  const file = resolve(io.cwd, opts.get('config') ?? DEFAULT_CONFIG_PATH);
  const log = createLogger();
  let loaded;
  try {
    loaded = await loadConfig(file, io.env, { cwd: io.cwd });
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const backend = opts.get('backend');
  if (backend === 'asterisk' || backend === 'freeswitch') loaded.config.backend = backend;
  else if (backend !== undefined) {
    io.stderr.write(`switchboard run: --backend must be asterisk or freeswitch\n`);
    return 2;
  }
  for (const w of loaded.warnings) log.warn({ file: w.file, line: w.line, key: w.key }, w.message);

  // /healthz answers (red) and signals are heard from the start: a controller started before its
  // PostgreSQL or its PBX waits for them, retrying, and can still be stopped meanwhile.
  let controller: Controller | null = null;
  let waiting: string | null = null;
  let stopping = false;
  const cancel = new AbortController();
  // Until the controller exists: /metrics says nothing is up yet.
  const before = new Metrics({ connected: () => false, activeCalls: () => 0, configGeneration: () => 0, store: () => ({ up: false, queued: 0, overflowed: 0 }) });
  const listen = loaded.config.http?.listen ?? '127.0.0.1:9464';
  const storeKind = loaded.postgresUrl ? 'postgres' : 'sqlite';
  const obs = await startObservability(listen, () => controller?.metrics ?? before, {
    connected: () => controller?.backend.isConnected() ?? false,
    reason: () => (controller ? controller.disconnectedReason() : waiting),
    activeCalls: () => controller?.activeCalls ?? 0,
    configGeneration: () => controller?.configGeneration ?? 0,
    refusing: () => controller?.refusingReason() ?? null,
    starting: () => (controller ? null : (waiting ?? 'starting')),
    store: () => (controller ? { kind: controller.store.kind, ...controller.store.health() } : { kind: storeKind, up: false, reason: waiting ?? 'not open yet', queued: 0, overflowed: 0 }),
    stopping: () => stopping,
  }).catch((err: Error) => {
    // Metrics are worth having, not worth refusing calls for.
    log.error({ listen, err: err.message }, 'observability endpoint not started');
    return null;
  });
  if (obs) log.info({ listen, port: obs.port }, 'serving /metrics and /healthz');
  const drainMs = Number(io.env.SWITCHBOARD_DRAIN_MS ?? 30_000);

  const creating = createWhenStoreAnswers(loaded, file, io, log, cancel.signal, (why) => (waiting = why));
  creating.catch(() => undefined); // handled below
  let watcher: { close(): void } | null = null;
  const exited = new Promise<number>((done) => {
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      cancel.abort();
      const c = await creating.catch(() => null);
      log.info({ signal, activeCalls: c?.activeCalls ?? 0 }, c ? 'stopping: draining calls in progress' : 'stopping before the controller started');
      watcher?.close();
      // Not drained in time is still a clean stop: ringing calls went to the fail-safe route.
      if (c) await c.stop(drainMs);
      await obs?.close();
      done(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
  try {
    controller = await creating;
  } catch (err) {
    // The store could not be opened, or (PostgreSQL) another live controller holds this node name:
    // one line that says which, not a stack trace.
    const message = (err as Error).message;
    log.fatal({ err: message, code: (err as { code?: string }).code }, 'controller not started');
    io.stderr.write(`switchboard run: ${message}\n`);
    await obs?.close();
    return 1;
  }
  // Stopped while waiting for PostgreSQL (or just as it answered: stop() stops that controller).
  if (!controller || stopping) return exited;
  const running = controller;

  const reload = async (why: string) => {
    try {
      // SIGHUP is the admin saying "this file, now": it may remove more than half of the numbers.
      await running.reload(io.env, { force: why === 'SIGHUP' });
    } catch (err) {
      // Same words as check-config; the running controller keeps the last good config.
      const message = err instanceof ConfigError ? err.message : (err as Error).message;
      log.error({ why, problems: message.split('\n') }, 'config refused: keeping the last good config');
    }
  };
  watcher = watchConfig(file, () => void reload('file changed'));
  process.on('SIGHUP', () => void reload('SIGHUP'));
  try {
    await running.connect();
  } catch (err) {
    // What cannot be retried (our own listen port taken): one line, not a stack trace.
    const message = (err as Error).message;
    log.fatal({ err: message }, 'controller not started');
    io.stderr.write(`switchboard run: ${message}\n`);
    watcher?.close();
    await running.stop(0);
    await obs?.close();
    return 1;
  }
  return exited;
};
