/**
 * The schema the exporter encodes with: src/onnx/proto/descriptor.ts is what
 * scripts/onnx-proto.js generates from ONNX's published onnx.proto (not edited, not stale), and a
 * `ModelProto` encoded through it decodes back field for field.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeModel, modelProtoType } from '../../src/onnx/proto';

const repo = resolve(__dirname, '../..');

describe('the ONNX schema', () => {
  it('is what scripts/onnx-proto.js generates from onnx.proto', () => {
    const { render, DIR } = require(join(repo, 'scripts', 'onnx-proto.js')) as { render: () => string; DIR: string };
    expect(readFileSync(join(DIR, 'descriptor.ts'), 'utf8')).toBe(render());
  });

  it("keeps ONNX's field numbers (ModelProto.graph 7, GraphProto.initializer 5, TensorProto.raw_data 9)", () => {
    expect(modelProtoType().fields.graph.id).toBe(7);
    expect(modelProtoType().fields.opset_import.id).toBe(8);
    const graph = modelProtoType().lookupType('onnx.GraphProto');
    expect(graph.fields.initializer.id).toBe(5);
    expect(modelProtoType().lookupType('onnx.TensorProto').fields.raw_data.id).toBe(9);
  });

  it('encodes a model that decodes back, and refuses a field of the wrong kind', () => {
    const model = { ir_version: 9, producer_name: 'kindling', graph: { name: 'g', node: [{ op_type: 'Relu', input: ['x'], output: ['y'] }] } };
    const back = modelProtoType().toObject(modelProtoType().decode(encodeModel(model)), { longs: Number }) as typeof model;
    expect(back.ir_version).toBe(9);
    expect(back.graph.node[0]).toEqual({ op_type: 'Relu', input: ['x'], output: ['y'] });
    expect(() => encodeModel({ ir_version: 'nine' })).toThrow(/^onnx\.export: invalid ModelProto: ir_version: integer\|Long expected$/);
  });

  it('is loaded by the first export, not by importing kindling (the built dist/)', () => {
    const script = "require('./dist/index.js'); process.stdout.write(String(Object.keys(require.cache).some((k) => k.includes('protobufjs'))))";
    expect(execFileSync(process.execPath, ['-e', script], { cwd: repo }).toString()).toBe('false');
  });
});
