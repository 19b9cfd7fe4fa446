import { describe, expect, it } from 'vitest';
import { expandEnv } from '../../src/config/env.js';

describe('expandEnv', () => {
  const env = { PW: 's3cret', EMPTY: '', YAMLISH: 'a: b\n- c' };

  it.each([
    ['no reference', 'plain $text', 'plain $text'],
    ['a set variable', 'pw=${PW}', 'pw=s3cret'],
    ['an empty variable counts as set', '[${EMPTY}]', '[]'],
    ['a default when unset', '${NOPE:-fallback}', 'fallback'],
    ['a default when empty', '${EMPTY:-fallback}', 'fallback'],
    ['no default needed when set', '${PW:-fallback}', 's3cret'],
    ['an empty default', '${NOPE:-}', ''],
    ['$${ is a literal ${', '$${PW} and ${PW}', '${PW} and s3cret'],
    ['a value is inserted as text, never parsed', '${YAMLISH}', 'a: b\n- c'],
    ['a value is not expanded again', '${LOOP}', '${PW}'],
  ])('given %s, when expanded, then the result is right', (_, text, expected) => {
    expect(expandEnv(text, { ...env, LOOP: '${PW}' })).toEqual({ value: expected, problems: [] });
  });

  it.each([
    ['an unset variable', '${NOPE}', [{ kind: 'missing', name: 'NOPE' }]],
    ['a bad name', '${1X}', [{ kind: 'malformed', name: '${1X}' }]],
    ['an unclosed reference', 'x ${PW', [{ kind: 'malformed', name: '${PW' }]],
    ['two unset variables', '${A}-${B}', [{ kind: 'missing', name: 'A' }, { kind: 'missing', name: 'B' }]],
  ])('given %s, when expanded, then it is reported', (_, text, problems) => {
    expect(expandEnv(text, env).problems).toEqual(problems);
  });
});
