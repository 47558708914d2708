/**
 * Asks for a password in a terminal without echoing it. The terminal is put in raw mode, so every key arrives as
 * it is typed; `typeHidden` decides what each key does and is pure, for testing.
 */

export interface HiddenInput {
  text: string;
  state: 'typing' | 'submitted' | 'cancelled';
}

const enter = new Set(['\r', '\n']);
const backspace = new Set(['\x7f', '\b']);
const interrupt = '\x03'; // Ctrl-C
const endOfInput = '\x04'; // Ctrl-D
const clearLine = '\x15'; // Ctrl-U

/** Applies one chunk of raw terminal input to what has been typed so far. */
export function typeHidden(text: string, chunk: string): HiddenInput {
  // Arrow keys and other escape sequences are not part of a password.
  if (chunk.startsWith('\x1b')) return { text, state: 'typing' };
  let typed = text;
  for (const character of chunk) {
    if (enter.has(character)) return { text: typed, state: 'submitted' };
    if (character === interrupt) return { text: '', state: 'cancelled' };
    if (character === endOfInput) return typed ? { text: typed, state: 'submitted' } : { text: '', state: 'cancelled' };
    if (backspace.has(character)) typed = withoutLastCharacter(typed);
    else if (character === clearLine) typed = '';
    else if (character >= ' ') typed += character;
  }
  return { text: typed, state: 'typing' };
}

/** Backspace removes what a person sees as one character, such as an emoji made of several code points. */
function withoutLastCharacter(text: string): string {
  let last = '';
  for (const segment of new Intl.Segmenter().segment(text)) last = segment.segment;
  return text.slice(0, text.length - last.length);
}

/** Resolves with what was typed, or undefined if the person pressed Ctrl-C (or Ctrl-D on an empty line). */
export function askHidden(
  question: string,
  input: NodeJS.ReadStream,
  output: NodeJS.WritableStream,
): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let text = '';
    const wasRaw = input.isRaw;
    const finish = (value: string | undefined): void => {
      input.off('data', onData);
      input.off('error', onError);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      const result = typeHidden(text, typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      text = result.text;
      if (result.state === 'submitted') finish(text);
      else if (result.state === 'cancelled') finish(undefined);
    };
    const onError = (error: Error): void => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      reject(error);
    };
    output.write(question);
    input.setRawMode(true);
    input.on('data', onData);
    input.once('error', onError);
    input.resume();
  });
}
