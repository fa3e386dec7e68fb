#!/usr/bin/env python3
"""Reads TensorBoard event files back with TensorBoard's own reader and prints what it saw as JSON.

    python3 scripts/tensorboard_read.py LOGDIR     # every run under LOGDIR, via EventAccumulator
    python3 scripts/tensorboard_read.py --schema   # field numbers/types of the protos kindling writes

Used by __test__/utils/tensorboard/reader.spec.ts on the files kindling's SummaryWriter writes, and
by scripts/fixtures/make_tensorboard_fixture.py on the files PyTorch's SummaryWriter writes, so
both go through the same reader and the same JSON shape. Needs Python's `tensorboard` package only.
"""

from __future__ import annotations

import json
import os
import sys


def read_run(path):
    from google.protobuf.json_format import MessageToDict
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.plugins.hparams import plugin_data_pb2

    # size_guidance 0: keep every event (the default samples scalars down to 10,000 etc.).
    ea = EventAccumulator(path, size_guidance={k: 0 for k in ("scalars", "histograms", "tensors", "compressedHistograms", "images", "audio")})
    ea.Reload()
    tags = ea.Tags()
    run = {
        "files": sorted(f for f in os.listdir(path) if f.startswith("events.out.tfevents.")),
        "file_version": ea.file_version,
        "scalars": {t: [{"step": e.step, "wall_time": e.wall_time, "value": e.value} for e in ea.Scalars(t)] for t in tags["scalars"]},
        "histograms": {},
        "tensors": {},
        "plugins": {},
    }
    for t in tags["histograms"]:
        run["histograms"][t] = [
            {
                "step": e.step,
                "wall_time": e.wall_time,
                "min": e.histogram_value.min,
                "max": e.histogram_value.max,
                "num": e.histogram_value.num,
                "sum": e.histogram_value.sum,
                "sum_squares": e.histogram_value.sum_squares,
                "bucket_limit": list(e.histogram_value.bucket_limit),
                "bucket": list(e.histogram_value.bucket),
            }
            for e in ea.Histograms(t)
        ]
    for t in tags["tensors"]:
        run["tensors"][t] = [
            {
                "step": e.step,
                "wall_time": e.wall_time,
                "dtype": e.tensor_proto.dtype,
                "shape": [d.size for d in e.tensor_proto.tensor_shape.dim],
                "string_val": [s.decode("utf-8") for s in e.tensor_proto.string_val],
            }
            for e in ea.Tensors(t)
        ]
    for plugin in ("text", "hparams", "scalars"):
        try:
            contents = ea.PluginTagToContent(plugin)
        except KeyError:  # no value of this run has that plugin's metadata
            continue
        if plugin == "hparams":
            run["plugins"][plugin] = {
                t: MessageToDict(plugin_data_pb2.HParamsPluginData.FromString(c), preserving_proto_field_name=True) for t, c in contents.items()
            }
        else:
            run["plugins"][plugin] = {t: c.hex() for t, c in contents.items()}
    return run


def read_logdir(logdir):
    """{run path relative to logdir ('.' for logdir itself): what EventAccumulator read}."""
    runs = {}
    for d, _, files in os.walk(logdir):
        if any(f.startswith("events.out.tfevents.") for f in files):
            runs[os.path.relpath(d, logdir).replace(os.sep, "/")] = read_run(d)
    return dict(sorted(runs.items()))


def schema():
    """{message full name: {field: [number, type, repeated]}} and {enum: {name: number}} from the _pb2 descriptors."""
    from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2
    from tensorboard.plugins.hparams import plugin_data_pb2
    from tensorboard.plugins.text import plugin_data_pb2 as text_pb2

    messages, enums = {}, {}

    def walk(desc):
        messages[desc.full_name] = {f.name: [f.number, f.type, f.is_repeated] for f in desc.fields}
        for e in desc.enum_types:
            enums[e.full_name] = {v.name: v.number for v in e.values}
        for n in desc.nested_types:
            if not n.GetOptions().map_entry:
                walk(n)
        for f in desc.fields:
            if f.message_type is not None and f.message_type.full_name not in messages and not f.message_type.GetOptions().map_entry:
                walk(f.message_type)
            if f.enum_type is not None:
                enums[f.enum_type.full_name] = {v.name: v.number for v in f.enum_type.values}

    for d in (event_pb2.Event, summary_pb2.Summary, tensor_pb2.TensorProto, plugin_data_pb2.HParamsPluginData, text_pb2.TextPluginData):
        walk(d.DESCRIPTOR)
    return {"messages": messages, "enums": enums}


if __name__ == "__main__":
    if sys.argv[1:] == ["--schema"]:
        out = schema()
    elif len(sys.argv) == 2:
        out = read_logdir(sys.argv[1])
    else:
        sys.exit(__doc__)
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
