/**
 * The seed program's model (an MLP with Dropout for MNIST), shared by the examples, benchmarks,
 * scripts and tests that train or inspect it, and built from the `nn` of whichever kindling they
 * run: the package (`import { nn } from 'kindling'`) or the sources (`src`), even both in one
 * process (bench/step-overhead.ts). examples/mnist-dropout.ts keeps its own class: it is the seed
 * program, line for line.
 *
 * @example
 * import { nn } from 'kindling';
 * const MLP = seedMLP(nn);
 * const model = new MLP();
 */

/** What the model needs of a kindling build's `nn` (every build's `nn` has it). */
export interface SeedNn<T, ModuleInstance, SequentialInstance extends { forward(x: T): T }> {
  Module: abstract new () => ModuleInstance;
  // `forward(x: T): T` is spelled here too, so that T is inferred from the build's Sequential.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  Sequential: new (...layers: any[]) => SequentialInstance & { forward(x: T): T };
  Flatten: new () => object;
  Linear: new (inFeatures: number, outFeatures: number) => object;
  Dropout: new (p: number) => object;
  ReLU: new () => object;
}

/**
 * The seed model: a Module of that build with the seed's layers. The generic Module's own
 * `forward`/`call` (`Module<unknown[], unknown>` as inferred here) give way to the seed's.
 */
export type SeedMLP<T, ModuleInstance, SequentialInstance> = Omit<ModuleInstance, 'forward' | 'call'> & {
  call(x: T): T;
  layers: SequentialInstance;
  forward(x: T): T;
};

/**
 * `class MLP extends nn.Module` with the seed's layers: Flatten, Linear(784, 64), Dropout(0.5),
 * ReLU, Linear(64, 32), Dropout(0.5), ReLU, Linear(32, 10).
 */
export function seedMLP<T, ModuleInstance extends object, SequentialInstance extends { forward(x: T): T }>(
  nn: SeedNn<T, ModuleInstance, SequentialInstance>,
): new () => SeedMLP<T, ModuleInstance, SequentialInstance> {
  // The build's Module is abstract (forward); this class supplies forward, so it is concrete.
  const Module = nn.Module as unknown as new () => object;
  class MLP extends Module {
    layers = new nn.Sequential(
      new nn.Flatten(),
      new nn.Linear(28 * 28 * 1, 64),
      new nn.Dropout(0.5),
      new nn.ReLU(),
      new nn.Linear(64, 32),
      new nn.Dropout(0.5),
      new nn.ReLU(),
      new nn.Linear(32, 10),
    );

    forward(x: T): T {
      return this.layers.forward(x);
    }
  }
  return MLP as unknown as new () => SeedMLP<T, ModuleInstance, SequentialInstance>;
}
