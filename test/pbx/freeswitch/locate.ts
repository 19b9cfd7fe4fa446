/**
 * Where the real FreeSWITCH is: SWITCHBOARD_FREESWITCH (a binary), else the prefix
 * scripts/pbx/freeswitch.sh builds into the cache (counted only once `.built-ok` is written).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const FREESWITCH_VERSION = '1.10.12';

export interface FreeswitchInstall {
  binary: string;
  /** Loadable modules (PREFIX/lib/freeswitch/mod). */
  modules: string;
  /** The installed (vanilla) config every instance starts from. */
  conf: string;
  /** sofia-sip, spandsp and libfreeswitch. */
  libDir: string;
  source: string;
}

function cacheRoot(env: NodeJS.ProcessEnv): string {
  if (env.SWITCHBOARD_PBX_CACHE) return resolve(env.SWITCHBOARD_PBX_CACHE);
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'switchboard', 'pbx');
}

export function locateFreeswitch(env: NodeJS.ProcessEnv = process.env): FreeswitchInstall | { missing: string } {
  const given = env.SWITCHBOARD_FREESWITCH;
  if (given) {
    if (!existsSync(given)) return { missing: `SWITCHBOARD_FREESWITCH=${given} does not exist` };
    const root = resolve(dirname(given), '..');
    return { binary: given, modules: join(root, 'lib/freeswitch/mod'), conf: join(root, 'etc/freeswitch'), libDir: join(root, 'lib'), source: `SWITCHBOARD_FREESWITCH=${given}` };
  }
  const prefix = join(cacheRoot(env), `freeswitch-${FREESWITCH_VERSION}`);
  if (!existsSync(join(prefix, '.built-ok')) || !existsSync(join(prefix, 'bin/freeswitch'))) {
    return { missing: `FreeSWITCH ${FREESWITCH_VERSION} is not built in ${prefix} (run scripts/pbx/freeswitch.sh build, or set SWITCHBOARD_FREESWITCH)` };
  }
  return { binary: join(prefix, 'bin/freeswitch'), modules: join(prefix, 'lib/freeswitch/mod'), conf: join(prefix, 'etc/freeswitch'), libDir: join(prefix, 'lib'), source: prefix };
}
