/**
 * `switchboard run --config F [--backend asterisk|freeswitch]`: the controller as a service.
 * SIGTERM/SIGINT drain and stop; SIGHUP (or a change to the file) reloads the config; a bad
 * config is refused with the check-config message and the last good one stays in force.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { createLogger } from '../log.js';
import { Controller } from '../controller.js';
import { startObservability } from '../observability/http.js';
import { watchConfig } from './watch-config.js';
import { DEFAULT_CONFIG_PATH, parseArgs, type Command } from './io.js';

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
  // PBX waits for it, retrying, and can still be stopped meanwhile.
  let controller: Controller;
  try {
    controller = await Controller.create({ loaded, log });
  } catch (err) {
    // The store could not be opened, or (PostgreSQL) another live controller holds this node name:
    // one line that says which, not a stack trace.
    const message = (err as Error).message;
    log.fatal({ err: message, code: (err as { code?: string }).code }, 'controller not started');
    io.stderr.write(`switchboard run: ${message}\n`);
    return 1;
  }
  let stopping = false;
  const listen = loaded.config.http?.listen ?? '127.0.0.1:9464';
  const obs = await startObservability(listen, controller.metrics, {
    connected: () => controller.backend.isConnected(),
    reason: () => controller.disconnectedReason(),
    activeCalls: () => controller.activeCalls,
    configGeneration: () => controller.configGeneration,
    refusing: () => controller.refusingReason(),
    store: () => ({ kind: controller.store.kind, ...controller.store.health() }),
    stopping: () => stopping,
  }).catch((err: Error) => {
    // Metrics are worth having, not worth refusing calls for.
    log.error({ listen, err: err.message }, 'observability endpoint not started');
    return null;
  });
  if (obs) log.info({ listen, port: obs.port }, 'serving /metrics and /healthz');
  const drainMs = Number(io.env.SWITCHBOARD_DRAIN_MS ?? 30_000);

  const reload = async (why: string) => {
    try {
      // SIGHUP is the admin saying "this file, now": it may remove more than half of the numbers.
      await controller.reload(io.env, { force: why === 'SIGHUP' });
    } catch (err) {
      // Same words as check-config; the running controller keeps the last good config.
      const message = err instanceof ConfigError ? err.message : (err as Error).message;
      log.error({ why, problems: message.split('\n') }, 'config refused: keeping the last good config');
    }
  };
  const watcher = watchConfig(file, () => void reload('file changed'));
  process.on('SIGHUP', () => void reload('SIGHUP'));

  const exited = new Promise<number>((done) => {
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal, activeCalls: controller.activeCalls }, 'stopping: draining calls in progress');
      watcher.close();
      // Not drained in time is still a clean stop: ringing calls went to the fail-safe route.
      await controller.stop(drainMs);
      await obs?.close();
      done(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
  try {
    await controller.connect();
  } catch (err) {
    // What cannot be retried (our own listen port taken): one line, not a stack trace.
    const message = (err as Error).message;
    log.fatal({ err: message }, 'controller not started');
    io.stderr.write(`switchboard run: ${message}\n`);
    watcher.close();
    await controller.stop(0);
    await obs?.close();
    return 1;
  }
  return exited;
};
