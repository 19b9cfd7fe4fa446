/**
 * Config inputs that passed check-config and then misbehaved (issue 11 items 12 and 16): a port
 * over 65535, an ftp:// ARI URL, a listener open to the network, a UTF-16 file, a file over 1 MiB,
 * and the call-log retention setting.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfigText } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

const BASE = 'company: { phone: "+12025550100" }\n';
const issuesOf = (text: string) => {
  try {
    parseConfigText(BASE + text, 'sb.yaml', {});
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.key}: ${i.message}`);
    throw err;
  }
};

describe('config hardening', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sb-harden-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ['http:\n  listen: "127.0.0.1:99999"\n', 'http.listen: 127.0.0.1:99999 must have a port from 0 to 65535'],
    ['freeswitch:\n  listen: "127.0.0.1:70000"\n', 'freeswitch.listen: 127.0.0.1:70000 must have a port from 0 to 65535'],
    ['asterisk:\n  url: "ftp://127.0.0.1:8088"\n', 'asterisk.url: ftp://127.0.0.1:8088 must be an http(s) URL'],
    ['storage:\n  keepCallsDays: 0\n', 'storage.keepCallsDays: 0 must be a whole number from 1 to 36500 days'],
  ])('given %j, then it is refused with %j', (text, expected) => {
    expect(issuesOf(text)).toEqual([expected]);
  });

  it.each(['http:\n  listen: "0.0.0.0:9464"\n', 'http:\n  listen: "192.168.1.5:9464"\n'])('given %j, then it loads with a warning that the port is reachable from other machines', (text) => {
    const loaded = parseConfigText(BASE + text, 'sb.yaml', {});
    expect(loaded.warnings.map((w) => `${w.key}: ${w.message}`)).toEqual([expect.stringMatching(/^http\.listen: .* is reachable from other machines/)]);
    expect(parseConfigText(BASE + 'http:\n  listen: "127.0.0.1:9464"\n', 'sb.yaml', {}).warnings).toEqual([]);
  });

  it('given no storage.keepCallsDays, then the default is 365', () => {
    expect(parseConfigText(BASE, 'sb.yaml', {}).config.storage.keepCallsDays).toBe(365);
  });

  it.each([
    ['with a BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(BASE, 'utf16le')])],
    ['without a BOM', Buffer.from(BASE, 'utf16le')],
    ['big-endian', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(BASE, 'utf16le').swap16()])],
  ])('given a UTF-16 file %s, then one line says it is UTF-16', async (_what, bytes) => {
    const file = join(dir, 'utf16.yaml');
    await writeFile(file, bytes);
    const err = await loadConfig(file, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe(`${file}: the file is UTF-16 encoded: save it as UTF-8`);
  });

  it('given a file over 1 MiB, then it is refused with one line before it is parsed', async () => {
    const file = join(dir, 'big.yaml');
    await writeFile(file, BASE + `# ${'x'.repeat(1024 * 1024)}\n`);
    const err = await loadConfig(file, {}).catch((e: unknown) => e);
    expect((err as ConfigError).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: the file is \\d+ bytes: a config may be at most 1 MiB`));
    expect((err as ConfigError).message.split('\n')).toHaveLength(1);
  });
});
