/**
 * A private PostgreSQL for a test: `initdb` in a temporary folder, the server listening only on a
 * unix socket in that folder (no TCP port to collide with a sibling test), stopped and the folder
 * removed by `stop()`. `initdb` and `postgres` refuse to run as root, and CI runs as root: there
 * they run as the `postgres` user the Debian package creates (`runuser -u postgres --`), with the
 * folder owned by it.
 *
 *   const pg = await startPostgres();        // or skip: see describePostgres
 *   const url = pg.url;                       // postgresql:///postgres?host=<socket folder>
 *   await pg.stop();
 *
 * The binaries: SWITCHBOARD_PG_BIN (a folder holding initdb, pg_ctl, postgres), else the newest
 * /usr/lib/postgresql/<version>/bin, else PATH. A missing PostgreSQL skips the suite with a notice;
 * SWITCHBOARD_REQUIRE_PBX=1 (CI) fails it instead.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';

export interface PostgresInstall {
  /** Folder with initdb, pg_ctl and postgres. */
  bin: string;
}

/** Where PostgreSQL's server binaries are, or why there are none. */
export function locatePostgres(env: NodeJS.ProcessEnv = process.env): PostgresInstall | { missing: string } {
  const given = env.SWITCHBOARD_PG_BIN;
  if (given) return existsSync(join(given, 'initdb')) ? { bin: given } : { missing: `SWITCHBOARD_PG_BIN=${given} holds no initdb` };
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return { bin: join(root, versions[0], 'bin') };
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const found = which.status === 0 ? which.stdout.trim() : '';
  if (found) return { bin: join(found, '..') };
  return { missing: 'PostgreSQL is not installed (apt-get install postgresql, or set SWITCHBOARD_PG_BIN)' };
}

export interface RunningPostgres {
  /** A node-postgres connection string for the `postgres` database over the unix socket. */
  readonly url: string;
  /** The data and socket folder. */
  readonly dir: string;
  /** Another database on the same server (for tests that need a clean one); returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stop the server (fast shutdown: open connections are closed), keeping the folder. */
  halt(): Promise<void>;
  /** Start it again after halt(), on the same socket and data. */
  restart(): Promise<void>;
  /** Stop the server and remove the folder. Safe to call twice. */
  stop(): Promise<void>;
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Run a PostgreSQL binary, as the `postgres` user when we are root. */
function run(bin: string, args: string[], timeoutMs = 60_000): Promise<string> {
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  return new Promise((resolve, reject) => {
    execFile(cmd, argv, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${bin} ${args.join(' ')} failed: ${err.message}\n${stderr}${stdout}`));
      else resolve(stdout);
    });
  });
}

/** Owner uid/gid of the `postgres` user, for the folder when we are root. */
function postgresUser(): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error('running as root but there is no `postgres` user to run PostgreSQL as');
  return { uid, gid };
}

/**
 * initdb a fresh cluster in a temporary folder and start it on a unix socket there. Resolves once
 * the server accepts connections (pg_ctl -w waits for that).
 */
export async function startPostgres(install?: PostgresInstall): Promise<RunningPostgres> {
  const found = install ?? locatePostgres();
  if ('missing' in found) throw new Error(found.missing);
  // Short path: a unix socket path is limited to 107 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'sbpg-'));
  const data = join(dir, 'data');
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const bin = (name: string) => join(found.bin, name);
  try {
    await run(bin('initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
    // Only the socket: listen_addresses='' opens no TCP port. fsync off: a test database need not
    // survive a power cut, and the suites run faster on a shared 2-core machine.
    writeFileSync(
      join(data, 'postgresql.auto.conf'),
      [`listen_addresses = ''`, `unix_socket_directories = '${dir}'`, 'fsync = off', 'synchronous_commit = off', 'full_page_writes = off', 'max_connections = 100', ''].join('\n'),
    );
    if (asRoot) {
      const { uid, gid } = postgresUser();
      chownSync(join(data, 'postgresql.auto.conf'), uid, gid);
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const log = join(dir, 'postgres.log');
  const start = () => run(bin('pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '60', 'start']);
  const halt = () => run(bin('pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']).then(() => undefined);
  try {
    await start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const url = `postgresql://postgres@/postgres?host=${encodeURIComponent(dir)}`;
  let stopped = false;
  let running = true;
  return {
    url,
    dir,
    async createDatabase(name: string) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      await run(bin('psql'), ['-h', dir, '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`]);
      return `postgresql://postgres@/${name}?host=${encodeURIComponent(dir)}`;
    },
    async halt() {
      if (!running) return;
      await halt();
      running = false;
    },
    async restart() {
      if (running) return;
      await start();
      running = true;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        if (running) await halt();
      } finally {
        running = false;
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

const required = (env: NodeJS.ProcessEnv = process.env): boolean => env.SWITCHBOARD_REQUIRE_PBX === '1';

/**
 * `describe` for a suite that needs PostgreSQL: runs when it is installed, else skips with a
 * notice on stderr, or (SWITCHBOARD_REQUIRE_PBX=1) registers one failing test that says why.
 */
export function describePostgres(name: string, fn: () => void, located: PostgresInstall | { missing: string } = locatePostgres()): void {
  if (!('missing' in located)) {
    describe(name, fn);
    return;
  }
  if (required()) {
    describe(name, () => {
      it('has the PostgreSQL it needs (SWITCHBOARD_REQUIRE_PBX=1)', () => {
        throw new Error(located.missing);
      });
    });
    return;
  }
  process.stderr.write(`\n  NOTICE: skipping "${name}": ${located.missing}\n`);
  describe.skip(`${name} (skipped: ${located.missing})`, fn);
}
