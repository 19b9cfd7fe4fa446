import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfigText } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

const EXAMPLE = fileURLToPath(new URL('../../config/switchboard.yaml', import.meta.url));

/** A small valid config; cases append to it or replace parts of it. */
const BASE = `company: { name: Acme, phone: "+12025550100" }
users:
  - { id: alice, name: Alice, extension: "1001", mobile: "+12025550111" }
  - { id: bob, name: Bob, extension: "1002" }
numbers:
  - { number: "+12025550200", user: alice }
ringGroups:
  - { id: sales-rr, strategy: round-robin, members: [alice, bob] }
distributions:
  - { id: sales, steps: [sales-rr] }
`;

/** The ConfigError's code and formatted issues, or a failure when the text loads. */
function errorOf(text: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    parseConfigText(text, 'sb.yaml', env);
  } catch (err) {
    if (err instanceof ConfigError) return `${err.code}\n${err.message}`;
    throw err;
  }
  throw new Error('expected a ConfigError, the config loaded');
}

describe('the example config', () => {
  it('given an empty environment, when loaded, then it is valid and shows every rule', async () => {
    const loaded = await loadConfig(EXAMPLE, {});
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config.users.map((u) => u.id)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    expect(loaded.config.numbers.map((n) => n.number)).toEqual([
      '+12025550200', '+12025550201', '+12025550202', '+12025550203', '+12025550204', '+12025550205', '+12025550206',
    ]);
    // Sections 7 and 9: a schedule with a holiday and a yearly date, a label, a block list.
    expect(loaded.config.schedules[0]?.closed.map((c) => c.date ?? c.from)).toEqual(['12-25', '2026-11-26', '2026-12-31T15:00']);
    expect(loaded.config.numbers[6]).toMatchObject({ schedule: 'office', label: 'Sales', withheld: 'block', whenClosed: { forwardTo: '+12025550399' } });
    expect(loaded.config.blocked).toEqual(['+12025550666', '+1900*']);
    expect(loaded.config.ringGroups.map((g) => g.id)).toEqual(['sales-rr', 'closers', 'support']);
    expect(loaded.config.distributions[0]?.steps).toEqual(['sales-rr', { group: 'closers', ringSeconds: 30 }]);
    expect(loaded.config.asterisk?.password).toBe('switchboard');
    expect(loaded.config.freeswitch?.esl.password).toBe('ClueCon');
    expect(loaded.file).toBe(EXAMPLE);
    expect(loaded.dir).toBe(path.dirname(EXAMPLE));
    expect(loaded.sqlitePath).toBe(path.join(path.dirname(EXAMPLE), 'var', 'switchboard.db'));
  });

  it('given ARI_PASSWORD in the environment, when loaded, then the secret replaces the default', async () => {
    const loaded = await loadConfig(EXAMPLE, { ARI_PASSWORD: 's3cret', ESL_PASSWORD: '' });
    expect(loaded.config.asterisk?.password).toBe('s3cret');
    // An empty variable takes the default, as in a shell's ${NAME:-default}.
    expect(loaded.config.freeswitch?.esl.password).toBe('ClueCon');
  });
});

describe('parseConfigText', () => {
  it('given ${NAME}, $${ and a secret that looks like YAML, when loaded, then values are substituted as plain strings', () => {
    const text = 'asterisk:\n  password: "${PW}"\n  username: "$${literal}"\n';
    const { config } = parseConfigText(text, 'sb.yaml', { PW: 'x"\nusers: [1]' });
    expect(config.asterisk?.password).toBe('x"\nusers: [1]');
    expect(config.asterisk?.username).toBe('${literal}');
    expect(config.users).toEqual([]);
  });

  it.each([
    ['relative', 'var/db.sqlite', path.resolve('/srv/sb/var/db.sqlite')],
    ['absolute', path.resolve('/data/sb.db'), path.resolve('/data/sb.db')],
    ['memory', ':memory:', ':memory:'],
  ])('given a %s storage.sqlite, when loaded, then sqlitePath is resolved against the config folder', (_, sqlite, expected) => {
    const loaded = parseConfigText(`storage: { sqlite: ${JSON.stringify(sqlite)} }\n`, 'sb/config.yaml', {}, { cwd: path.resolve('/srv') });
    expect(loaded.sqlitePath).toBe(expected);
  });

  it('given a missing file, when loaded, then CONFIG_NOT_FOUND names the file', async () => {
    const err = await loadConfig('no/such/file.yaml', {}, { cwd: tmpdir() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('CONFIG_NOT_FOUND');
    expect((err as ConfigError).message).toMatchInlineSnapshot(`"no/such/file.yaml: cannot read config file: no such file"`);
  });

  it('given several problems, when loaded, then every issue is reported with file, line, column and key', () => {
    const err = (() => {
      try {
        parseConfigText('users:\n  - { id: alice, name: A, extension: "1" }\nnumbers:\n  - { number: "123" }\n', 'sb.yaml', {});
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('loaded');
    })();
    expect(err.issues).toEqual([
      { file: 'sb.yaml', line: 2, column: 38, key: 'users[0].extension', message: '1 must be an extension of 2 to 8 digits' },
      { file: 'sb.yaml', line: 4, column: 15, key: 'numbers[0].number', message: '123 must be an E.164 number: "+" and 8 to 15 digits' },
    ]);
  });
});

describe('config errors', () => {
  it('YAML syntax error', () => {
    expect(errorOf('users:\n  - id: alice\n   name: Alice\n')).toMatchInlineSnapshot(`
      "CONFIG_SYNTAX
      sb.yaml:3: YAML syntax error: Sequence item without - indicator"
    `);
  });
  it('duplicate YAML key', () => {
    expect(errorOf('company:\n  name: Acme\n  name: Other\n')).toMatchInlineSnapshot(`
      "CONFIG_SYNTAX
      sb.yaml:3: company.name: duplicate key "name" (first at line 2): each key may appear once in a map"
    `);
  });
  it('unknown keys, with a hint when close to a known one', () => {
    expect(errorOf(BASE.replace('extension: "1002"', 'extension: "1002", mobil: "+12025550112"') + 'number: []\nflavour: x\n')).toMatchInlineSnapshot(`
      "CONFIG_INVALID
      sb.yaml:4: users[1].mobil: unknown key "mobil" (did you mean "mobile"?)
      sb.yaml:11: number: unknown key "number" (did you mean "numbers"?)
      sb.yaml:12: flavour: unknown key "flavour""
    `);
  });
  it('bad E.164 number', () => {
    expect(errorOf(BASE.replace('"+12025550200"', '"2025550200"'))).toMatchInlineSnapshot(`
      "CONFIG_INVALID
      sb.yaml:6: numbers[0].number: 2025550200 must be an E.164 number: "+" and 8 to 15 digits"
    `);
  });
  it('extension of 1 digit', () => {
    expect(errorOf(BASE.replace('"1002"', '"2"'))).toMatchInlineSnapshot(`
      "CONFIG_INVALID
      sb.yaml:4: users[1].extension: 2 must be an extension of 2 to 8 digits"
    `);
  });
  it('ringSeconds 0', () => {
    expect(errorOf(BASE.replace('user: alice }', 'user: alice, ringSeconds: 0 }'))).toMatchInlineSnapshot(`
      "CONFIG_INVALID
      sb.yaml:6: numbers[0].ringSeconds: 0 must be 1 to 600 seconds"
    `);
  });
  it('ringSeconds 9999', () => {
    expect(errorOf(BASE.replace('user: alice }', 'user: alice, ringSeconds: 9999 }'))).toMatchInlineSnapshot(`
      "CONFIG_INVALID
      sb.yaml:6: numbers[0].ringSeconds: 9999 must be 1 to 600 seconds"
    `);
  });
  it('unknown strategy', () => {
    expect(errorOf(BASE.replace('round-robin', 'round-robbin'))).toMatchInlineSnapshot(`
      "CONFIG_INVALID
      sb.yaml:8: ringGroups[0].strategy: round-robbin is not one of simultaneous, round-robin, linear, least-recent, fewest-calls (did you mean "round-robin"?)"
    `);
  });
  it('missing required keys point at the parent map', () => {
    expect(errorOf('users:\n  - id: alice\n    extension: "1001"\n')).toMatchInlineSnapshot(`
      "CONFIG_INVALID
      sb.yaml:2: users[0].name: is required"
    `);
  });
  it('unknown user in alsoRing', () => {
    expect(errorOf(BASE.replace('user: alice }', 'user: alice, alsoRing: [bob, carl] }'))).toMatchInlineSnapshot(`
      "CONFIG_INVALID
      sb.yaml:6: numbers[0].alsoRing[1]: carl is not a user in the config"
    `);
  });
  it('unknown ring group in a distribution', () => {
    expect(errorOf(BASE.replace('steps: [sales-rr]', 'steps: [sales-rr, { group: closers, ringSeconds: 30 }]'))).toMatchInlineSnapshot(`
      "CONFIG_INVALID
      sb.yaml:10: distributions[0].steps[1].group: closers is not a ring group in the config"
    `);
  });
  it('unknown distribution and unknown ring-group member', () => {
    expect(errorOf(BASE.replace('user: alice }', 'distribution: sale }').replace('[alice, bob]', '[alice, zed]'))).toMatchInlineSnapshot(`
      "CONFIG_INVALID
      sb.yaml:6: numbers[0].distribution: sale is not a distribution in the config (did you mean "sales"?)
      sb.yaml:8: ringGroups[0].members[1]: zed is not a user in the config"
    `);
  });
  it('number listed twice', () => {
    expect(errorOf(BASE.replace('ringGroups:', '  - { number: "+12025550200", user: bob }\nringGroups:'))).toMatchInlineSnapshot(`
      "CONFIG_INVALID
      sb.yaml:7: numbers[1].number: +12025550200 is listed twice (first at line 6)"
    `);
  });
  it('users without an extension, or without any device (spec section 1), are valid', () => {
    const text = BASE.replace('numbers:', '  - { id: dave, name: Dave Diaz, mobile: "+12025550114" }\n  - { id: erin, name: Erin Evans }\n  - { id: fay, name: Fay, app: fay-app }\nnumbers:');
    const { config, warnings } = parseConfigText(text, 'sb.yaml', {});
    expect(config.users.map((u) => [u.id, u.extension])).toEqual([['alice', '1001'], ['bob', '1002'], ['dave', undefined], ['erin', undefined], ['fay', undefined]]);
    expect(warnings).toEqual([]);
  });
  it('extensions are unique among the users that have one', () => {
    const text = BASE.replace('numbers:', '  - { id: dave, name: Dave, mobile: "+12025550114" }\n  - { id: erin, name: Erin }\n  - { id: fay, name: Fay, extension: "1002" }\nnumbers:');
    expect(errorOf(text)).toMatch(/users\[4\]\.extension/);
    expect(errorOf(text).split('\n')).toHaveLength(2);
  });
  it('duplicate ids and extensions', () => {
    expect(errorOf(BASE.replace('id: bob, name: Bob, extension: "1002"', 'id: alice, name: Bob, extension: "1001"'))).toMatchInlineSnapshot(`
      "CONFIG_INVALID
      sb.yaml:4: users[1].id: alice is listed twice (first at line 3)
      sb.yaml:4: users[1].extension: 1001 is listed twice (first at line 3, alice's)
      sb.yaml:8: ringGroups[0].members[1]: bob is not a user in the config"
    `);
  });
  it('forwardTo loop', () => {
    expect(
      errorOf(BASE.replace('user: alice }', 'user: alice, forwardTo: "+12025550201" }\n  - { number: "+12025550201", user: bob }')),
    ).toMatchInlineSnapshot(`
      "CONFIG_INVALID
      sb.yaml:6: numbers[0].forwardTo: +12025550201 is one of our own inbound numbers (numbers[1], line 7): forwarding to it would loop"
    `);
  });
  it('company phone loop', () => {
    expect(errorOf(BASE.replace('"+12025550100"', '"+12025550200"'))).toMatchInlineSnapshot(`
      "CONFIG_INVALID
      sb.yaml:1: company.phone: +12025550200 is one of our own inbound numbers (numbers[0], line 6): ringing the company phone would loop"
    `);
  });
  it('missing env variable', () => {
    expect(errorOf(BASE + 'asterisk:\n  password: "${ARI_PASSWORD}"\n')).toMatchInlineSnapshot(`
      "CONFIG_ENV_MISSING
      sb.yaml:12: asterisk.password: environment variable ARI_PASSWORD is not set (line 12; use \${ARI_PASSWORD:-default} for a default)"
    `);
  });
});

describe('config warnings', () => {
  it('given a ring device she lacks and a number with distribution and user, when loaded, then both are warnings', () => {
    const text = BASE.replace('extension: "1002" }', 'extension: "1002", ring: [desk, app] }').replace(
      'user: alice }',
      'user: alice, distribution: sales }',
    ) + 'contacts: {}\n';
    const { warnings } = parseConfigText(text, 'sb.yaml', {});
    expect(warnings.map((w) => `${w.line}: ${w.key}: ${w.message}`)).toEqual([
      "4: users[1].ring[1]: app is in bob's ring list, but bob has no app",
      '6: numbers[0].user: alice is unused: the distribution sales replaces the chain for this number',
    ]);
  });

  it('given a user none of whose ring devices exist, when loaded, then she is flagged as unringable', () => {
    const { warnings } = parseConfigText(BASE.replace('extension: "1002" }', 'extension: "1002", ring: [mobile] }'), 'sb.yaml', {});
    expect(warnings.map((w) => w.message)).toEqual(['[mobile]: bob has none of these devices and can never be rung', "mobile is in bob's ring list, but bob has no mobile"]);
  });
});

describe('loadConfig on disk', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sb-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('given a file relative to cwd, when loaded, then issues name the file as given', async () => {
    await writeFile(path.join(dir, 'bad.yaml'), 'backend: asterix\n');
    const err = (await loadConfig('bad.yaml', {}, { cwd: dir }).catch((e: unknown) => e)) as ConfigError;
    expect(err.issues.map((i) => `${i.file}:${i.line}: ${i.key}`)).toEqual(['bad.yaml:1: backend']);
  });
});

describe('storage.postgres (section 10)', () => {
  it('given ${DATABASE_URL} and a node, then the URL comes from the environment', () => {
    const loaded = parseConfigText('node: ast1\nstorage: { postgres: "${DATABASE_URL}" }\n', 'sb.yaml', { DATABASE_URL: 'postgresql://sb@db.internal/switchboard' });
    expect(loaded.postgresUrl).toBe('postgresql://sb@db.internal/switchboard');
    expect(loaded.config.node).toBe('ast1');
  });

  it('given ${DATABASE_URL} unset, then the error names it', () => {
    expect(() => parseConfigText('node: ast1\nstorage: { postgres: "${DATABASE_URL}" }\n', 'sb.yaml', {})).toThrow(/DATABASE_URL/);
  });
});
