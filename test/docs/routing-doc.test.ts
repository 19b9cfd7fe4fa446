/**
 * docs/routing.md is the routing contract in the project's own words: it must name every config
 * key the schema accepts, and the README must point to it. A key added without its line in the
 * doc fails here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configSchema, distributionSchema, numberSchema, ringGroupSchema, userSchema } from '../../src/config/schema.js';

const read = (rel: string) => readFileSync(fileURLToPath(new URL(`../../${rel}`, import.meta.url)), 'utf8');
const DOC = read('docs/routing.md');

describe('docs/routing.md', () => {
  it.each([
    ['top level', Object.keys(configSchema.shape)],
    ['users[]', Object.keys(userSchema.shape)],
    ['numbers[]', Object.keys(numberSchema.shape)],
    ['ringGroups[]', Object.keys(ringGroupSchema.shape)],
    ['distributions[]', Object.keys(distributionSchema.shape)],
  ])('names every %s key', (_where, keys) => {
    const missing = keys.filter((k) => !DOC.includes(`\`${k}\``) && !DOC.includes(`.${k}\``) && !DOC.includes(`\`${k}.`) && !DOC.includes(` ${k}\``));
    expect(missing).toEqual([]);
  });

  it('is linked from the README, which no longer points outside the repository', () => {
    const readme = read('README.md');
    expect(readme).toContain('(docs/routing.md)');
    expect(readme).not.toMatch(/spec\/routing\.md/);
  });
});
