/**
 * The config schema: the single source of truth for config types, validation messages
 * and the editor's JSON Schema (`switchboard schema`). Keys follow spec section 1.
 *
 * Every value that can end up in a dial string (endpoint names, numbers, mailboxes,
 * templates) is restricted here to a character set that cannot break a dial string
 * on either PBX: no `&`, `,`, `|`, `/` (except in templates), `^`, quotes or spaces.
 */
import { z } from 'zod';
import { blockPatternSchema, labelSchema, scheduleSchema, whenClosedSchema } from './schedules.js';
import { confirmSchema } from './confirm.js';

export const E164_RE = /^\+[0-9]{8,15}$/;
const e164 = z.string().regex(E164_RE, 'must be an E.164 number: "+" and 8 to 15 digits');
const extension = z.string().regex(/^[0-9]{2,8}$/, 'must be an extension of 2 to 8 digits');
const id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1 to 64 letters, digits, "_", "." or "-"');
/** A SIP endpoint / FreeSWITCH user name: safe inside `PJSIP/{endpoint}` and `user/{endpoint}`. */
const endpointName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be an endpoint name of letters, digits, "_", "." or "-"');
const mailbox = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'must be a mailbox of letters, digits, "_" or "-"');
const nonEmpty = z.string().min(1, 'must not be empty');
const displayName = z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
/** A whole number in [min, max]; every message says the range, so the admin sees what would do. */
function whole(min: number, max: number, unit: string) {
  const range = `must be a whole number from ${min} to ${max} ${unit}`;
  return z.number().int(range).min(min, range).max(max, range);
}
export const RING_SECONDS_MIN = 1;
export const RING_SECONDS_MAX = 600;
const ringSeconds = z
  .number()
  .int('must be a whole number of seconds')
  .min(RING_SECONDS_MIN, `must be ${RING_SECONDS_MIN} to ${RING_SECONDS_MAX} seconds`)
  .max(RING_SECONDS_MAX, `must be ${RING_SECONDS_MIN} to ${RING_SECONDS_MAX} seconds`);

/** A dial-string template: fixed text plus exactly one placeholder. */
function template(placeholder: '{number}' | '{endpoint}') {
  return z
    .string()
    .regex(/^[A-Za-z0-9_.\/@:{}=-]+$/, 'may hold only letters, digits and _ . / @ : = - (no spaces, commas, quotes or &)')
    .refine((s) => s.split(placeholder).length === 2, `must contain ${placeholder} exactly once`)
    .refine((s) => s.replace(placeholder, '').indexOf('{') === -1, `may hold no placeholder other than ${placeholder}`);
}

export const DEVICES = ['desk', 'app', 'mobile'] as const;
export type UserDevice = (typeof DEVICES)[number];

/**
 * A staff member. Every device is optional (spec section 1): a mobile-only user, or a new hire
 * with no device at all, is valid config and is passed over wherever she would ring.
 */
export const userSchema = z.strictObject({
  id,
  name: displayName,
  extension: extension.optional().describe('desk-phone extension; also the default desk endpoint and mailbox'),
  desk: endpointName.optional().describe("the desk endpoint's name when it is not the extension"),
  app: endpointName.optional().describe('softphone endpoint name'),
  mobile: e164.optional().describe('mobile number, reached through the trunk'),
  ring: z
    .array(z.enum(DEVICES))
    .min(1, 'must name at least one device')
    .optional()
    .describe('devices rung at once when this user is called; default: every device she has'),
  voicemail: mailbox.optional().describe('mailbox; default: the extension (none without one)'),
});

export const numberSchema = z.strictObject({
  number: e164,
  user: id.optional().describe('the user this number is assigned to'),
  forwardTo: e164.optional().describe("the number's forwarding number"),
  preferContactOwner: z.boolean().default(false),
  forwardToCompany: z.boolean().default(true),
  alsoRing: z.array(id).default([]),
  ringSeconds: ringSeconds.optional(),
  fallthrough: z.boolean().default(false),
  unanswered: z.enum(['voicemail', 'hangup']).default('voicemail'),
  distribution: id.optional().describe('a call distribution replaces the chain for this number'),
  schedule: id.optional().describe('business hours: while the schedule is closed, whenClosed routes the call'),
  whenClosed: whenClosedSchema.optional().describe('the route while the schedule is closed; default: the company mailbox'),
  label: labelSchema.optional(),
  withheld: z.enum(['allow', 'block']).default('allow').describe('block: callers who withhold their number are refused (cause 21)'),
  skipBusy: z.boolean().default(false).describe('pass over a user who is on a call (also in its distribution and whenClosed route)'),
});

export const STRATEGIES = ['simultaneous', 'round-robin', 'linear', 'least-recent', 'fewest-calls'] as const;
export type GroupStrategy = (typeof STRATEGIES)[number];

export const ringGroupSchema = z.strictObject({
  id,
  strategy: z.enum(STRATEGIES),
  members: z.array(id).min(1, 'must name at least one member'),
  ringSeconds: ringSeconds.optional(),
  skipBusy: z.boolean().default(false).describe('pass over a member who is on a call, wherever the group rings'),
  wrapUpSeconds: z.number().int().min(0).max(86_400).default(0).describe('pass over a member whose call from this group ended less than this many seconds ago'),
});

export const distributionStepSchema = z.union([
  id,
  z.strictObject({ group: id, ringSeconds: ringSeconds.optional() }),
]);

export const distributionSchema = z.strictObject({
  id,
  steps: z.array(distributionStepSchema).min(1, 'must have at least one step'),
  unanswered: z.enum(['voicemail', 'hangup']).default('voicemail'),
  voicemail: mailbox.optional(),
});

export const trunkSchema = z.strictObject({
  asterisk: template('{number}').default('PJSIP/{number}@carrier'),
  freeswitch: template('{number}').default('sofia/gateway/carrier/{number}'),
  callerId: z.enum(['caller', 'called', 'company']).default('caller'),
});

const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.\-]+:[0-9]{1,5}$/, 'must be host:port, e.g. 127.0.0.1:8040')
  // 99999 passed the pattern, and then nothing listened (no /metrics) without a word.
  .refine((s) => Number(s.slice(s.lastIndexOf(':') + 1)) <= 65535, 'must have a port from 0 to 65535');

/** A PostgreSQL connection string (node-postgres form); usually `${DATABASE_URL}`. */
const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/\S*$/, 'must be a postgres:// or postgresql:// URL')
  .describe('PostgreSQL shared by several controllers (section 10) in place of sqlite; needs `node`');

export const configSchema = z.strictObject({
  backend: z.enum(['asterisk', 'freeswitch']).default('asterisk'),
  node: id.optional().describe("this controller's name among several sharing one PostgreSQL (section 10); required with storage.postgres"),
  company: z
    .strictObject({
      name: displayName.optional(),
      phone: e164.optional().describe('the company phone: the last number tried'),
      voicemail: mailbox.optional().describe('company mailbox'),
    })
    .default({}),
  defaultCountry: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter ISO country code such as US or DE')
    .default('US'),
  trunks: z
    .record(id, trunkSchema)
    .default({ default: trunkSchema.parse({}) })
    .refine((t) => 'default' in t, 'must define a trunk named "default"'),
  endpoints: z
    .strictObject({
      asterisk: template('{endpoint}').default('PJSIP/{endpoint}'),
      freeswitch: template('{endpoint}').default('user/{endpoint}'),
    })
    .default({ asterisk: 'PJSIP/{endpoint}', freeswitch: 'user/{endpoint}' }),
  users: z.array(userSchema).default([]),
  numbers: z.array(numberSchema).default([]),
  ringGroups: z.array(ringGroupSchema).default([]),
  distributions: z.array(distributionSchema).default([]),
  schedules: z.array(scheduleSchema).default([]).describe('business hours and holidays (spec section 7)'),
  blocked: z.array(blockPatternSchema).default([]).describe('callers refused with cause 21: E.164 numbers or prefixes such as "+1900*"'),
  confirm: confirmSchema.default({ devices: [], key: '1', seconds: 10, prompt: 'beep' }).describe('press-1 confirmation on outside legs (spec section 8)'),
  contacts: z
    .strictObject({
      lookup: z
        .strictObject({
          url: z
            .string()
            .url('must be an http(s) URL')
            .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
            .refine((u) => u.includes('{caller}'), 'must contain {caller}'),
          timeoutMs: whole(10, 10_000, 'ms').default(300),
        })
        .optional(),
    })
    .default({}),
  storage: z
    .strictObject({
      sqlite: nonEmpty.default('var/switchboard.db'),
      postgres: postgresUrl.optional(),
      keepCallsDays: whole(1, 36500, 'days')
        .default(365)
        .describe('call-log rows older than this are deleted (daily); calls in progress are kept'),
    })
    .default({ sqlite: 'var/switchboard.db', keepCallsDays: 365 }),
  asterisk: z
    .strictObject({
      // ftp:// passed `.url()`, and then `run` exited silently at start.
      url: z.string().url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).default('http://127.0.0.1:8088'),
      username: nonEmpty.default('switchboard'),
      password: z.string().default(''),
      app: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be letters, digits, "_" or "-"').default('switchboard'),
      voicemailContext: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,79}$/, 'must be a dialplan context name')
        .default('switchboard-voicemail'),
      /** Where a draining controller sends new calls: the shipped dialplan's fail-safe route. */
      failsafeContext: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,79}$/, 'must be a dialplan context name')
        .default('switchboard-failsafe'),
      /** Keep well under Asterisk's 100 HTTP sessions: the WebSocket and every REST socket count. */
      maxSockets: whole(1, 90, 'sockets').default(32),
      requestTimeoutMs: whole(100, 60_000, 'ms').default(5000),
    })
    .optional(),
  freeswitch: z
    .strictObject({
      listen: hostPort.default('127.0.0.1:8040'),
      esl: z
        .strictObject({
          host: nonEmpty.default('127.0.0.1'),
          port: whole(1, 65535, '(a TCP port)').default(8021),
          password: z.string().default('ClueCon'),
        })
        .default({ host: '127.0.0.1', port: 8021, password: 'ClueCon' }),
    })
    .optional(),
  /** Observability endpoint: /metrics and /healthz. Added key (spec: keys may be added). */
  http: z.strictObject({ listen: hostPort.default('127.0.0.1:9464') }).optional(),
});

/** The `asterisk` section with every default filled in, for a config that leaves it out. */
export function asteriskDefaults(): NonNullable<Config['asterisk']> {
  return configSchema.shape.asterisk.unwrap().parse({});
}

/** The `freeswitch` section with every default filled in, for a config that leaves it out. */
export function freeswitchDefaults(): NonNullable<Config['freeswitch']> {
  return configSchema.shape.freeswitch.unwrap().parse({});
}

/** The config as written (input) and as validated with defaults filled in (output). */
export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type User = Config['users'][number];
export type InboundNumber = Config['numbers'][number];
export type RingGroup = Config['ringGroups'][number];
export type Distribution = Config['distributions'][number];
export type Trunk = Config['trunks'][string];
export type { Schedule, WhenClosed } from './schedules.js';
export type { ConfirmConfig } from './confirm.js';
