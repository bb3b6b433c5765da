#!/usr/bin/python3
"""dprox model evaluation (protocol of shared/docs/sr-models.md).

SR x4: HR mod-cropped to 4, LR = MATLAB-style bicubic x1/4 (antialiased),
rounded to uint8; output rounded to uint8; PSNR/SSIM on Y (BT.601,
16-235) with a 4-pixel border crop; the gray Set14 image (bridge) is
scored on its raw values (the model gets it replicated to RGB and the mean
of its three output channels is scored).

Restore x1 on Kodak (24 images): JPEG q20 (PIL, default 4:2:0) and
Gaussian noise sigma 15 added in RGB 0-255 (fixed seed 15), clipped and
rounded to uint8; PSNR/SSIM on Y, no border crop.

Usage:
  evaluate.py bicubic                      # reproduce the bicubic baselines
  evaluate.py sr  --ckpt models/checkpoints/sr.pt [--raw]   # PyTorch path (EMA weights unless --raw)
  evaluate.py sr  --onnx models/dprox-sr-x4.onnx            # onnxruntime-web (Node, 1 thread)
  evaluate.py rst --ckpt models/checkpoints/rst.pt
  evaluate.py rst --onnx models/dprox-restore.onnx
Add --json FILE to write the figures.
"""
import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (REPO, list_images, load_image, mod_crop, imresize, score_y, to_rgb)

ORT_RUN = os.path.join(REPO, 'models', 'train', 'ort-run.mjs')
_cache = {}


def sr_pairs(name, scale=4):
    key = ('sr', name, scale)
    if key not in _cache:
        out = []
        for f in list_images(name):
            hr = mod_crop(load_image(f), scale)
            out.append((os.path.splitext(os.path.basename(f))[0], imresize(hr, 1.0 / scale), hr))
        _cache[key] = out
    return _cache[key]


def rst_pairs(kind, name='Kodak'):
    key = ('rst', kind, name)
    if key not in _cache:
        out = []
        rng = np.random.default_rng(15)
        for f in list_images(name):
            hr = to_rgb(load_image(f))
            if kind == 'jpeg20':
                buf = io.BytesIO()
                Image.fromarray(hr).save(buf, format='JPEG', quality=20)
                deg = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert('RGB'))
            elif kind == 'noise15':
                deg = np.clip(np.round(hr.astype(np.float64) + rng.normal(0, 15, hr.shape)), 0, 255).astype(np.uint8)
            else:
                raise ValueError(kind)
            out.append((os.path.splitext(os.path.basename(f))[0], deg, hr))
        _cache[key] = out
    return _cache[key]


def to_u8(t):
    return np.clip(np.round(t * 255.0), 0, 255).astype(np.uint8)


def torch_runner(model):
    import torch

    def run(img_u8):
        x = torch.from_numpy(np.ascontiguousarray(to_rgb(img_u8))).permute(2, 0, 1)[None].float() / 255.0
        with torch.no_grad():
            y = model(x)
        return to_u8(y[0].permute(1, 2, 0).numpy())
    return run


def ort_run_batch(onnx_path, inputs):
    """Run a list of uint8 HxWx3 images through onnxruntime-web (Node, 1
    thread).  Returns uint8 outputs."""
    d = tempfile.mkdtemp(prefix='dprox-ort-')
    try:
        man = []
        for i, im in enumerate(inputs):
            im = to_rgb(im)
            a = (im.astype(np.float32) / 255.0).transpose(2, 0, 1)
            fn = 'in%03d.bin' % i
            a.tofile(os.path.join(d, fn))
            man.append({'in': fn, 'out': 'out%03d.bin' % i, 'dims': [1, 3, im.shape[0], im.shape[1]]})
        with open(os.path.join(d, 'manifest.json'), 'w') as f:
            json.dump(man, f)
        subprocess.run(['node', ORT_RUN, os.path.abspath(onnx_path), d], check=True, cwd=REPO)
        outs = []
        for m in man:
            with open(os.path.join(d, m['out'] + '.json')) as f:
                dims = json.load(f)['dims']
            a = np.fromfile(os.path.join(d, m['out']), dtype=np.float32).reshape(dims)[0]
            outs.append(to_u8(a.transpose(1, 2, 0)))
        return outs
    finally:
        shutil.rmtree(d, ignore_errors=True)


def score_sets(pairs_by_set, run_one=None, run_batch=None, border=4):
    res = {}
    for sname, pairs in pairs_by_set.items():
        if run_batch is not None:
            outs = run_batch([p[1] for p in pairs])
        else:
            outs = [run_one(p[1]) for p in pairs]
        ps, ss, per = [], [], {}
        for (n, _, hr), o in zip(pairs, outs):
            p, s = score_y(o, hr, border)
            ps.append(p)
            ss.append(s)
            per[n] = round(p, 3)
        res[sname] = {'psnr_y': float(np.mean(ps)), 'ssim_y': float(np.mean(ss)), 'per_image': per}
    return res


def eval_sr_torch(model, sets=('Set5', 'Set14')):
    return score_sets({s: sr_pairs(s) for s in sets}, run_one=torch_runner(model))


def eval_rst_torch(model, kinds=('jpeg20', 'noise15'), limit=None):
    res = {}
    run = torch_runner(model)
    for k in kinds:
        pairs = rst_pairs(k)[:limit] if limit else rst_pairs(k)
        r = score_sets({k: pairs}, run_one=run, border=0)[k]
        base = score_sets({k: pairs}, run_one=lambda x: x, border=0)[k]
        r['input_psnr_y'] = base['psnr_y']
        r['input_ssim_y'] = base['ssim_y']
        r['gain_db'] = r['psnr_y'] - base['psnr_y']
        res[k] = r
    return res


def load_ckpt_model(path, raw=False):
    import torch
    from nets import build
    ck = torch.load(path, map_location='cpu')
    m = build(ck['kind'], ck['cfg'])
    m.load_state_dict(ck['model'] if raw or 'ema' not in ck else ck['ema'])
    m.eval()
    return m, ck


def fmt(res):
    lines = []
    for k, v in res.items():
        s = '%-8s PSNR-Y %.2f dB  SSIM-Y %.4f' % (k, v['psnr_y'], v['ssim_y'])
        if 'gain_db' in v:
            s += '   (input %.2f dB / %.4f, gain %+.2f dB)' % (v['input_psnr_y'], v['input_ssim_y'], v['gain_db'])
        lines.append(s)
    return '\n'.join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('what', choices=['bicubic', 'sr', 'rst'])
    ap.add_argument('--ckpt')
    ap.add_argument('--onnx')
    ap.add_argument('--raw', action='store_true', help='use raw (non-EMA) weights of the checkpoint')
    ap.add_argument('--json')
    a = ap.parse_args()
    import torch
    torch.set_num_threads(int(os.environ.get('DPROX_THREADS', '1')))
    if a.what == 'bicubic':
        res = score_sets({s: sr_pairs(s) for s in ('Set5', 'Set14')}, run_one=lambda lr: imresize(lr, 4))
        src = 'MATLAB-style bicubic x4 (published: Set5 28.42/0.8104, Set14 26.00/0.7027)'
    elif a.onnx:
        src = 'onnxruntime-web 1 thread: ' + os.path.relpath(a.onnx, REPO)
        rb = lambda ims: ort_run_batch(a.onnx, ims)
        if a.what == 'sr':
            res = score_sets({s: sr_pairs(s) for s in ('Set5', 'Set14')}, run_batch=rb)
        else:
            res = {}
            for k in ('jpeg20', 'noise15'):
                pairs = rst_pairs(k)
                r = score_sets({k: pairs}, run_batch=rb, border=0)[k]
                base = score_sets({k: pairs}, run_one=lambda x: x, border=0)[k]
                r.update(input_psnr_y=base['psnr_y'], input_ssim_y=base['ssim_y'], gain_db=r['psnr_y'] - base['psnr_y'])
                res[k] = r
    else:
        m, ck = load_ckpt_model(a.ckpt, a.raw)
        src = 'PyTorch %s (%s weights), iter %d, %.2f h' % (os.path.relpath(a.ckpt, REPO), 'raw' if a.raw else 'EMA', ck['iter'], ck['hours'])
        res = eval_sr_torch(m) if a.what == 'sr' else eval_rst_torch(m)
    print(src)
    print(fmt(res))
    if a.json:
        with open(a.json, 'w') as f:
            json.dump({'source': src, 'results': res}, f, indent=1)


if __name__ == '__main__':
    main()
