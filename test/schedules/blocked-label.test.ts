/**
 * The block-list matcher and withheld detection (spec section 9), and the caller-label sanitizer.
 */
import { describe, expect, it } from 'vitest';
import { BlockList, isBlockPattern, isWithheldCaller } from '../../src/routing/blocked.js';
import { legCallerName, safeCallerName } from '../../src/routing/label.js';

describe('block list', () => {
  const list = new BlockList(['+12025550666', '+1900*', '+4479*']);
  it('given an exact number, then only that number matches', () => {
    expect(list.match('+12025550666')).toBe('+12025550666');
    expect(list.match('+12025550667')).toBeNull();
  });
  it('given a prefix, then every number that starts with it matches, and nothing else', () => {
    expect(list.match('+19005551234')).toBe('+1900*');
    expect(list.match('+447911123456')).toBe('+4479*');
    expect(list.match('+18005551234')).toBeNull();
    expect(list.match('+4478123456789')).toBeNull();
  });
  it('given a withheld caller (null), then nothing matches, not even a "+*"-like prefix', () => {
    expect(new BlockList(['+1*', '+2*']).match(null)).toBeNull();
  });
  it('given invalid patterns, then they are ignored, never matched', () => {
    const bad = new BlockList(['1900*', '+*', '+12345678901234567*', 'anonymous', '+1900']);
    expect(bad.size).toBe(0);
    expect(bad.match('+19005551234')).toBeNull();
  });
  it.each([
    ['+12025550666', true],
    ['+1900*', true],
    ['+1*', true],
    ['+12345678901234*', true],
    ['+123456789012345*', false],
    ['+*', false],
    ['1900*', false],
    ['+1900', false],
    ['+1 900*', false],
  ])('isBlockPattern(%j) is %s', (p, ok) => expect(isBlockPattern(p)).toBe(ok));
});

describe('withheld callers (spec section 9)', () => {
  it.each([[''], ['  '], ['anonymous'], ['Anonymous'], ['RESTRICTED'], ['unavailable'], ['Private'], [null], [undefined]])('%j is withheld', (raw) => {
    expect(isWithheldCaller(raw)).toBe(true);
  });
  it.each([['+12025550999'], ['2025550999'], ['unknown'], ['garbage']])('%j is not withheld', (raw) => {
    expect(isWithheldCaller(raw)).toBe(false);
  });
  it('given presentation restricted by the PBX, then withheld even with a number', () => {
    expect(isWithheldCaller('+12025550999', true)).toBe(true);
  });
});

describe('caller labels', () => {
  it('keeps letters of any script, digits, spaces and . - \' & :', () => {
    expect(safeCallerName("O'Brien & Co: Zoë")).toBe("O'Brien & Co: Zoë");
    expect(safeCallerName('Müller-Lüdenscheidt 2.0')).toBe('Müller-Lüdenscheidt 2.0');
    expect(safeCallerName('山田 太郎')).toBe('山田 太郎');
    expect(safeCallerName('Дмитрий')).toBe('Дмитрий');
  });
  it('composes a decomposed ë (NFC) instead of turning its mark into a space', () => {
    expect(safeCallerName('Zoe\u0308')).toBe('Zoë');
  });
  it.each([
    ['"Evil" <sip:x@y>', 'Evil sip:x y'],
    ['a,b|c^d', 'a b c d'],
    ['line\r\nbreak\ttab', 'line break tab'],
    ['${EXEC(rm -rf /)}', 'EXEC rm -rf'],
    ['   lots    of    space   ', 'lots of space'],
    ['\u0000\u001b[31mred', '31mred'],
    ['semi;colon=equals', 'semi colon equals'],
    ['\u202Eevil\u202C', 'evil'],
    ['emoji 😀 name', 'emoji name'],
    ['', ''],
  ])('makes %j safe: %j', (input, out) => {
    expect(safeCallerName(input)).toBe(out);
  });
  it('cuts to 40 characters (code points), never leaving a trailing space', () => {
    const long = 'Ab '.repeat(30);
    expect([...safeCallerName(long)].length).toBeLessThanOrEqual(40);
    expect(safeCallerName(long).endsWith(' ')).toBe(false);
    expect([...safeCallerName('ë'.repeat(50))].length).toBe(40);
    expect(safeCallerName('𝒜'.repeat(50))).toBe('𝒜'.repeat(40)); // astral letters are not split
  });
  it('given a label and a contact name, then "Label: Name"; label alone; name alone; neither', () => {
    expect(legCallerName('Sales', 'Jane Doe')).toBe('Sales: Jane Doe');
    expect(legCallerName('Sales', null)).toBe('Sales');
    expect(legCallerName(undefined, 'Jane Doe')).toBe('Jane Doe');
    expect(legCallerName(undefined, null)).toBeNull();
    expect(legCallerName(undefined, '"<>"')).toBeNull();
    expect(legCallerName('Sales', '<script>')).toBe('Sales: script');
    expect(legCallerName('Sales', "O'Brien & Co: Zoë")).toBe("Sales: O'Brien & Co: Zoë");
    expect([...legCallerName('Customer Service Desk', 'Bartholomew Montgomery-Smythe III')!].length).toBe(40);
  });
});
