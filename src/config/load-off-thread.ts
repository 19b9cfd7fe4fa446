/**
 * `loadConfig` on a worker thread, for a running controller's reload. YAML parsing and schema
 * checks are synchronous: on the main thread a large config would stop call handling for as long
 * as they take. Same result and the same ConfigError as loadConfig.
 */
import { Worker } from 'node:worker_threads';
import { ConfigError } from '../errors.js';
import type { LoadedConfig, LoadOptions } from './load.js';

/** Load and validate `file` off the main thread. Throws ConfigError like loadConfig. */
export function loadConfigOffThread(file: string, env: NodeJS.ProcessEnv, opts: LoadOptions = {}): Promise<LoadedConfig> {
  // From source (tests, tsx) the worker is the .ts file and needs tsx's loader; built, it is .js.
  const fromSource = import.meta.url.endsWith('.ts');
  const script = new URL(`./parse-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url);
  const workerData = { file, env: { ...env }, cwd: opts.cwd };
  const worker = fromSource
    ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(script.href)}); });`, { eval: true, workerData })
    : new Worker(script, { workerData });
  return new Promise<LoadedConfig>((resolve, reject) => {
    let settled = false;
    worker.once('message', (m: { loaded?: LoadedConfig; configError?: { code: ConstructorParameters<typeof ConfigError>[0]; issues: ConfigError['issues'] }; failure?: string }) => {
      settled = true;
      if (m.loaded) resolve(m.loaded);
      else if (m.configError) reject(new ConfigError(m.configError.code, m.configError.issues));
      else reject(new Error(m.failure ?? 'config worker failed'));
      void worker.terminate();
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`config worker exited with code ${code} before answering`));
    });
  });
}
