/**
 * The config loader on a worker thread (see load-off-thread.ts): receives { file, env, cwd },
 * answers with the loaded config or the config error's issues.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError } from '../errors.js';
import { loadConfig } from './load.js';

const { file, env, cwd } = workerData as { file: string; env: NodeJS.ProcessEnv; cwd?: string };
try {
  const loaded = await loadConfig(file, env, cwd === undefined ? {} : { cwd });
  parentPort!.postMessage({ loaded });
} catch (err) {
  if (err instanceof ConfigError) parentPort!.postMessage({ configError: { code: err.code, issues: err.issues } });
  else parentPort!.postMessage({ failure: (err as Error)?.message ?? String(err) });
}
