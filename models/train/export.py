#!/usr/bin/python3
"""Export a dprox checkpoint (EMA weights) to ONNX: opset 13, input
'input' / output 'output', NCHW float32 RGB in [0,1], dynamic H and W.

  /usr/bin/python3 models/train/export.py sr   # -> models/dprox-sr-x4.onnx
  /usr/bin/python3 models/train/export.py rst  # -> models/dprox-restore.onnx

Also writes models/<name>.json with iteration, hours, params and MACs/px.
"""
import argparse
import json
import os
import sys

import torch
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import MODELS, REPO
from evaluate import load_ckpt_model
from nets import count_macs_per_px

NAMES = {'sr': 'dprox-sr-x4', 'rst': 'dprox-restore'}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('kind', choices=list(NAMES))
    ap.add_argument('--ckpt')
    ap.add_argument('--out')
    ap.add_argument('--raw', action='store_true')
    a = ap.parse_args()
    torch.set_num_threads(1)
    ck = a.ckpt or os.path.join(MODELS, 'checkpoints', a.kind + '.pt')
    out = a.out or os.path.join(MODELS, NAMES[a.kind] + '.onnx')
    m, meta = load_ckpt_model(ck, a.raw)
    x = torch.rand(1, 3, 48, 40)
    tmp = out + '.tmp'
    torch.onnx.export(m, x, tmp, opset_version=13, input_names=['input'], output_names=['output'],
                      dynamic_axes={'input': {2: 'height', 3: 'width'},
                                    'output': {2: 'out_height', 3: 'out_width'}},
                      do_constant_folding=True)
    model = onnx.load(tmp)
    onnx.checker.check_model(model)
    model.doc_string = 'dprox %s: NCHW float32 RGB in [0,1] -> %s; iter %d, %.2f h CPU training' % (
        a.kind, 'x4 upscale' if a.kind == 'sr' else 'same size', meta['iter'], meta['hours'])
    onnx.save(model, tmp)
    os.replace(tmp, out)
    ops = sorted({n.op_type for n in model.graph.node})
    info = {'onnx': os.path.relpath(out, REPO), 'kind': a.kind, 'iter': meta['iter'],
            'train_hours': round(meta['hours'], 3), 'cfg': meta['cfg'],
            'params': sum(p.numel() for p in m.parameters()),
            'macs_per_input_px': count_macs_per_px(m), 'ops': ops,
            'bytes': os.path.getsize(out), 'weights': 'raw' if a.raw else 'EMA'}
    with open(os.path.splitext(out)[0] + '.json', 'w') as f:
        json.dump(info, f, indent=1)
    print(json.dumps(info))


if __name__ == '__main__':
    main()
