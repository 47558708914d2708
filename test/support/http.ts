import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { testPassword } from './factories.ts';

/**
 * A browser-like client for fastify.inject: keeps cookies, and reads the CSRF token from the last page it saw,
 * so tests post forms exactly as a person would (CSRF protection stays on in tests).
 */
export class TestClient {
  readonly app: FastifyInstance;
  cookies = new Map<string, string>();
  csrfToken: string | undefined;

  constructor(app: FastifyInstance) {
    this.app = app;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private remember(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies) {
      if (cookie.value === '' || (cookie.expires && cookie.expires.getTime() < Date.now()))
        this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    const match = /name="_csrf" value="([^"]+)"/.exec(response.body);
    if (match) this.csrfToken = match[1];
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({
      method: 'GET',
      url,
      headers: { cookie: this.cookieHeader(), ...headers },
    });
    this.remember(response);
    return response;
  }

  /** Posts a form with the CSRF token from the last page (fetching `/sign-in` first if no page was seen). */
  async post(
    url: string,
    form: Record<string, string | string[]>,
    options: { csrf?: boolean } = {},
  ): Promise<LightMyRequestResponse> {
    if (options.csrf !== false && !this.csrfToken) await this.get('/sign-in');
    const body = new URLSearchParams();
    for (const [key, value] of Object.entries(form)) {
      for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
    }
    if (options.csrf !== false && this.csrfToken) body.set('_csrf', this.csrfToken);
    const response = await this.app.inject({
      method: 'POST',
      url,
      payload: body.toString(),
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    this.remember(response);
    return response;
  }

  /** Posts a multipart form (a message with attachments), with the CSRF token as a form field. */
  async postMultipart(
    url: string,
    fields: Record<string, string>,
    files: { fileName: string; data: Buffer | Uint8Array; type?: string }[] = [],
    options: { csrf?: boolean } = {},
  ): Promise<LightMyRequestResponse> {
    const form = new FormData();
    if (options.csrf !== false && this.csrfToken) form.append('_csrf', this.csrfToken);
    for (const [key, value] of Object.entries(fields)) form.append(key, value);
    for (const file of files) {
      form.append(
        'attachments',
        new Blob([new Uint8Array(file.data)], { type: file.type ?? 'application/octet-stream' }),
        file.fileName,
      );
    }
    const encoded = new Request('http://localhost/', { method: 'POST', body: form });
    const response = await this.app.inject({
      method: 'POST',
      url,
      payload: Buffer.from(await encoded.arrayBuffer()),
      headers: { cookie: this.cookieHeader(), 'content-type': encoded.headers.get('content-type') ?? '' },
    });
    this.remember(response);
    return response;
  }

  async signIn(email: string, password = testPassword): Promise<LightMyRequestResponse> {
    await this.get('/sign-in');
    const response = await this.post('/sign-in', { email, password });
    if (response.statusCode !== 303) throw new Error(`sign-in failed for ${email}: ${response.statusCode}`);
    return response;
  }
}

export async function signedInClient(app: FastifyInstance, email: string): Promise<TestClient> {
  const client = new TestClient(app);
  await client.signIn(email);
  return client;
}
