/**
 * The error thrown when no native binary can be loaded for this platform. napi-rs's generated
 * loader says only "Cannot find native binding"; this names the platform the user is on (the
 * same `<platform>-<arch>[-<libc>]` triple as the `kindling-<triple>` packages), whether kindling
 * publishes a binary for it, and the two ways out.
 */

import { diagnoseBinary, nodeFilesIn } from './binary-diagnosis';

/** The platforms kindling publishes prebuilt binaries for (package.json `napi.targets`). */
export const PREBUILT_PLATFORMS = [
  'linux-x64-gnu',
  'linux-arm64-gnu',
  'linux-x64-musl',
  'linux-arm64-musl',
  'darwin-x64',
  'darwin-arm64',
  'win32-x64-msvc',
] as const;

/** `code` of {@link NativeBindingError}. */
export const ERR_KINDLING_NATIVE_BINDING = 'ERR_KINDLING_NATIVE_BINDING';

/** No native binary for this platform could be loaded. `cause` is napi-rs's own error. */
export class NativeBindingError extends Error {
  override name = 'NativeBindingError';
  readonly code = ERR_KINDLING_NATIVE_BINDING;
  /** This machine's platform triple, e.g. `linux-x64-gnu`. */
  readonly platform: string;

  /** `candidates`: binaries the loader may have tried (each is diagnosed when it exists). */
  constructor(platform: string, cause: unknown, candidates: readonly string[] = []) {
    super(bindingErrorMessage(platform, cause, candidates));
    this.platform = platform;
    // Assigned rather than passed as `{ cause }` so Node 16.0-16.8 keep it too.
    this.cause = cause;
  }
}

/** Is this Linux process running on musl libc? Node's report header has a glibc version only on glibc. */
function isMusl(): boolean {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return !report?.header?.glibcVersionRuntime;
}

/** The napi-rs platform triple for a platform/arch pair: `linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`. */
export function platformTriple(platform: string = process.platform, arch: string = process.arch, musl?: boolean): string {
  if (platform === 'linux') return `linux-${arch}-${(musl ?? isMusl()) ? 'musl' : 'gnu'}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

function bindingErrorMessage(platform: string, cause: unknown, candidates: readonly string[]): string {
  const prebuilt = (PREBUILT_PLATFORMS as readonly string[]).includes(platform);
  const why = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
  const musl = platform.endsWith('-musl');
  const found = [...new Set([...candidates, ...nodeFilesIn(cause)])]
    .map((file) => diagnoseBinary(file, process.arch, musl))
    .filter((d): d is string => d !== null);
  const wrongBinary = found.length > 0 ? `The binary found is the wrong one: ${found.join('; ')}. ` : '';
  const install = prebuilt
    ? `kindling publishes a prebuilt binary for ${platform} in the package kindling-${platform}, ` +
      `an optional dependency of kindling: reinstall with optional dependencies enabled ` +
      `(\`npm install kindling\` without --omit=optional or --no-optional; if it is still missing, ` +
      `delete node_modules and package-lock.json and install again), or `
    : `kindling has no prebuilt binary for ${platform} (prebuilt: ${PREBUILT_PLATFORMS.join(', ')}); `;
  return (
    `kindling: could not load the native addon for ${platform}. ${wrongBinary}${install}` +
    `build it from source: clone the repository, install a Rust toolchain (https://rustup.rs) and run ` +
    `\`npm install\` (which runs \`npm run build\`). Loader error: ${why}`
  );
}
