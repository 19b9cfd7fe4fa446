/**
 * Where Kamailio and SIPp are, for the tests that run them: SWITCHBOARD_KAMAILIO / SWITCHBOARD_SIPP
 * (a binary), else the Debian packages' `kamailio` and `sipp` on PATH. Missing: the suite skips
 * with a notice (describePbx), or fails with SWITCHBOARD_REQUIRE_PBX=1.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface KamailioInstall {
  binary: string;
  /** kamcmd, the RPC client the health watcher uses. */
  kamcmd: string;
}

function onPath(name: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** Kamailio (with kamcmd), or why there is none. */
export function locateKamailio(env: NodeJS.ProcessEnv = process.env): KamailioInstall | { missing: string } {
  const binary = env.SWITCHBOARD_KAMAILIO ?? onPath('kamailio') ?? (existsSync('/usr/sbin/kamailio') ? '/usr/sbin/kamailio' : null);
  if (!binary || !existsSync(binary)) return { missing: `kamailio not found (apt-get install kamailio, or set SWITCHBOARD_KAMAILIO)` };
  const kamcmd = env.SWITCHBOARD_KAMCMD ?? onPath('kamcmd') ?? '/usr/sbin/kamcmd';
  if (!existsSync(kamcmd)) return { missing: `kamcmd not found beside ${binary} (set SWITCHBOARD_KAMCMD)` };
  return { binary, kamcmd };
}

/** SIPp, or why there is none. */
export function locateSipp(env: NodeJS.ProcessEnv = process.env): { binary: string } | { missing: string } {
  const binary = env.SWITCHBOARD_SIPP ?? onPath('sipp');
  if (!binary) return { missing: 'sipp not found (apt-get install sip-tester, or set SWITCHBOARD_SIPP)' };
  return { binary };
}
