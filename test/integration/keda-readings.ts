/**
 * The values KEDA's scalers read, reproduced from their source so that a
 * test can read a real server exactly as the synthesized trigger would.
 */

/** Go's `url.QueryEscape`, which KEDA applies to vhost and queue names and to queries. */
export function goQueryEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/**
 * The queue length KEDA's `rabbitmq` scaler reads over HTTP (kedacore/keda,
 * pkg/scalers/rabbitmq_scaler.go: `getVhostAndPathFromURL`,
 * `getQueueInfoViaHTTP`, `getQueueStatus`): the vhost is the last path
 * segment of `host` unless `vhostName` overrides it (query-escaped, `/`
 * becoming `/%2F`), any path before it is kept as a prefix, the URL is
 * `<host>/api/queues/<vhost>/<queue>` with the host's user info as basic auth,
 * and `QueueLength` is the `messages` field (ready + unacknowledged) unless
 * `excludeUnacknowledged` asks for `messages_ready`.
 */
export async function kedaQueueLength(
  host: string,
  metadata: Readonly<Record<string, string>>,
): Promise<number> {
  // Only what is reproduced here: AMQP or another mode read other numbers.
  const protocol = metadata.protocol ?? 'auto';
  if (!(protocol === 'http' || (protocol === 'auto' && /^https?:/.test(host)))) {
    throw new Error(`protocol '${protocol}' with host ${host} is not read over HTTP`);
  }
  if (metadata.mode !== 'QueueLength' || metadata.useRegex === 'true') {
    throw new Error(
      `only mode QueueLength of one queue is reproduced, not ${JSON.stringify(metadata)}`,
    );
  }
  const url = new URL(host);
  const parts = url.pathname.split('/');
  let vhost = `/${parts[parts.length - 1]}`;
  const prefix = parts.slice(0, -1).filter(Boolean).join('/');
  if (metadata.vhostName) vhost = `/${goQueryEscape(metadata.vhostName)}`;
  if (vhost === '/') vhost = '/%2F';
  const endpoint = `${url.protocol}//${url.host}${prefix ? `/${prefix}` : ''}/api/queues${vhost}/${goQueryEscape(metadata.queueName)}`;
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  const response = await fetch(endpoint, {
    headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` },
    signal: AbortSignal.timeout(5_000),
  });
  if (response.status !== 200) {
    throw new Error(
      `KEDA would fail: ${response.status} ${await response.text()} from ${endpoint}`,
    );
  }
  const info = (await response.json()) as { messages?: number; messages_ready?: number };
  return (metadata.excludeUnacknowledged === 'true' ? info.messages_ready : info.messages) ?? 0;
}

/**
 * The value KEDA's `prometheus` scaler reads (kedacore/keda,
 * pkg/scalers/prometheus_scaler.go: `ExecutePromQuery`): an instant query of
 * `query`, query-escaped, at the current second, against `serverAddress`.
 * An empty result, or NaN/±Inf, reads as 0 (`ignoreNullValues` defaults to
 * true); more than one series is an error, as it is for KEDA.
 */
export async function kedaPrometheusValue(
  serverAddress: string,
  metadata: Readonly<Record<string, string>>,
): Promise<number> {
  const time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const endpoint = `${serverAddress}/api/v1/query?query=${goQueryEscape(metadata.query)}&time=${time}`;
  const response = await fetch(endpoint, { signal: AbortSignal.timeout(5_000) });
  if (response.status < 200 || response.status > 299) {
    throw new Error(`KEDA would fail: prometheus query api returned ${response.status}`);
  }
  const body = (await response.json()) as {
    data: { result: { value?: [number, string] }[] };
  };
  const ignoreNull = metadata.ignoreNullValues !== 'false';
  const result = body.data.result;
  if (result.length > 1) {
    throw new Error(
      `KEDA would fail: prometheus query ${metadata.query} returned multiple elements`,
    );
  }
  if (result.length === 0 || !result[0].value) {
    if (ignoreNull) return 0;
    throw new Error(`KEDA would fail: prometheus query ${metadata.query} returned nothing`);
  }
  const value = Number.parseFloat(result[0].value[1]);
  if (!Number.isFinite(value)) {
    if (ignoreNull) return 0;
    throw new Error(`KEDA would fail: prometheus query returns ${result[0].value[1]}`);
  }
  return value;
}
