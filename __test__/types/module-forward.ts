/**
 * Type test (issue #11.8), compiled by `tsc -p __test__/types/tsconfig.json` in `npm test`, never
 * run: `Module` is generic over its `forward` signature, so models with several inputs or
 * outputs type-check, `Sequential` stays `Tensor → Tensor`, and unchanged models still compile.
 * Each `@ts-expect-error` is a negative case: the compile fails if the line below it compiles.
 */
import { nn, type Tensor } from '../../src';

/** Unchanged code: no type arguments (Module's default is `Tensor[] → Tensor`). */
class MLP extends nn.Module {
  layers = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
  forward(x: Tensor): Tensor {
    return this.layers.forward(x);
  }
}

/** `forward(x): [Tensor, Tensor]` — TS2416 before Module was generic. */
class TwoHeads extends nn.Module<[Tensor], [Tensor, Tensor]> {
  classes = new nn.Linear(4, 3);
  boxes = new nn.Linear(4, 2);
  forward(x: Tensor): [Tensor, Tensor] {
    return [this.classes.forward(x), this.boxes.forward(x)];
  }
}

/** `forward(x, scale: number)` — TS2416 before Module was generic. */
class Scaled extends nn.Module<[Tensor, number]> {
  forward(x: Tensor, scale: number): Tensor {
    return x.mul(scale);
  }
}

/** Several tensor inputs, an object output. */
class Pair extends nn.Module<[Tensor, Tensor], { sum: Tensor; product: Tensor }> {
  forward(a: Tensor, b: Tensor): { sum: Tensor; product: Tensor } {
    return { sum: a.add(b), product: a.mul(b) };
  }
}

/** Without type arguments a forward of other inputs does not fit the default; the error says so. */
class Unannotated extends nn.Module {
  // @ts-expect-error TS2416: `scale: number` is not a Tensor (write `extends nn.Module<[Tensor, number]>`)
  forward(x: Tensor, scale: number): Tensor {
    return x.mul(scale);
  }
}

export function typeChecks(x: Tensor, target: Tensor): void {
  const mlp = new MLP();
  const y: Tensor = mlp.forward(x);
  const z: Tensor = mlp.call(x);

  const [logits, boxes] = new TwoHeads().forward(x);
  const heads: [Tensor, Tensor] = new TwoHeads().call(x);
  const scaled: Tensor = new Scaled().call(x, 2);
  const { sum, product }: { sum: Tensor; product: Tensor } = new Pair().forward(x, x);

  // Sequential chains Tensor → Tensor modules, built-in or user-defined, and stays Tensor → Tensor.
  const seq = new nn.Sequential(new nn.Linear(4, 4), new nn.ReLU(), new nn.Dropout(0.1), new MLP());
  const out: Tensor = seq.forward(x);
  const first: nn.Module<[Tensor]> | undefined = seq.at(0);
  const named = new nn.Sequential(new Map([['fc', new nn.Linear(4, 4)]]));

  // Containers that only hold modules (ModuleList, addModule) take any signature.
  const list = new nn.ModuleList([new TwoHeads(), new Scaled(), new nn.CrossEntropyLoss(), seq]);
  list.append(new Pair());
  mlp.addModule('heads', new TwoHeads());
  const children: nn.Module[] = mlp.children();

  // Losses take (input, target).
  const loss: Tensor = new nn.CrossEntropyLoss().call(out, target);
  const mse: Tensor = new nn.MSELoss().forward(out, out);

  // @ts-expect-error Sequential takes Tensor → Tensor modules: TwoHeads returns a pair
  new nn.Sequential(new TwoHeads());
  // @ts-expect-error Sequential takes Tensor → Tensor modules: Scaled also needs a number
  new nn.Sequential(new nn.Linear(4, 4), new Scaled());
  // @ts-expect-error Sequential takes Tensor → Tensor modules: a loss needs a target
  new nn.Sequential(new nn.CrossEntropyLoss());
  // @ts-expect-error forward returns a pair, not a Tensor
  const notTensor: Tensor = new TwoHeads().forward(x);
  // @ts-expect-error the scale is required
  new Scaled().call(x);
  // @ts-expect-error the scale is a number
  new Scaled().forward(x, x);
  // @ts-expect-error Sequential's forward takes one Tensor
  seq.forward(x, x);
  // @ts-expect-error a number is not a Tensor
  seq.call(2);
  // @ts-expect-error a loss needs its target
  new nn.CrossEntropyLoss().call(out);
  // @ts-expect-error Linear takes one input
  new nn.Linear(4, 4).forward(x, x);

  void [y, z, logits, boxes, heads, scaled, sum, product, first, named, list, children, loss, mse, notTensor, Unannotated];
}
