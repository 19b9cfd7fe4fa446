/**
 * The config schema of spec section 8: press-1 confirmation on outside legs. A switched-off mobile
 * answers with its own voicemail, which would swallow the call; a confirming leg is bridged only
 * once the person who answered pressed `key`. Part of the config schema (schema.ts composes it).
 */
import { z } from 'zod';

/** The legs that may confirm: outside numbers only (desk phones and softphones never confirm). */
export const CONFIRM_DEVICES = ['mobile', 'forward', 'company'] as const;
export type ConfirmDevice = (typeof CONFIRM_DEVICES)[number];

/**
 * A sound file name as both PBXs take it (Asterisk `sound:NAME`, FreeSWITCH a path under its sound
 * folder): letters, digits, `_`, `-` and `/` between parts, no `..`, nothing a dial string, an ARI
 * media URI or an ESL argument could read as syntax (no spaces, commas, quotes, `:` or `!`).
 */
const SOUND_RE = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+){0,7}$/;

export const confirmSchema = z.strictObject({
  devices: z
    .array(z.enum(CONFIRM_DEVICES))
    .default([])
    .describe('which legs must press the key before they are bridged: mobile | forward | company (default: none)'),
  key: z
    .string()
    .regex(/^[0-9*#]$/, 'must be one DTMF key: 0-9, * or #')
    .default('1')
    .describe('the key the person who answers presses (default "1")'),
  seconds: z
    .number()
    .int('must be a whole number from 1 to 120 seconds')
    .min(1, 'must be a whole number from 1 to 120 seconds')
    .max(120, 'must be a whole number from 1 to 120 seconds')
    .default(10)
    .describe('time allowed after the leg answers, also past the ring time (default 10)'),
  prompt: z
    .string()
    .regex(SOUND_RE, 'must be beep or a sound name of letters, digits, "_", "-" and "/"')
    .default('beep')
    .describe('what the answering person hears, repeated every 2 s: beep (a short tone) or a sound name'),
});

export type ConfirmConfig = z.output<typeof confirmSchema>;

/** What a confirming leg carries to the backend: the key, the time allowed, the prompt. */
export interface ConfirmSpec {
  key: string;
  seconds: number;
  prompt: string;
}

/** Whether a leg to `device` must confirm, and how (null: it is bridged as soon as it answers). */
export function confirmFor(confirm: ConfirmConfig | undefined, device: string): ConfirmSpec | null {
  if (!confirm || !(confirm.devices as readonly string[]).includes(device)) return null;
  return { key: confirm.key, seconds: confirm.seconds, prompt: confirm.prompt };
}

/** How often the prompt starts again while a leg is confirming (spec section 8: every 2 s). */
export const PROMPT_REPEAT_MS = 2000;
