import { Hono } from 'hono';
import type { Health, MetricsHandler } from '../health.js';

/**
 * GET /healthz answers 200 when healthy and 503 when not, with the state as JSON (Fly's health
 * check); GET /metrics serves Prometheus text when a handler is given.
 */
export function createHealthRoutes(state: () => Promise<Health> | Health, metrics?: MetricsHandler): Hono {
  const app = new Hono();
  app.get('/healthz', async (c) => {
    try {
      const health = await state();
      return c.body(JSON.stringify(health), health.ok ? 200 : 503, { 'content-type': 'application/json' });
    } catch {
      return c.body(JSON.stringify({ ok: false, reasons: ['health state could not be read'] }), 503, {
        'content-type': 'application/json',
      });
    }
  });
  if (metrics) {
    app.get('/metrics', async (c) => {
      try {
        const body = await metrics.render();
        return c.body(body, 200, { 'content-type': metrics.contentType });
      } catch {
        // The database may be down for a moment; the scrape fails and the next one tries again.
        return c.body('metrics unavailable\n', 503, { 'content-type': 'text/plain' });
      }
    });
  }
  return app;
}
