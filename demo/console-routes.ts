import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import * as z from 'zod/mini';

/** One call to the ISV API with the demo's API key: status and parsed JSON. */
export type IsvCall = (
  method: string,
  apiPath: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<{ status: number; json: unknown }>;

const Username = z.string().check(z.trim(), z.minLength(1), z.maxLength(100));
const WorkflowId = z.string().check(z.regex(/^[0-9a-f]{24}$/));

const FireEvent = z.strictObject({
  username: Username,
  event: z.string().check(z.minLength(1), z.maxLength(200)),
  data: z.record(z.string(), z.unknown()),
});
const ToggleWorkflow = z.strictObject({ username: Username, workflowId: WorkflowId });
const LogsQuery = z.strictObject({ username: Username, workflowId: WorkflowId });
const LinkRequest = z.strictObject({
  username: Username,
  integrationId: WorkflowId,
  expiresIn: z.optional(z.number().check(z.int(), z.positive())),
});

function invalid(reply: FastifyReply, message: string) {
  return reply.status(400).send({ error: { code: 'validation_failed', message } });
}

/**
 * The AcmeCo back office pages (event console, workflow switches, logs, Embedded Link): each is a
 * thin route that calls the Embedded API with the API key, as an ISV backend would.
 */
export function registerConsoleRoutes(app: FastifyInstance, isv: IsvCall): void {
  const relay = async (reply: FastifyReply, call: Promise<{ status: number; json: unknown }>) => {
    const result = await call;
    return reply.status(result.status).send(result.json);
  };

  // Fires a custom event for a user, with an Idempotency-Key so a retried click runs once.
  app.post('/demo/api/events', async (request, reply) => {
    const parsed = FireEvent.safeParse(request.body);
    if (!parsed.success) return invalid(reply, 'Send {username, event, data} with data a JSON object.');
    const { username, event, data } = parsed.data;
    return relay(
      reply,
      isv('POST', '/run/event', { event, userId: username, data }, { 'idempotency-key': randomUUID() }),
    );
  });

  app.put('/demo/api/workflows/:action', async (request, reply) => {
    const action = (request.params as { action: string }).action;
    if (action !== 'activate' && action !== 'deactivate') return invalid(reply, 'Use activate or deactivate.');
    const parsed = ToggleWorkflow.safeParse(request.body);
    if (!parsed.success) return invalid(reply, 'Send {username, workflowId}.');
    return relay(
      reply,
      isv('PUT', `/workflows/${action}`, { userId: parsed.data.username, workflowId: parsed.data.workflowId }),
    );
  });

  app.get('/demo/api/logs', async (request, reply) => {
    const parsed = LogsQuery.safeParse(request.query);
    if (!parsed.success) return invalid(reply, 'Pass username and workflowId.');
    const { username, workflowId } = parsed.data;
    const user = encodeURIComponent(username);
    const [logs, errors] = await Promise.all([
      isv('GET', `/workflows/${workflowId}/logs?userId=${user}&limit=30`),
      isv('GET', `/workflows/${workflowId}/errors?userId=${user}`),
    ]);
    if (logs.status !== 200) return reply.status(logs.status).send(logs.json);
    return { logs: logs.json, errors: errors.status === 200 ? errors.json : { data: [] } };
  });

  app.post('/demo/api/links', async (request, reply) => {
    const parsed = LinkRequest.safeParse(request.body);
    if (!parsed.success) return invalid(reply, 'Send {username, integrationId, expiresIn?}.');
    const { username, integrationId, expiresIn } = parsed.data;
    const query = expiresIn === undefined ? '' : `?expiresIn=${expiresIn}`;
    return relay(
      reply,
      isv('GET', `/users/${encodeURIComponent(username)}/integrations/${integrationId}/install-url${query}`),
    );
  });
}
