/**
 * A local HTTP server on 127.0.0.1 for the download tests. Routes: `/<mirror>/<file>` answers
 * with the bytes registered for that mirror and file, 404 when none, or — for files registered as
 * `drop` — a Content-Length header and half the body, then a destroyed socket.
 *
 * It can run in this thread (for the async download functions) or in a worker thread, for the
 * synchronous `new MNIST(root, { download: true })`, which blocks this thread while it waits.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

export interface Route {
  body: Uint8Array;
  drop?: boolean;
}

/** Code of the server, also run as a worker's eval source. */
const SERVER = `
const http = require('node:http');
function serve(routes) {
  const server = http.createServer((req, res) => {
    const route = routes[req.url];
    if (!route) {
      res.writeHead(404, 'Not Found');
      return res.end('not found');
    }
    const body = Buffer.from(route.body);
    res.writeHead(200, { 'Content-Length': body.length });
    if (!route.drop) return res.end(body);
    res.write(body.subarray(0, body.length >> 1), () => setTimeout(() => req.socket.destroy(), 20));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
`;

const serveInThisThread = new Function('require', `${SERVER}; return serve;`)(require) as (
  routes: Record<string, Route>,
) => Promise<import('node:http').Server>;

/** Starts the server here; returns its base URL and a closer. */
export async function startServer(routes: Record<string, Route>): Promise<{ url: string; close: () => Promise<void> }> {
  const server = await serveInThisThread(routes);
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Starts the server in a worker thread (so it answers while this thread is blocked). */
export async function startServerInWorker(routes: Record<string, Route>): Promise<{ url: string; close: () => Promise<void> }> {
  const worker = new Worker(
    `${SERVER}
const { parentPort, workerData } = require('node:worker_threads');
serve(workerData).then((server) => parentPort.postMessage(server.address().port));`,
    { eval: true, workerData: routes },
  );
  const [port] = (await once(worker, 'message')) as [number];
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await worker.terminate();
    },
  };
}
