import http from 'node:http';

/** One Server-Sent Event as a browser's EventSource would see it. */
export interface ReceivedEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/**
 * A client for a live page's event stream over real HTTP (fastify.inject cannot stream): it keeps what arrives,
 * parsed as the EventSource specification says, and waits for events with a deadline.
 */
export class EventStreamClient {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly events: ReceivedEvent[] = [];
  /** Everything received, as sent (to check what the stream never carries). */
  raw = '';
  retry: number | undefined;
  private ended = false;
  private readonly request: http.ClientRequest;
  private readonly response: http.IncomingMessage;
  private waiters: (() => void)[] = [];

  private constructor(request: http.ClientRequest, response: http.IncomingMessage) {
    this.request = request;
    this.response = response;
    this.status = response.statusCode ?? 0;
    this.headers = response.headers;
    let buffer = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      this.raw += chunk;
      buffer += chunk;
      let boundary = buffer.indexOf('\n\n');
      while (boundary !== -1) {
        this.parse(buffer.slice(0, boundary));
        buffer = buffer.slice(boundary + 2);
        boundary = buffer.indexOf('\n\n');
      }
      this.wake();
    });
    const onEnd = () => {
      this.ended = true;
      this.wake();
    };
    response.on('end', onEnd);
    response.on('close', onEnd);
    response.on('error', onEnd);
  }

  static open(
    baseUrl: string,
    path: string,
    options: { cookies?: Map<string, string>; lastEventId?: string; headers?: Record<string, string> } = {},
  ): Promise<EventStreamClient> {
    const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers };
    if (options.cookies?.size) headers.cookie = [...options.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (options.lastEventId) headers['last-event-id'] = options.lastEventId;
    return new Promise((resolve, reject) => {
      const request = http.get(new URL(path, baseUrl), { headers, agent: false }, (response) => {
        resolve(new EventStreamClient(request, response));
      });
      request.on('error', reject);
    });
  }

  private parse(block: string): void {
    const event: ReceivedEvent = { event: 'message', data: '', id: undefined };
    let hasData = false;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event.event = value;
      else if (field === 'data') {
        event.data += hasData ? `\n${value}` : value;
        hasData = true;
      } else if (field === 'id') event.id = value;
      else if (field === 'retry') this.retry = Number(value);
    }
    if (hasData) this.events.push(event);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  named(name: string): ReceivedEvent[] {
    return this.events.filter((event) => event.event === name);
  }

  /** Waits until an event matches (counting from the start of the stream), or fails at the deadline. */
  async waitFor(
    predicate: (event: ReceivedEvent) => boolean,
    timeoutMs = 10_000,
    description = 'an event',
  ): Promise<ReceivedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      if (this.ended) throw new Error(`the stream ended before ${description}; received:\n${this.raw}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${description} within ${timeoutMs} ms; received:\n${this.raw}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until the raw stream holds this text (a comment, such as the heartbeat). */
  async waitForText(text: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.raw.includes(text)) {
      const left = deadline - Date.now();
      if (left <= 0 || this.ended) throw new Error(`no "${text}" within ${timeoutMs} ms; received:\n${this.raw}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the server to end the stream. */
  async waitForEnd(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the stream did not end within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The body of a refused stream (a 404 page, a 429). */
  async text(): Promise<string> {
    await this.waitForEnd();
    return this.raw;
  }

  close(): void {
    this.response.destroy();
    this.request.destroy();
  }
}
