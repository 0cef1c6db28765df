import { createServer, type Server, type ServerResponse } from 'node:http';

/** What GET /metrics serves (Prometheus text); without it the route answers 404. */
export type MetricsHandler = { contentType: string; render(): Promise<string> };

/** GET /healthz answers 200 with each role's state as JSON (Fly's health check). */
export async function startHealthServer(
  port: number,
  state: () => unknown,
  metrics?: MetricsHandler,
): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(state()));
      return;
    }
    if (metrics && req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
      serveMetrics(metrics, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return server;
}

function serveMetrics(metrics: MetricsHandler, res: ServerResponse): void {
  metrics.render().then(
    (body) => {
      res.writeHead(200, { 'content-type': metrics.contentType });
      res.end(body);
    },
    () => {
      // The database may be down for a moment; the scrape fails and the next one tries again.
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('metrics unavailable\n');
    },
  );
}
