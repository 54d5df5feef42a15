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
}

/** Loads one endpoint on loopback for `seconds` with `connections` concurrent connections. */
export async function load(target: LoadTarget, seconds: number, connections: number): Promise<LoadResult> {
  let counter = 0;
  const result = await autocannon({
    url: target.url,
    method: target.method ?? 'GET',
    headers: target.headers ?? {},
    ...(target.body === undefined ? {} : { body: target.body }),
    ...(target.requestBody
      ? {
          requests: [
            {
              setupRequest: (request: Request) => ({ ...request, body: target.requestBody!(counter++) }),
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
