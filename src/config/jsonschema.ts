/**
 * The config's JSON Schema, generated from the zod schema so that editors (with the YAML
 * language server) offer completion and checks without a second, hand-kept copy.
 */
import { z } from 'zod';
import { configSchema } from './schema.js';

export const CONFIG_SCHEMA_ID = 'urn:switchboard:config';

/** A draft 2020-12 JSON Schema of the config file as written (`io: 'input'`: defaults are optional). */
export function configJsonSchema(): Record<string, unknown> {
  // Refinements (e.g. "must contain {number} exactly once") have no JSON Schema form;
  // zod leaves them out, and check-config still enforces them.
  const generated = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return {
    $schema: $schema ?? 'https://json-schema.org/draft/2020-12/schema',
    $id: CONFIG_SCHEMA_ID,
    title: 'Switchboard config',
    description: 'config/switchboard.yaml: inbound call routing for Asterisk (ARI) and FreeSWITCH (ESL)',
    ...rest,
  };
}
