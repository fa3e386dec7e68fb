import { describe, expect, it } from 'vitest';
import { transforms } from '../../src/vision';
import { Tensor } from '../../src/tensor';

const image = new Tensor(Uint8Array.from([0, 51, 255, 128, 1, 254]), [2, 3], 'uint8');

describe('ToTensor', () => {
  it('turns a uint8 [H, W] image into float32 [1, H, W] in [0, 1], divided in float32', () => {
    const out = transforms.ToTensor()(image);
    expect(out.shape).toEqual([1, 2, 3]);
    expect(out.dtype).toBe('float32');
    expect(Array.from(out.data)).toEqual([0, 51, 255, 128, 1, 254].map((v) => Math.fround(v / 255)));
    expect(out.data[2]).toBe(1);
  });

  it('moves channels first for [H, W, C] images', () => {
    const rgb = new Tensor(Uint8Array.from([255, 0, 0, 0, 255, 0]), [1, 2, 3], 'uint8');
    const out = transforms.ToTensor()(rgb);
    expect(out.shape).toEqual([3, 1, 2]);
    expect(Array.from(out.data)).toEqual([1, 0, 0, 1, 0, 0]);
  });

  it('rejects what is not an image', () => {
    expect(() => transforms.ToTensor()(new Tensor(new Uint8Array(2), [2], 'uint8'))).toThrow(
      'pic should be 2 or 3 dimensional. Got 1 dimensions.',
    );
    expect(() => transforms.ToTensor()(new Tensor(new Int32Array(4), [2, 2], 'int32'))).toThrow(
      'ToTensor: expected a uint8 or float32 image, got int32',
    );
    expect(() => transforms.ToTensor()([1, 2] as unknown as Tensor)).toThrow(TypeError);
  });
});

describe('Normalize', () => {
  it('subtracts the mean and divides by the std, per channel', () => {
    const x = new Tensor(Float32Array.from([1, 2, 3, 4]), [2, 1, 2], 'float32');
    const out = transforms.Normalize([1, 2], [2, 0.5])(x);
    expect(Array.from(out.data)).toEqual([0, 0.5, 2, 4]);
    expect(Array.from(x.data)).toEqual([1, 2, 3, 4]);
    transforms.Normalize([0], [2], true)(x);
    expect(Array.from(x.data)).toEqual([0.5, 1, 1.5, 2]);
  });

  it("rejects non-float input, wrong ranks and a zero std with torchvision's messages", () => {
    expect(() => transforms.Normalize([0], [1])(image)).toThrow('Input tensor should be a float tensor. Got uint8.');
    expect(() => transforms.Normalize([0], [1])(new Tensor(new Float32Array(4), [2, 2], 'float32'))).toThrow(
      'Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = [2, 2]',
    );
    expect(() => transforms.Normalize([0], [0])(new Tensor(new Float32Array(4), [1, 2, 2], 'float32'))).toThrow(
      'std evaluated to zero after conversion to torch.float32, leading to division by zero.',
    );
  });
});

describe('Compose and Lambda', () => {
  it('applies transforms in order', () => {
    const t = transforms.Compose<Tensor, number[]>([transforms.ToTensor(), transforms.Lambda((x: Tensor) => [...x.shape, x.data[2]])]);
    expect(t(image)).toEqual([1, 2, 3, 1]);
  });

  it('rejects a Lambda of something that is not a function', () => {
    expect(() => transforms.Lambda(3 as unknown as () => void)).toThrow("Argument lambd should be callable, got 'number'");
  });

  it('exposes a byte table equal to the transforms it replaces (ToTensor then Normalize)', () => {
    const composed = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.1307], [0.3081])]);
    const table = composed.byteLookup?.();
    expect(table).toBeDefined();
    const all = new Tensor(Uint8Array.from({ length: 256 }, (_, v) => v), [16, 16], 'uint8');
    expect(Array.from(table as Float32Array)).toEqual(Array.from((composed(all) as Tensor).data));
    expect(transforms.Compose([transforms.ToTensor(), transforms.Lambda((x: Tensor) => x)]).byteLookup?.()).toBeUndefined();
  });

  it('refuses positional mistakes with the right call (issue 11: options were ignored)', () => {
    expect(() => transforms.Normalize([0.5], [0.5], { inplace: true } as never)).toThrow(
      new TypeError('Normalize: inplace must be a boolean, as in Normalize(mean, std, true), got object'),
    );
    expect(() => transforms.Compose(transforms.ToTensor() as never)).toThrow(
      new TypeError('Compose: expected a list of transforms, as in Compose([ToTensor(), Normalize(mean, std)]), got function'),
    );
    expect(() => transforms.Compose([transforms.ToTensor(), 3 as never])).toThrow(
      'Compose: expected a list of transforms, as in Compose([ToTensor(), Normalize(mean, std)]), got a list holding function, number 3',
    );
  });
});
