import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { downloadVerified } from '../../src/vision/download';
import { fetchResources } from '../../src/vision/fetch-resources';
import { md5, mnistFiles, tempRoot } from './fixtures';
import { type Route, startServer } from './server';

const body = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz'.repeat(1000));
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function serve(routes: Record<string, Route>): Promise<string> {
  const server = await startServer(routes);
  close = server.close;
  return server.url;
}

describe('downloadVerified', () => {
  it('downloads, verifies and renames into place', async () => {
    const url = await serve({ '/a/f.gz': { body } });
    const dir = tempRoot();
    await downloadVerified([`${url}/a/`], 'f.gz', join(dir, 'f.gz'), md5(body));
    expect(readFileSync(join(dir, 'f.gz')).equals(body)).toBe(true);
    expect(readdirSync(dir)).toEqual(['f.gz']);
  });

  it('tries the next mirror when the first answers 404', async () => {
    const url = await serve({ '/b/f.gz': { body } });
    const dir = tempRoot();
    const log: string[] = [];
    await downloadVerified([`${url}/a/`, `${url}/b/`], 'f.gz', join(dir, 'f.gz'), md5(body), (l) => log.push(l));
    expect(readFileSync(join(dir, 'f.gz')).equals(body)).toBe(true);
    expect(readdirSync(dir)).toEqual(['f.gz']);
    expect(log).toEqual([
      `Downloading ${url}/a/f.gz`,
      'Failed to download (trying next):\nHTTP Error 404: Not Found',
      `Downloading ${url}/b/f.gz`,
    ]);
  });

  it('rejects a body with the wrong MD5 and leaves nothing behind', async () => {
    const url = await serve({ '/a/f.gz': { body } });
    const dir = tempRoot();
    const wrong = '0'.repeat(32);
    await expect(downloadVerified([`${url}/a/`], 'f.gz', join(dir, 'f.gz'), wrong)).rejects.toThrow(
      `Error downloading f.gz:\n  ${url}/a/f.gz: MD5 mismatch: expected ${wrong}, got ${md5(body)}`,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails on a connection dropped mid-body and leaves nothing behind', async () => {
    const url = await serve({ '/a/f.gz': { body, drop: true } });
    const dir = tempRoot();
    await expect(downloadVerified([`${url}/a/`], 'f.gz', join(dir, 'f.gz'), md5(body))).rejects.toThrow(/^Error downloading f\.gz:\n {2}.*f\.gz: /);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails when every mirror fails, listing each failure', async () => {
    const url = await serve({ '/b/f.gz': { body, drop: true } });
    const dir = tempRoot();
    const error = await downloadVerified([`${url}/a/`, `${url}/b/`], 'f.gz', join(dir, 'f.gz'), md5(body)).catch((e: Error) => e);
    expect((error as Error).message.split('\n')).toHaveLength(3);
    expect((error as Error).message).toContain(`${url}/a/f.gz: HTTP Error 404: Not Found`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('fetchResources', () => {
  it('downloads each .gz, verifies it and extracts it beside it', async () => {
    const files = mnistFiles();
    const url = await serve(Object.fromEntries(Object.entries(files).map(([name, bytes]) => [`/m/${name}`, { body: bytes }])));
    const raw = join(tempRoot(), 'MNIST', 'raw');
    const resources = Object.entries(files).map(([name, bytes]) => [name, md5(bytes)] as const);
    const lines = await fetchResources({ rawFolder: raw, mirrors: [`${url}/m/`], resources, packages: [] });
    expect(readdirSync(raw).sort()).toEqual(
      [
        't10k-images-idx3-ubyte',
        't10k-images-idx3-ubyte.gz',
        't10k-labels-idx1-ubyte',
        't10k-labels-idx1-ubyte.gz',
        'train-images-idx3-ubyte',
        'train-images-idx3-ubyte.gz',
        'train-labels-idx1-ubyte',
        'train-labels-idx1-ubyte.gz',
      ].sort(),
    );
    expect(lines[0]).toBe(`Downloading ${url}/m/train-images-idx3-ubyte.gz`);
  });

  it('leaves only the verified files when a later resource fails', async () => {
    const files = mnistFiles();
    const routes = Object.fromEntries(Object.entries(files).map(([name, bytes]) => [`/m/${name}`, { body: bytes }]));
    routes['/m/t10k-images-idx3-ubyte.gz'].drop = true;
    const url = await serve(routes);
    const raw = join(tempRoot(), 'MNIST', 'raw');
    const resources = Object.entries(files).map(([name, bytes]) => [name, md5(bytes)] as const);
    await expect(fetchResources({ rawFolder: raw, mirrors: [`${url}/m/`], resources, packages: [] })).rejects.toThrow(
      'Error downloading t10k-images-idx3-ubyte.gz',
    );
    expect(readdirSync(raw).sort()).toEqual([
      'train-images-idx3-ubyte',
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte',
      'train-labels-idx1-ubyte.gz',
    ]);
  });
});
