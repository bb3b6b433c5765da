#!/usr/bin/python3
"""Print the model-card figures from models/results/*.json, the export
metadata models/*.json and the learning-curve logs."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import MODELS


def jl(p):
    p = os.path.join(MODELS, p)
    return json.load(open(p)) if os.path.exists(p) else None


def last_eval(log, key):
    p = os.path.join(MODELS, log)
    best = None
    if os.path.exists(p):
        for line in open(p):
            r = json.loads(line)
            if key in r:
                best = r
    return best


b = jl('results/bicubic.json')
if b:
    r = b['results']
    print('bicubic (protocol check): Set5 %.2f/%.4f  Set14 %.2f/%.4f' % (
        r['Set5']['psnr_y'], r['Set5']['ssim_y'], r['Set14']['psnr_y'], r['Set14']['ssim_y']))
bench = jl('results/bench.json') or []
for kind, name in (('sr', 'dprox-sr-x4'), ('rst', 'dprox-restore')):
    meta, res = jl(name + '.json'), jl('results/%s-ort.json' % kind)
    if not meta:
        continue
    print('\n%s: %s, %d params, %.0f MACs/input px, %.0f KB, iter %d, %.2f h trained (%s weights)' % (
        name, meta['cfg'], meta['params'], meta['macs_per_input_px'], meta['bytes'] / 1024,
        meta['iter'], meta['train_hours'], meta['weights']))
    if res:
        print('  ' + res['source'])
        for k, v in res['results'].items():
            s = '  %-8s PSNR-Y %.2f  SSIM-Y %.4f' % (k, v['psnr_y'], v['ssim_y'])
            if 'gain_db' in v:
                s += '  (input %.2f / %.4f, gain %+.2f dB)' % (v['input_psnr_y'], v['input_ssim_y'], v['gain_db'])
            print(s)
    for x in bench:
        if x['model'].endswith(name + '.onnx'):
            print('  tile %4d: %.2f s/input MP, WASM memory %.1f MB' % (x['tile'], x['s_per_input_mp'], x['wasm_mem_mb']))
    le = last_eval(kind + '-train.jsonl', 'set5_psnr_y' if kind == 'sr' else 'kodak6_jpeg20_gain')
    if le:
        print('  last logged eval: ' + json.dumps(le))
