import { testPassword } from './factories.ts';

/**
 * A client for a real Parley process over HTTP: keeps cookies and the last page's CSRF token, like a browser that
 * submits forms. (TestClient does the same in-process, through fastify.inject.)
 */
export class HttpClient {
  baseUrl: string;
  readonly cookies = new Map<string, string>();
  csrfToken: string | undefined;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  private async request(
    path: string,
    init: RequestInit = {},
  ): Promise<{ status: number; body: string; location: string | null }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string> | undefined),
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (name) this.cookies.set(name.trim(), value.join('='));
    }
    const body = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
    if (token) this.csrfToken = token;
    return { status: response.status, body, location: response.headers.get('location') };
  }

  get(path: string) {
    return this.request(path);
  }

  post(path: string, form: Record<string, string>) {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form, _csrf: this.csrfToken ?? '' }).toString(),
    });
  }

  postMultipart(path: string, form: Record<string, string>) {
    const body = new FormData();
    body.append('_csrf', this.csrfToken ?? '');
    for (const [key, value] of Object.entries(form)) body.append(key, value);
    return this.request(path, { method: 'POST', body });
  }

  async signIn(email: string, password = testPassword): Promise<void> {
    await this.get('/sign-in');
    const response = await this.post('/sign-in', { email, password });
    if (response.status !== 303) throw new Error(`sign-in failed for ${email}: ${response.status}`);
  }
}
