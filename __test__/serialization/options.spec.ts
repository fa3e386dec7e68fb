/** Issue #11.4 for checkpoints: `save`/`load` options are checked, not ignored. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '../../src';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kindling-save-options-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('save / load options', () => {
  const file = path.join(dir, 'w.safetensors');
  const state = { w: torch.tensor([1, 2]) };

  it("load(path, { mapLocation: 'cuda' }) / weightsOnly: false throw instead of being ignored", () => {
    torch.save(state, file);
    expect(() => torch.load(file, { mapLocation: 'cuda' } as never)).toThrow(
      new TypeError("load: option 'mapLocation' is not supported by kindling yet (kindling's tensors live on the CPU; use 'cpu')"),
    );
    expect(() => torch.load(file, { weightsOnly: false })).toThrow(
      new TypeError("load: option 'weightsOnly' is not supported by kindling yet (a safetensors checkpoint holds only tensors and JSON values)"),
    );
    expect(() => torch.load(file, { map_location: 'cpu' } as never)).toThrow(
      new TypeError("load got an unexpected option 'map_location' (did you mean 'mapLocation'?)"),
    );
    expect(torch.load(file, { mapLocation: 'cpu', weightsOnly: true }).w.tolist()).toEqual([1, 2]);
  });

  it('loadAsync, save and saveAsync check theirs', async () => {
    await expect(torch.loadAsync(file, { mapLocation: 'meta' } as never)).rejects.toThrow("loadAsync: option 'mapLocation' is not supported");
    expect(() => torch.save(state, file, { pickleProtocol: 2 } as never)).toThrow(new TypeError("save got an unexpected option 'pickleProtocol'"));
    await expect(torch.saveAsync(state, file, { pickle_protocol: 2 } as never)).rejects.toThrow(
      new TypeError("saveAsync got an unexpected option 'pickle_protocol'"),
    );
  });
});
