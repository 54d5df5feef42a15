import type { FastifyInstance, FastifyReply } from 'fastify';
import * as z from 'zod/mini';
import type { Alloy } from '../src/node/index.js';
import type { OrderBook } from './order-book.js';
import { demoUserOf, signedInUser } from './session.js';

const ObjectId = z.string().check(z.regex(/^[0-9a-f]{24}$/));

const FireEvent = z.strictObject({
  event: z.string().check(z.minLength(1), z.maxLength(200)),
  data: z.record(z.string(), z.unknown()),
});
const ToggleWorkflow = z.strictObject({ workflowId: ObjectId });
const LogsQuery = z.strictObject({ workflowId: ObjectId });
const LinkRequest = z.strictObject({
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
 * They act for the signed-in end user of the demo session (`app` is the demo API's guarded scope).
 */
export function registerConsoleRoutes(
  app: FastifyInstance,
  alloy: () => Alloy,
  sendApiError: SendApiError,
  orders: OrderBook,
): void {
  const attempt = async <T>(reply: FastifyReply, work: () => Promise<T>) => {
    try {
      return await work();
    } catch (error) {
      return sendApiError(reply, error);
    }
  };

  // The orders the user's store streamed to AcmeCo, newest first: the event console's order picker.
  app.get('/demo/api/orders', async (request) => ({ data: orders.list(signedInUser(request).userId) }));

  // The client sends an Idempotency-Key with each event, so a retried request runs once.
  app.post('/demo/api/events', async (request, reply) => {
    const parsed = FireEvent.safeParse(request.body);
    if (!parsed.success) return invalid(reply, 'Send {event, data} with data a JSON object.');
    const { event, data } = parsed.data;
    const user = signedInUser(request);
    // An order AcmeCo never received would be accepted and only fail inside the run: refuse it now.
    const orderRef = data.orderId;
    if (typeof orderRef === 'string' || typeof orderRef === 'number') {
      const found = orders.lookup(user.userId, String(orderRef));
      if ('problem' in found) {
        return reply.status(400).send({
          error: {
            code: 'validation_failed',
            message: found.problem,
            issues: [{ path: ['data', 'orderId'], message: 'not an order AcmeCo received' }],
          },
        });
      }
    }
    return attempt(reply, async () => {
      const accepted = await alloy().forUser(user.username).event(event, data);
      if (typeof orderRef === 'string' && typeof data.status === 'string') {
        orders.setStatus(user.userId, orderRef, data.status.toLowerCase());
      }
      return accepted;
    });
  });

  app.put('/demo/api/workflows/:action', async (request, reply) => {
    const action = (request.params as { action: string }).action;
    if (action !== 'activate' && action !== 'deactivate') return invalid(reply, 'Use activate or deactivate.');
    const parsed = ToggleWorkflow.safeParse(request.body);
    if (!parsed.success) return invalid(reply, 'Send {workflowId}.');
    const user = alloy().forUser(demoUserOf(request));
    const ref = { workflowId: parsed.data.workflowId };
    return attempt<object>(reply, () => (action === 'activate' ? user.reactivate(ref) : user.deactivate(ref)));
  });

  app.get('/demo/api/logs', async (request, reply) => {
    const parsed = LogsQuery.safeParse(request.query);
    if (!parsed.success) return invalid(reply, 'Pass workflowId.');
    const user = alloy().forUser(demoUserOf(request));
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
    if (!parsed.success) return invalid(reply, 'Send {integrationId, expiresIn?}.');
    const { integrationId, expiresIn } = parsed.data;
    return attempt(reply, () =>
      alloy()
        .forUser(demoUserOf(request))
        .generateLink(integrationId, expiresIn === undefined ? {} : { expiresIn }),
    );
  });
}
