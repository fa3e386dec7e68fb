/**
 * `torch.optim`: optimizers and learning-rate schedulers.
 *
 * @example
 * import { optim } from 'kindling';
 * const optimizer = new optim.Adam(model.parameters(), { lr: 1e-4 });
 * const scheduler = new optim.lrScheduler.StepLR(optimizer, { stepSize: 10 });
 */
export { Adam, type AdamOptions, type AdamGroupOptions, type AdamState } from './adam';
export { AdamW } from './adamw';
export {
  Optimizer,
  type BaseGroupOptions,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type Params,
} from './optimizer';
export { SGD, type SGDOptions, type SGDGroupOptions, type SGDState } from './sgd';
export * as lrScheduler from './lr-scheduler';
export { Adadelta, type AdadeltaOptions, type AdadeltaGroupOptions, type AdadeltaState } from './adadelta';
export { Adagrad, type AdagradOptions, type AdagradGroupOptions, type AdagradState } from './adagrad';
export { RMSprop, type RMSpropOptions, type RMSpropGroupOptions, type RMSpropState } from './rmsprop';
