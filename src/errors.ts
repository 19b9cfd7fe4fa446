/**
 * Typed errors with stable codes. Callers branch on `instanceof` and `code`,
 * never on message text.
 */
export type ErrorCode =
  | 'CONFIG_SYNTAX'
  | 'CONFIG_INVALID'
  | 'CONFIG_ENV_MISSING'
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_RELOAD_REFUSED'
  | 'BAD_NUMBER'
  | 'STORE_FAILED'
  | 'STORE_NODE_TAKEN'
  /** PostgreSQL could not be reached when the store was opened (`run` waits for it and retries). */
  | 'STORE_UNREACHABLE'
  | 'CSV_INVALID'
  | 'CRM_LOOKUP_FAILED'
  | 'ARI_HTTP'
  | 'ARI_TIMEOUT'
  | 'ARI_DISCONNECTED'
  | 'ESL_PROTOCOL'
  | 'ESL_COMMAND_FAILED'
  | 'ESL_DISCONNECTED'
  | 'ESL_TIMEOUT'
  /** The PBX connection was down too long (spec section 10: 30 s): open calls closed as failed. */
  | 'PBX_LOST'
  /** A value refused for a dial string or an application argument: a bug upstream, never dialled. */
  | 'UNSAFE_DIAL_VALUE'
  | 'USAGE';

export class SwitchboardError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** One problem found in a config file, located for the admin. */
export interface ConfigIssue {
  file: string;
  line: number | null;
  column: number | null;
  /** Dotted key path, e.g. `numbers[0].forwardTo`. */
  key: string;
  message: string;
}

/** A config file that cannot be used. `issues` holds every problem found, in file order. */
export class ConfigError extends SwitchboardError {
  readonly issues: ConfigIssue[];

  constructor(code: 'CONFIG_SYNTAX' | 'CONFIG_INVALID' | 'CONFIG_ENV_MISSING' | 'CONFIG_NOT_FOUND', issues: ConfigIssue[]) {
    super(code, issues.map(formatConfigIssue).join('\n'), { issues });
    this.issues = issues;
  }
}

/** `file:line: key: message`, the shape admins know from compilers and `nginx -t`. */
export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.line === null ? issue.file : `${issue.file}:${issue.line}`;
  return issue.key ? `${where}: ${issue.key}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** A phone number that cannot be normalised to E.164. */
export class BadNumberError extends SwitchboardError {
  constructor(input: string, reason: string) {
    super('BAD_NUMBER', `bad number ${JSON.stringify(input.slice(0, 40))}: ${reason}`, { input: input.slice(0, 200), reason });
  }
}

/** An HTTP error from ARI that keeps its status (ari-client's own errors lose it). */
export class AriHttpError extends SwitchboardError {
  readonly status: number;
  constructor(method: string, path: string, status: number, body: string) {
    super('ARI_HTTP', `ARI ${method} ${path} -> HTTP ${status}: ${body.slice(0, 200)}`, { method, path, status, body: body.slice(0, 1000) });
    this.status = status;
  }
}

/** A valid config that a reload refuses to swap in (it looks like a half-written file). */
export class ReloadRefusedError extends SwitchboardError {
  constructor(file: string, reason: string) {
    super('CONFIG_RELOAD_REFUSED', `${file}: ${reason}`, { file, reason });
  }
}
