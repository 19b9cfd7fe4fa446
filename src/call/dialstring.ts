/**
 * Dial strings are built ONLY from config templates (validated by the schema: no spaces, commas,
 * quotes, `&`, `|`, `^`) and values that are themselves validated (endpoint names, E.164 numbers).
 * The assertion below is the last line of defence: nothing a caller sends can get here, and if a bug
 * ever tried, the leg fails instead of dialling something else.
 */
import { SwitchboardError } from '../errors.js';
import { E164_RE } from '../config/schema.js';
import type { LegSpec } from './contract.js';

const SAFE_VALUE = /^(\+[0-9]{8,15}|[A-Za-z0-9][A-Za-z0-9_.-]{0,63})$/;

/** Fill a template's single placeholder with a validated value. */
export function fillTemplate(template: string, placeholder: '{number}' | '{endpoint}', value: string): string {
  if (!SAFE_VALUE.test(value)) {
    throw new SwitchboardError('UNSAFE_DIAL_VALUE', `refusing unsafe dial value ${JSON.stringify(value.slice(0, 40))}`, { value: value.slice(0, 200) });
  }
  return template.replace(placeholder, value);
}

/** The dial string of a leg, from the backend's endpoint template or the default trunk template. */
export function dialStringFor(leg: Pick<LegSpec, 'endpoint' | 'number'>, templates: { endpoint: string; trunk: string }): string {
  if (leg.endpoint !== undefined) return fillTemplate(templates.endpoint, '{endpoint}', leg.endpoint);
  if (leg.number !== undefined) return fillTemplate(templates.trunk, '{number}', leg.number);
  throw new SwitchboardError('UNSAFE_DIAL_VALUE', 'a leg needs an endpoint or a number');
}

/** The caller ID a leg presents: an E.164 number, or `anonymous` (withheld or anything else). */
export function safeCallerId(callerId: string | null): string {
  return callerId !== null && E164_RE.test(callerId) ? callerId : 'anonymous';
}
