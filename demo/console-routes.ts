import type { FastifyInstance, FastifyReply } from 'fastify';
import * as z from 'zod/mini';
import type { Alloy } from '../src/node/index.js';

const Username = z.string().check(z.trim(), z.minLength(1), z.maxLength(100));
const ObjectId = z.string().check(z.regex(/^[0-9a-f]{24}$/));

const FireEvent = z.strictObject({
  username: Username,
  event: z.string().check(z.minLength(1), z.maxLength(200)),
  data: z.record(z.string(), z.unknown()),
});
const ToggleWorkflow = z.strictObject({ username: Username, workflowId: ObjectId });
const LogsQuery = z.strictObject({ username: Username, workflowId: ObjectId });
const LinkRequest = z.strictObject({
  username: Username,
  integrationId: ObjectId,
  expiresIn: z.optional(z.number().check(z.int(), z.positive())),
});

type SendApiError = (reply: FastifyReply, error: unknown, status?: number) => unknown;

function invalid(reply: FastifyReply, message: string) {
  return reply.status(400).send({ error: { code: 'validation_failed', message } });
}

/**
 * The AcmeCo back office pages (event console, workflow switches, logs, Embedded Link): each is a
 * thin route over the Node client, holding the API key on the server as an ISV backend would.
 */
export function registerConsoleRoutes(app: FastifyInstance, alloy: () => Alloy, sendApiError: SendApiError): void {
  const attempt = async <T>(reply: FastifyReply, work: () => Promise<T>) => {
    try {
      return await work();
    } catch (error) {
      return sendApiError(reply, error);
    }
  };

  // The client sends an Idempotency-Key with each event, so a retried request runs once.
  app.post('/demo/api/events', async (request, reply) => {
    const parsed = FireEvent.safeParse(request.body);
    if (!parsed.success) return invalid(reply, 'Send {username, event, data} with data a JSON object.');
    const { username, event, data } = parsed.data;
    return attempt(reply, () => alloy().forUser(username).event(event, data));
  });

  app.put('/demo/api/workflows/:action', async (request, reply) => {
    const action = (request.params as { action: string }).action;
    if (action !== 'activate' && action !== 'deactivate') return invalid(reply, 'Use activate or deactivate.');
    const parsed = ToggleWorkflow.safeParse(request.body);
    if (!parsed.success) return invalid(reply, 'Send {username, workflowId}.');
    const user = alloy().forUser(parsed.data.username);
    const ref = { workflowId: parsed.data.workflowId };
    return attempt<object>(reply, () => (action === 'activate' ? user.reactivate(ref) : user.deactivate(ref)));
  });

  app.get('/demo/api/logs', async (request, reply) => {
    const parsed = LogsQuery.safeParse(request.query);
    if (!parsed.success) return invalid(reply, 'Pass username and workflowId.');
    const user = alloy().forUser(parsed.data.username);
    return attempt(reply, async () => {
      const [logs, errors] = await Promise.all([
        user.getLogs(parsed.data.workflowId, { limit: 30 }),
        user.getErrors(parsed.data.workflowId),
      ]);
      return { logs, errors };
    });
  });

  app.post('/demo/api/links', async (request, reply) => {
    const parsed = LinkRequest.safeParse(request.body);
    if (!parsed.success) return invalid(reply, 'Send {username, integrationId, expiresIn?}.');
    const { username, integrationId, expiresIn } = parsed.data;
    return attempt(reply, () =>
      alloy()
        .forUser(username)
        .generateLink(integrationId, expiresIn === undefined ? {} : { expiresIn }),
    );
  });
}
