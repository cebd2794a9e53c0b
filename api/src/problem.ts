/**
 * Errors as RFC 9457 problem details (application/problem+json): a title a person can read, the
 * status, and what to do, for every failure the API returns.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';

export function sendProblem(reply: FastifyReply, status: number, title: string, detail?: string, extra: object = {}): FastifyReply {
  return reply.code(status).type('application/problem+json').send({ type: 'about:blank', title, status, ...(detail ? { detail } : {}), ...extra });
}

export function useProblemErrors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) return sendProblem(reply, 400, 'The request is not valid', error.message);
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return sendProblem(reply, error.statusCode, error.message);
    request.log.error(error);
    return sendProblem(reply, 500, 'Internal error', 'The server failed; the request changed nothing that was not committed. Try again or contact the administrator.');
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, 404, 'Not found', `${request.method} ${request.url} does not exist`));
}
