/** The caller ID of a leg Switchboard originates on Asterisk. */
/**
 * ARI originate's `callerId` as Asterisk's ast_callerid_parse reads it: `"name" <number>`, the
 * name unescaped by ast_unescape_quoted (a backslash escapes the next character). The name is
 * already made safe (letters, digits, spaces, . - ' & :), so the escaping below never fires; it is
 * there so the quoting cannot be broken even if that ever changes. No name: the number alone.
 */
export function ariCallerId(name: string | null, number: string): string {
  if (!name) return number;
  return `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}" <${number}>`;
}
