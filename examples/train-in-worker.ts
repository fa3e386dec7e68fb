/**
 * Training in a worker thread while the main thread keeps serving HTTP.
 *
 * The seed program (an MLP with Dropout on MNIST, Adam, lr 1e-4, batch 10) runs in a
 * `worker_threads` Worker (train-in-worker.worker.ts), so its synchronous steps never block the
 * main thread's event loop: the main thread answers `GET /status` with the training progress as
 * JSON at any time, even while MNIST is being fetched. A worker that throws ends the run with its
 * error message (state "failed", exit code 1) instead of hanging the server.
 *
 *   npm run build && npx ts-node examples/train-in-worker.ts [--steps 30000] [--port 8080]
 *   curl http://127.0.0.1:8080/status
 *
 * `--steps` is the number of training batches (default 30000 = the seed's 5 epochs of 6000);
 * `--port 0` picks a free port (the first line printed says which).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { TrainingMessage, TrainingOptions } from './train-in-worker.worker';

const { values: args } = parseArgs({
  options: { steps: { type: 'string', default: '30000' }, port: { type: 'string', default: '8080' } },
});
const steps = Number(args.steps);
const port = Number(args.port);
if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`--steps must be a positive integer, got ${args.steps}`);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`--port must be a port number (0-65535), got ${args.port}`);

/** What `GET /status` answers: the worker's latest progress report plus the run's state. */
interface Status {
  state: 'loading' | 'training' | 'done' | 'failed';
  step: number;
  steps: number;
  epoch: number;
  /** Mean loss over the batches since the previous report. */
  loss: number | null;
  samplesPerSecond: number | null;
  testAccuracy: number | null;
  error: string | null;
  elapsedSeconds: number;
}

const started = Date.now();
const status: Status = { state: 'loading', step: 0, steps, epoch: 0, loss: null, samplesPerSecond: null, testAccuracy: null, error: null, elapsedSeconds: 0 };

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/status') {
    status.elapsedSeconds = (Date.now() - started) / 1000;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(status));
  } else {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `no route ${req.method} ${req.url}; try GET /status` }));
  }
});

server.listen(port, '127.0.0.1', () => {
  const { port: actual } = server.address() as AddressInfo;
  console.log(`Serving training status at http://127.0.0.1:${actual}/status`);
  startTraining();
});

function startTraining(): void {
  // Under ts-node the worker is TypeScript too and needs ts-node's hook (workers do not inherit
  // the programmatic registration), with the tsconfig found from this file's folder as the
  // ts-node command does (not from the working directory). Built to JavaScript, it runs as is.
  const workerFile = join(__dirname, `train-in-worker.worker${extname(__filename)}`);
  const workerData: TrainingOptions = { steps, root: process.cwd() };
  const worker =
    extname(__filename) === '.ts'
      ? new Worker(
          `require(${JSON.stringify(require.resolve('ts-node'))}).register({ transpileOnly: true, projectSearchDir: ${JSON.stringify(__dirname)} });
           require(${JSON.stringify(workerFile)});`,
          { eval: true, workerData },
        )
      : new Worker(workerFile, { workerData });
  worker.on('message', (message: TrainingMessage) => {
    if (message.type === 'progress') {
      Object.assign(status, { state: 'training', step: message.step, epoch: message.epoch, loss: message.loss, samplesPerSecond: message.samplesPerSecond });
    } else {
      Object.assign(status, { state: 'done', step: message.step, testAccuracy: message.testAccuracy });
      console.log(`Training process has finished: ${message.step} steps, test accuracy ${(100 * message.testAccuracy).toFixed(2)}%`);
    }
  });
  // An exception in the worker (a bad shape, a missing dataset…) arrives here with its message;
  // the worker has already stopped, so the run ends instead of waiting forever.
  worker.on('error', (error: unknown) => {
    const description = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    Object.assign(status, { state: 'failed', error: description });
    console.error(`Training failed: ${description}`);
    process.exitCode = 1;
  });
  worker.on('exit', (code) => {
    if (status.state !== 'done' && status.state !== 'failed') {
      Object.assign(status, { state: 'failed', error: `the training worker exited with code ${code}` });
      console.error(`Training failed: the training worker exited with code ${code}`);
      process.exitCode = 1;
    }
    server.close();
  });
}
