/**
 * The Docker harness's Asterisk is built by the same script the real-Asterisk suites and CI use
 * (scripts/pbx/asterisk.sh build), from the same checked archives: what the harness would run is
 * what the tests ran. Checked without a Docker engine (none runs here or in CI).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared.js';

const dockerfile = readFileSync(resolve(REPO_ROOT, 'docker/asterisk/Dockerfile'), 'utf8');
const script = readFileSync(resolve(REPO_ROOT, 'scripts/pbx/asterisk.sh'), 'utf8');
const compose = parse(readFileSync(resolve(REPO_ROOT, 'docker/compose.yaml'), 'utf8')) as {
  services: Record<string, { build?: { context: string; additional_contexts?: Record<string, string> } }>;
};
const version = /^AST_VERSION=(\S+)$/m.exec(script)?.[1];
/** Dockerfile instructions with continued lines joined. */
const instructions = dockerfile.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

describe('docker/asterisk builds with scripts/pbx/asterisk.sh', () => {
  it('runs `scripts/pbx/asterisk.sh build` from a copy of scripts/pbx/', () => {
    expect(instructions).toContain('COPY scripts/pbx/ /usr/src/switchboard/scripts/pbx/');
    expect(instructions.some((l) => /^RUN \/usr\/src\/switchboard\/scripts\/pbx\/asterisk\.sh build\b/.test(l))).toBe(true);
  });

  it('builds nothing by itself: no download, no configure or make of its own', () => {
    for (const l of instructions.filter((i) => i.startsWith('RUN'))) {
      expect(l).not.toMatch(/\b(wget|curl|configure|make|menuselect)\b/);
    }
  });

  it('takes the archives from the pbx-src build context, which compose points at ../shared/pbx-src', () => {
    expect(instructions).toContain('COPY --from=pbx-src / /usr/src/pbx-src/');
    expect(dockerfile).toMatch(/SWITCHBOARD_PBX_SRC=\/usr\/src\/pbx-src/);
    const contexts = compose.services.asterisk?.build?.additional_contexts ?? {};
    expect(contexts['pbx-src']).toBe('../../shared/pbx-src');
    const src = resolve(REPO_ROOT, 'docker', contexts['pbx-src']!);
    if (existsSync(src)) {
      // Where ../shared is present (CI), the folder holds what the script checks.
      const sums = readFileSync(resolve(src, 'SHA256SUMS'), 'utf8');
      expect(sums).toContain(`asterisk-${version}.tar.xz`);
    }
  });

  it('runs the version the script builds, from the prefix the script builds into', () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    const prefix = `/opt/switchboard/pbx/asterisk-${version}`;
    expect(dockerfile).toMatch(/SWITCHBOARD_PBX_CACHE=\/opt\/switchboard\/pbx\b/);
    expect(dockerfile).toContain(`${prefix}/sbin/asterisk /usr/sbin/asterisk`);
    const conf = readFileSync(resolve(REPO_ROOT, 'docker/asterisk/conf/asterisk.conf'), 'utf8');
    expect(conf).toContain(`astmoddir => ${prefix}/lib/asterisk/modules`);
    // No other Asterisk version is named anywhere in the image.
    for (const m of dockerfile.matchAll(/asterisk-(\d+\.\d+\.\d+)/g)) expect(m[1]).toBe(version);
  });
});
