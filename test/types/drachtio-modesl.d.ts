// drachtio-modesl ships no types; the FreeSWITCH backend types what it touches.
declare module 'drachtio-modesl';
