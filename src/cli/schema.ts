/** `switchboard schema`: print the config's JSON Schema, e.g. `switchboard schema > switchboard.schema.json`. */
import { configJsonSchema } from '../config/jsonschema.js';
import { parseArgs, type Command } from './io.js';

/** Print the JSON Schema on stdout; exit 0, or 2 on unexpected arguments. */
export const schemaCommand: Command = async (argv, io) => {
  const { opts, positionals } = parseArgs(argv);
  if (opts.size > 0 || positionals.length > 0) {
    io.stderr.write('usage: switchboard schema > switchboard.schema.json\n');
    return 2;
  }
  io.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return 0;
};
