/**
 * The `Summary` protobufs of each add* method, as plain objects (field names as in summary.proto),
 * built as PyTorch's torch/utils/tensorboard/summary.py builds them.
 */
import type { Histogram } from './histogram';
import { encode, HParamsPluginData, TextPluginData } from './proto';

export type SummaryFields = { value: Record<string, unknown>[] };

/** `scalar(name, value)`: the old-style `simple_value` (a float32), which PyTorch writes by default. */
export function scalarSummary(tag: string, value: number): SummaryFields {
  return { value: [{ tag, simple_value: value }] };
}

export function histogramSummary(tag: string, histogram: Histogram): SummaryFields {
  return { value: [{ tag, histo: histogram }] };
}

/**
 * `text(tag, text)`: a one-element DT_STRING tensor under `<tag>/text_summary`, with the text
 * plugin's metadata (its content is TextPluginData version 0, which serializes to no bytes).
 */
export function textSummary(tag: string, text: string): SummaryFields {
  const metadata = { plugin_data: { plugin_name: 'text', content: encode(TextPluginData, { version: 0 }) } };
  const tensor = { dtype: 'DT_STRING', string_val: [Buffer.from(text, 'utf8')], tensor_shape: { dim: [{ size: 1 }] } };
  return { value: [{ tag: `${tag}/text_summary`, metadata, tensor }] };
}

/** A hyperparameter value the hparams plugin can show. */
export type HParamValue = number | string | boolean;

/** The hparams plugin's name, tags and data version (tensorboard/plugins/hparams/metadata.py). */
const HPARAMS_PLUGIN = 'hparams';
const HPARAMS_VERSION = 0;
export const EXPERIMENT_TAG = '_hparams_/experiment';
export const SESSION_START_INFO_TAG = '_hparams_/session_start_info';
export const SESSION_END_INFO_TAG = '_hparams_/session_end_info';

function hparamsSummary(tag: string, data: Record<string, unknown>): SummaryFields {
  const content = encode(HParamsPluginData, { version: HPARAMS_VERSION, ...data });
  return { value: [{ tag, metadata: { plugin_data: { plugin_name: HPARAMS_PLUGIN, content } } }] };
}

/** A google.protobuf.Value holding `v`, and the hparams DataType of it. */
function protoValue(v: HParamValue): { value: Record<string, unknown>; type: string } {
  if (typeof v === 'number') return { value: { number_value: v }, type: 'DATA_TYPE_FLOAT64' };
  if (typeof v === 'string') return { value: { string_value: v }, type: 'DATA_TYPE_STRING' };
  return { value: { bool_value: v }, type: 'DATA_TYPE_BOOL' };
}

/**
 * `hparams(hparam_dict, metric_dict, hparam_domain_discrete)`: the Experiment (the hparams and
 * metric names), SessionStartInfo (this run's values) and SessionEndInfo (STATUS_SUCCESS)
 * summaries, in the order add_hparams writes them. Null values are left out, as PyTorch does.
 */
export function hparamsSummaries(
  hparams: Record<string, HParamValue | null>,
  metricTags: string[],
  domainDiscrete: Record<string, HParamValue[]>,
): [SummaryFields, SummaryFields, SummaryFields] {
  const hparamInfos: Record<string, unknown>[] = [];
  const values: Record<string, Record<string, unknown>> = {};
  for (const [name, v] of Object.entries(hparams)) {
    if (v === null) continue;
    const { value, type } = protoValue(v);
    values[name] = value;
    const info: Record<string, unknown> = { name, type };
    const domain = domainDiscrete[name];
    if (domain !== undefined) info.domain_discrete = { values: domain.map((d) => protoValue(d).value) };
    hparamInfos.push(info);
  }
  const experiment = { hparam_infos: hparamInfos, metric_infos: metricTags.map((tag) => ({ name: { tag } })) };
  return [
    hparamsSummary(EXPERIMENT_TAG, { experiment }),
    hparamsSummary(SESSION_START_INFO_TAG, { session_start_info: { hparams: values } }),
    hparamsSummary(SESSION_END_INFO_TAG, { session_end_info: { status: 'STATUS_SUCCESS' } }),
  ];
}
