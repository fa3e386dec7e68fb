/**
 * `torch.nn`: modules, containers, layers, losses, `functional` and `init`.
 *
 * @example
 * import { nn } from 'kindling';
 * const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
 */
export { ReLU, Sigmoid, Tanh, Softmax, LogSoftmax, type ReLUOptions } from './activation';
export { Dropout, Dropout1d, Dropout2d, type DropoutOptions } from './dropout';
export { Flatten } from './flatten';
export { Identity } from './identity';
export { Linear, type LinearOptions } from './linear';
export { CrossEntropyLoss, NLLLoss, MSELoss, type CrossEntropyLossOptions, type Reduction } from './loss';
export { BCELoss, BCEWithLogitsLoss, L1Loss, SmoothL1Loss, HuberLoss, KLDivLoss, CosineEmbeddingLoss, MarginRankingLoss, TripletMarginLoss, PoissonNLLLoss, GaussianNLLLoss } from './loss2';
export { Module, type AnyModule, type StateDict, type IncompatibleKeys, type NamedMembersOptions } from './module';
export { ModuleList } from './module-list';
export { ModuleDict, type ModuleDictInit } from './module-dict';
export { Parameter } from './parameter';
export { Sequential, type TensorModule } from './sequential';
export * as functional from './functional';
export * as init from './init';
export * as utils from './utils';
export * as parallel from './parallel';
export { LeakyReLU, ELU, SiLU, GELU, Hardtanh, Softplus, type InplaceOptions, type ELUOptions, type GELUOptions, type SoftplusOptions } from './activation';
export { BatchNorm1d, BatchNorm2d, type BatchNormModuleOptions } from './batch-norm';
export { Conv1d, Conv2d, type ConvModuleOptions, type PaddingMode } from './conv';
export { Embedding, type EmbeddingModuleOptions } from './embedding';
export { LayerNorm, RMSNorm, type LayerNormOptions, type RMSNormOptions } from './normalization';
export { TransformerEncoderLayer, TransformerEncoder, type TransformerEncoderLayerOptions, type TransformerEncoderOptions, type TransformerEncoderForwardOptions, type TransformerActivation } from './transformer';
export { MultiheadAttention, NonDynamicallyQuantizableLinear, type MultiheadAttentionOptions, type MultiheadAttentionForwardOptions } from './multihead-attention';
export { MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool2d } from './pooling';
export { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell, type RNNBaseOptions, type RNNOptions, type LSTMOptions, type RNNCellOptions, type RNNNonlinearity } from './rnn';
