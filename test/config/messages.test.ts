/**
 * Spec section 1: config errors name the file, the line, the key and the offending value.
 * One case per kind of message check-config can print (schema and cross-checks; the rest are
 * in load.test.ts), each with the exact line an admin sees.
 */
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { showValue } from '../../src/config/messages.js';

function messagesOf(text: string): string[] {
  try {
    parseConfigText(text, 'sb.yaml', {});
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected a ConfigError, the config loaded');
}

const CASES: Array<[string, string, string[]]> = [
  ["ext_number", 'users:\n  - { id: a, name: A, extension: 1001 }\n', ["sb.yaml:2: users[0].extension: 1001 is a number, expected text (quote it: \"1001\")"]],
  ["name_empty", 'users:\n  - { id: a, name: "" }\n', ["sb.yaml:2: users[0].name: \"\" must not be empty"]],
  ["id_bad", 'users:\n  - { id: "a b", name: A }\n', ["sb.yaml:2: users[0].id: \"a b\" must be 1 to 64 letters, digits, \"_\", \".\" or \"-\""]],
  ["strategy", 'users:\n  - { id: a, name: A }\nringGroups:\n  - { id: g, strategy: fifo, members: [a] }\n', ["sb.yaml:4: ringGroups[0].strategy: fifo is not one of simultaneous, round-robin, linear, least-recent, fewest-calls"]],
  ["members_empty", 'ringGroups:\n  - { id: g, strategy: linear, members: [] }\n', ["sb.yaml:2: ringGroups[0].members: is an empty list: must name at least one member"]],
  ["timeout", 'contacts:\n  lookup: { url: "http://x/{caller}", timeoutMs: 5 }\n', ["sb.yaml:2: contacts.lookup.timeoutMs: 5 must be a whole number from 10 to 10000 ms"]],
  ["url_nocaller", 'contacts:\n  lookup: { url: "http://x/owner" }\n', ["sb.yaml:2: contacts.lookup.url: http://x/owner must contain {caller}"]],
  ["url_ftp", 'contacts:\n  lookup: { url: "ftp://x/{caller}" }\n', ["sb.yaml:2: contacts.lookup.url: ftp://x/{caller} must be an http(s) URL"]],
  ["port", 'freeswitch:\n  esl: { port: 99999 }\n', ["sb.yaml:2: freeswitch.esl.port: 99999 must be a whole number from 1 to 65535 (a TCP port)"]],
  ["password", 'asterisk:\n  password: 12345\n', ["sb.yaml:2: asterisk.password: the value is a number, expected text"]],
  ["template", 'trunks:\n  default: { asterisk: "PJSIP/carrier" }\n', ["sb.yaml:2: trunks.default.asterisk: PJSIP/carrier must contain {number} exactly once"]],
  ["template_bad", 'trunks:\n  default: { asterisk: "PJSIP/{number}@car rier" }\n', ["sb.yaml:2: trunks.default.asterisk: \"PJSIP/{number}@car rier\" may hold only letters, digits and _ . / @ : = - (no spaces, commas, quotes or &)"]],
  ["trunk_name", 'trunks:\n  default: {}\n  "bad name": {}\n', ["sb.yaml:3: trunks.bad name: bad name \"bad name\": must be 1 to 64 letters, digits, \"_\", \".\" or \"-\""]],
  ["no_default", 'trunks:\n  other: {}\n', ["sb.yaml:1: trunks: must define a trunk named \"default\""]],
  ["step_union", 'users:\n  - { id: a, name: A }\nringGroups:\n  - { id: g, strategy: linear, members: [a] }\ndistributions:\n  - { id: d, steps: [42] }\n', ["sb.yaml:6: distributions[0].steps[0]: 42 must be a ring group id or { group, ringSeconds }"]],
  ["step_obj", 'users:\n  - { id: a, name: A }\nringGroups:\n  - { id: g, strategy: linear, members: [a] }\ndistributions:\n  - { id: d, steps: [{ group: g, ringSecs: 3 }] }\n', ["sb.yaml:6: distributions[0].steps[0].ringSecs: unknown key \"ringSecs\""]],
  ["dup_group", 'users:\n  - { id: a, name: A }\nringGroups:\n  - { id: g, strategy: linear, members: [a] }\n  - { id: g, strategy: linear, members: [a] }\ndistributions:\n  - { id: d, steps: [g] }\n  - { id: d, steps: [g] }\n', ["sb.yaml:5: ringGroups[1].id: g is listed twice (first at line 4)", "sb.yaml:8: distributions[1].id: d is listed twice (first at line 7)"]],
  ["bool", 'numbers:\n  - { number: "+12025550200", fallthrough: "yes" }\n', ["sb.yaml:2: numbers[0].fallthrough: yes is text, expected true or false"]],
  ["ringsec_frac", 'numbers:\n  - { number: "+12025550200", ringSeconds: 2.5 }\n', ["sb.yaml:2: numbers[0].ringSeconds: 2.5 must be a whole number of seconds"]],
  ["country", 'defaultCountry: usa\n', ["sb.yaml:1: defaultCountry: usa must be a two-letter ISO country code such as US or DE"]],
  ["users_map", 'users: { a: 1 }\n', ["sb.yaml:1: users: is a map, expected a list"]],
  ["users_null", 'users:\n', ["sb.yaml:1: users: is empty: expected a list"]],
  ["root", '- a\n', ["sb.yaml:1: the config must be a YAML map of keys (users, numbers, ...), not a list"]],
  ["long", `company: { phone: "${'1'.repeat(100)}" }\n`, ["sb.yaml:1: company.phone: 111111111111111111111111111111111111111111111111111111111111\u2026 must be an E.164 number: \"+\" and 8 to 15 digits"]],
  ["pg_url", 'node: ast1\nstorage: { postgres: "mysql://db/x" }\n', ["sb.yaml:2: storage.postgres: mysql://db/x must be a postgres:// or postgresql:// URL"]],
  ["pg_node", 'storage:\n  postgres: "postgres://db/x"\n', ["sb.yaml:2: storage.postgres: needs `node: NAME` (this controller's name among the controllers sharing the database)"]],
  ["node_bad", 'node: "ast 1"\n', ["sb.yaml:1: node: \"ast 1\" must be 1 to 64 letters, digits, \"_\", \".\" or \"-\""]],
  ["sqlite_empty", 'storage: { sqlite: "" }\n', ["sb.yaml:1: storage.sqlite: \"\" must not be empty"]],
  ["ring_empty", 'users:\n  - { id: a, name: A, ring: [] }\n', ["sb.yaml:2: users[0].ring: is an empty list: must name at least one device"]],
  ["ring_bad", 'users:\n  - { id: a, name: A, ring: [phone] }\n', ["sb.yaml:2: users[0].ring[0]: phone is not one of desk, app, mobile"]],
  ["backend", 'backend: asterix\n', ["sb.yaml:1: backend: asterix is not one of asterisk, freeswitch (did you mean \"asterisk\"?)"]],
  ["hostport", 'freeswitch: { listen: "8040" }\n', ["sb.yaml:1: freeswitch.listen: 8040 must be host:port, e.g. 127.0.0.1:8040"]],
  ["ari_url", 'asterisk: { url: "nope" }\n', ["sb.yaml:1: asterisk.url: nope must be an http(s) URL"]],
  ["dsn", 'asterisk: { url: "http://u:sekret@" }\n', ["sb.yaml:1: asterisk.url: http://u:***@ must be an http(s) URL"]],
  ["callerid", 'trunks:\n  default: { callerId: me }\n', ["sb.yaml:2: trunks.default.callerId: me is not one of caller, called, company"]],
  ["mailbox", 'company: { voicemail: "9 000" }\n', ["sb.yaml:1: company.voicemail: \"9 000\" must be a mailbox of letters, digits, \"_\" or \"-\""]],];

describe('every config message names what was wrong with what', () => {
  it.each(CASES)('%s', (_name, text, expected) => {
    expect(messagesOf(text)).toEqual(expected);
  });

  it('a secret is never shown, whatever is wrong with it', () => {
    const lines = messagesOf('freeswitch:\n  esl: { password: 424242 }\n');
    expect(lines).toEqual(['sb.yaml:2: freeswitch.esl.password: the value is a number, expected text']);
    expect(lines.join('')).not.toContain('424242');
  });

  it.each([
    ['+12025550200', '+12025550200'],
    ['Alice Adams', '"Alice Adams"'],
    ['', '""'],
    [42, '42'],
    [null, 'an empty value'],
    [[], 'an empty list'],
    [['a', 'b'], 'a list of 2'],
    ['postgres://app:hunter2@db/sb', 'postgres://app:***@db/sb'],
  ])('showValue(%j) is %s', (value, shown) => {
    expect(showValue(value)).toBe(shown);
  });
});
