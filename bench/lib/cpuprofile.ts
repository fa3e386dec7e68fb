/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time per function, so hot spots can
 * be named as file:function with their µs per step.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface HotSpot {
  where: string;
  selfMs: number;
  share: number;
}

function shortUrl(url: string, root: string): string {
  if (!url) return '(native/V8)';
  const file = url.startsWith('file://') ? url.slice('file://'.length) : url;
  return file.startsWith(root) ? path.relative(root, file) : file;
}

export function hotSpots(file: string, root: string, top = 25): { spots: HotSpot[]; totalMs: number } {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    totalUs += dt;
    const node = byId.get(id);
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${shortUrl(url, root)}:${lineNumber + 1} ${functionName || '(anonymous)'}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  const spots = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, us]) => ({ where, selfMs: us / 1e3, share: us / totalUs }));
  return { spots, totalMs: totalUs / 1e3 };
}
