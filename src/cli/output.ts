/**
 * Where the CLI writes. Human text goes to stdout unless --json, where stdout
 * carries exactly one JSON document (the result or the error).
 */
import type { TextSink } from './batched-lines.js';
import type { Output } from './command.js';

export interface OutputStreams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: TextSink;
}

export function createOutput(streams: OutputStreams, jsonMode: boolean): Output {
  return {
    jsonMode,
    isTTY: Boolean(streams.stdout.isTTY),
    print(text: string) {
      if (!jsonMode) streams.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    json(value: unknown) {
      if (jsonMode) streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    warn(text: string) {
      streams.stderr.write(`warning: ${text}\n`);
    },
  };
}
