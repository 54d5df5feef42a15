import autocannon, { type Request } from 'autocannon';

export interface LoadResult {
  name: string;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  errors: number;
}

export interface LoadTarget {
  name: string;
  url: string;
  method?: 'GET' | 'POST' | 'PUT';
  headers?: Record<string, string>;
  body?: string;
  /** A body per request, for endpoints where identical bodies would be idempotent replays. */
  requestBody?: (i: number) => string;
  /** Headers added per request (e.g. a unique Idempotency-Key each time). */
  requestHeaders?: (i: number) => Record<string, string>;
}

/** Loads one endpoint on loopback for `seconds` with `connections` concurrent connections. */
export async function load(target: LoadTarget, seconds: number, connections: number): Promise<LoadResult> {
  let counter = 0;
  const result = await autocannon({
    url: target.url,
    method: target.method ?? 'GET',
    headers: target.headers ?? {},
    ...(target.body === undefined ? {} : { body: target.body }),
    ...(target.requestBody || target.requestHeaders
      ? {
          requests: [
            {
              setupRequest: (request: Request) => {
                const i = counter++;
                return {
                  ...request,
                  ...(target.requestBody ? { body: target.requestBody(i) } : {}),
                  ...(target.requestHeaders ? { headers: { ...request.headers, ...target.requestHeaders(i) } } : {}),
                };
              },
            },
          ],
        }
      : {}),
    duration: seconds,
    connections,
  });
  return {
    name: target.name,
    requestsPerSecond: Math.round(result.requests.average),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
