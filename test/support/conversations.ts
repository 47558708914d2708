import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Container } from '../../src/container.ts';
import type { SignedInUser } from '../../src/web/signed-in-user.ts';
import type { TestUser } from './factories.ts';

/** The person as the pages see them once signed in. */
export async function signedInAs(container: Container, user: TestUser): Promise<SignedInUser> {
  const signedIn = await container.accounts.loadSignedInUser(user.id);
  assert.ok(signedIn, `no such user ${user.email}`);
  return signedIn;
}

/** Sends a plain-text message through the real messaging service, as the web form does. */
export async function sendAs(container: Container, applicationId: string, sender: TestUser, body: string) {
  const result = await container.messaging.sendMessage({
    applicationId,
    sender: await signedInAs(container, sender),
    formKey: randomUUID(),
    body: { format: 'text', body },
    files: [],
  });
  assert.equal(result.outcome, 'sent', `sending "${body}" as ${sender.fullName}: ${JSON.stringify(result)}`);
  return result;
}
