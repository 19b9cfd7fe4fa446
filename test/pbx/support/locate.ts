/**
 * Where the real PBXs are, for the suites in test/pbx/: SWITCHBOARD_ASTERISK /
 * SWITCHBOARD_FREESWITCH (a binary the user installed), else the build cache that
 * scripts/pbx/*.sh fill (a prefix counts only once its `.built-ok` stamp is written).
 * A missing PBX skips the suite with a notice; SWITCHBOARD_REQUIRE_PBX=1 (CI) fails it instead.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'vitest';

export const ASTERISK_VERSION = '22.10.1';
export const FREESWITCH_VERSION = '1.10.12';

/** The cache root, as scripts/pbx/lib.sh computes it. */
export function pbxCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SWITCHBOARD_PBX_CACHE) return resolve(env.SWITCHBOARD_PBX_CACHE);
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'switchboard', 'pbx');
}

export interface AsteriskInstall {
  /** The `asterisk` binary. */
  binary: string;
  /** Loadable modules (astmoddir). */
  modules: string;
  /** Read-only data: sounds, moh, documentation (astdatadir). */
  data: string;
  /** Shared libraries of a prefix build (libasteriskssl, libasteriskpj), or null for a system one. */
  libDir: string | null;
  /** Where it was found, for messages. */
  source: string;
}

const firstDir = (dirs: string[]): string | undefined => dirs.find((d) => existsSync(d));

/** The Asterisk to test against, or the reason there is none. */
export function locateAsterisk(env: NodeJS.ProcessEnv = process.env): AsteriskInstall | { missing: string } {
  const given = env.SWITCHBOARD_ASTERISK;
  if (given) {
    if (!existsSync(given)) return { missing: `SWITCHBOARD_ASTERISK=${given} does not exist` };
    const root = resolve(dirname(given), '..');
    // A prefix build (PREFIX/sbin/asterisk) or a distribution package (/usr/sbin/asterisk).
    const modules =
      env.SWITCHBOARD_ASTERISK_MODULES ??
      firstDir([join(root, 'lib/asterisk/modules'), '/usr/lib/x86_64-linux-gnu/asterisk/modules', '/usr/lib/aarch64-linux-gnu/asterisk/modules', '/usr/lib/asterisk/modules']);
    if (!modules) return { missing: `no module folder found for ${given} (set SWITCHBOARD_ASTERISK_MODULES)` };
    const data = firstDir([join(root, 'var/lib/asterisk'), '/usr/share/asterisk', '/var/lib/asterisk']) ?? join(root, 'var/lib/asterisk');
    const libDir = existsSync(join(root, 'lib/libasteriskssl.so')) ? join(root, 'lib') : null;
    return { binary: given, modules, data, libDir, source: `SWITCHBOARD_ASTERISK=${given}` };
  }
  const prefix = join(pbxCacheRoot(env), `asterisk-${ASTERISK_VERSION}`);
  if (!existsSync(join(prefix, '.built-ok')) || !existsSync(join(prefix, 'sbin/asterisk'))) {
    return { missing: `Asterisk ${ASTERISK_VERSION} is not built in ${prefix} (run scripts/pbx/asterisk.sh build, or set SWITCHBOARD_ASTERISK)` };
  }
  return {
    binary: join(prefix, 'sbin/asterisk'),
    modules: join(prefix, 'lib/asterisk/modules'),
    data: join(prefix, 'var/lib/asterisk'),
    libDir: join(prefix, 'lib'),
    source: prefix,
  };
}

export const pbxRequired = (env: NodeJS.ProcessEnv = process.env): boolean => env.SWITCHBOARD_REQUIRE_PBX === '1';

/**
 * `describe` for a suite that needs a real PBX: runs when `found` is a path, else skips with a
 * notice on stderr, or (SWITCHBOARD_REQUIRE_PBX=1) registers one failing test that says why.
 */
export function describePbx(name: string, located: object, fn: () => void): void {
  if (!('missing' in located)) {
    describe(name, fn);
    return;
  }
  const why = String((located as { missing: string }).missing);
  if (pbxRequired()) {
    describe(name, () => {
      it('has the PBX it needs (SWITCHBOARD_REQUIRE_PBX=1)', () => {
        throw new Error(why);
      });
    });
    return;
  }
  process.stderr.write(`\n  NOTICE: skipping "${name}": ${why}\n`);
  describe.skip(`${name} (skipped: ${why})`, fn);
}
