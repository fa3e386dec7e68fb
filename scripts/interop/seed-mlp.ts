/** The seed program's model built from the sources (examples/seed-mlp.ts), for the interop script and tests. */
import { nn } from '../../src';
import { seedMLP } from '../../examples/seed-mlp';

export class MLP extends seedMLP(nn) {}
