/**
 * Route guards. Signed-out people go to sign in and come back; the other kind of account gets a 404,
 * so a URL never reveals what exists. A leaf module: every feature's routes import it, it imports no feature.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from './http-errors.ts';
import type { SignedInUser } from './signed-in-user.ts';

export async function requireStaff(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (!request.user) return redirectToSignIn(request, reply);
  if (request.user.kind !== 'staff') throw new NotFoundError();
  return undefined;
}

export async function requireJobseeker(
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply | undefined> {
  if (!request.user) return redirectToSignIn(request, reply);
  if (request.user.kind !== 'jobseeker') throw new NotFoundError();
  return undefined;
}

export async function requireSignedIn(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (!request.user) return redirectToSignIn(request, reply);
  return undefined;
}

function redirectToSignIn(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const returnTo = request.method === 'GET' ? request.url : '/';
  return reply.redirect(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`, 303);
}

/** The person a guarded route serves. */
export function signedInUser(request: FastifyRequest): SignedInUser {
  if (!request.user) throw new Error('route guard missing: no signed-in user');
  return request.user;
}
