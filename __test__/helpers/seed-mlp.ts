/**
 * The seed program's model built from the sources (examples/seed-mlp.ts, shared by the examples,
 * benchmarks, scripts and tests), for the tests that train or inspect it.
 */
import { nn } from '../../src';
import { seedMLP } from '../../examples/seed-mlp';

export class MLP extends seedMLP(nn) {}
