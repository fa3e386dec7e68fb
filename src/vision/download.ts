/**
 * Verified downloads (torchvision's `download_url` + `check_integrity`): a file is fetched into a
 * temporary file beside its destination, its MD5 checked, and only then renamed into place, so
 * no failure — HTTP error, wrong checksum, connection dropped mid-body — ever leaves a partial or
 * corrupt file where a dataset would read it. Mirrors are tried in order.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { basename, dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/** Redirects followed per request, as browsers and `urllib` do. */
const MAX_REDIRECTS = 5;
/** A connection silent for this long is abandoned (and the next mirror tried). */
const SOCKET_TIMEOUT_MS = 30_000;

/** The MD5 of a file, hex. */
export async function md5File(file: string): Promise<string> {
  const hash = createHash('md5');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** A temporary name beside `dest` (same folder, hence same file system: rename is atomic). */
function temporaryPath(dest: string): string {
  return `${dirname(dest)}/.${basename(dest)}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
}

/** Streams `url` into `file`, following redirects; rejects on any HTTP or connection failure. */
function fetchToFile(url: string, file: string, redirectsLeft = MAX_REDIRECTS): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const request = client.get(url, { headers: { 'User-Agent': 'kindling' } }, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location !== undefined) {
        response.resume();
        if (redirectsLeft === 0) return reject(new Error(`too many redirects fetching ${url}`));
        const next = new URL(response.headers.location, url).toString();
        return fetchToFile(next, file, redirectsLeft - 1).then(resolve, reject);
      }
      if (status !== 200) {
        response.resume();
        return reject(new Error(`HTTP Error ${status}: ${response.statusMessage ?? ''}`.trim()));
      }
      const declared = Number(response.headers['content-length'] ?? NaN);
      let received = 0;
      response.on('data', (chunk: Buffer) => (received += chunk.length));
      // A dropped connection ends the body early: 'aborted'/'error' on the response, or fewer
      // bytes than Content-Length. Either is a failure, never a short file.
      pipeline(response, createWriteStream(file)).then(() => {
        if (!response.complete) reject(new Error('connection closed before the response was complete'));
        else if (Number.isFinite(declared) && received !== declared) {
          reject(new Error(`connection closed after ${received} of ${declared} bytes`));
        } else resolve();
      }, reject);
    });
    request.setTimeout(SOCKET_TIMEOUT_MS, () => request.destroy(new Error(`no data for ${SOCKET_TIMEOUT_MS / 1000} s`)));
    request.on('error', reject);
  });
}

async function removeQuietly(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}

/**
 * Downloads `filename` from the first of `mirrors` that serves it with the right `md5` into
 * `dest`. Throws `Error downloading <filename>` listing each mirror's failure if none does.
 */
export async function downloadVerified(
  mirrors: readonly string[],
  filename: string,
  dest: string,
  md5: string,
  log: (line: string) => void = () => {},
): Promise<void> {
  const failures: string[] = [];
  for (const mirror of mirrors) {
    const url = `${mirror}${filename}`;
    const part = temporaryPath(dest);
    log(`Downloading ${url}`);
    try {
      await fetchToFile(url, part);
      const actual = await md5File(part);
      if (actual !== md5) throw new Error(`MD5 mismatch: expected ${md5}, got ${actual}`);
      await fs.rename(part, dest);
      return;
    } catch (e) {
      failures.push(`${url}: ${(e as Error).message}`);
      log(`Failed to download (trying next):\n${(e as Error).message}`);
    } finally {
      await removeQuietly(part);
    }
  }
  throw new Error(`Error downloading ${filename}:\n${failures.map((f) => `  ${f}`).join('\n')}`);
}

/** Copies `source` to `dest` if its MD5 is `md5` (through a temporary file); false otherwise. */
export async function copyVerified(source: string, dest: string, md5: string): Promise<boolean> {
  if ((await md5File(source)) !== md5) return false;
  const part = temporaryPath(dest);
  try {
    await fs.copyFile(source, part);
    if ((await md5File(part)) !== md5) return false;
    await fs.rename(part, dest);
    return true;
  } finally {
    await removeQuietly(part);
  }
}

/** Decompresses the gzip file `source` into `dest` through a temporary file. */
export async function gunzipTo(source: string, dest: string): Promise<void> {
  const part = temporaryPath(dest);
  try {
    await pipeline(createReadStream(source), createGunzip(), createWriteStream(part));
    await fs.rename(part, dest);
  } finally {
    await removeQuietly(part);
  }
}
