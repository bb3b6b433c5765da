#!/usr/bin/python3
"""Resumable CPU training for the dprox models.

  /usr/bin/python3 models/train/train.py sr  --minutes 45
  /usr/bin/python3 models/train/train.py rst --minutes 15

State lives in models/checkpoints/<kind>.pt (model, EMA model, Adam state,
iteration, cumulative wall hours, config); it is written atomically
(tmp + rename) every --save-min minutes, at the end of the budget and on
SIGTERM/SIGINT.  Re-running the same command resumes from it.  The learning
curve is appended to models/<kind>-train.jsonl: iteration, cumulative wall
hours, mean L1 loss, learning rate and, every --eval-min minutes, PSNR-Y of
the EMA weights (SR: Set5 via PyTorch; restore: JPEG q20 and noise 15 on
six Kodak images).

The learning-rate schedule (linear warm-up, then cosine to lr_min) is
defined in total iterations, so it spans sessions.  Training uses one
thread (torch.set_num_threads(1)); run it under nice.
"""
import argparse
import copy
import json
import math
import os
import signal
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import MODELS
from nets import build, count_macs_per_px

CONFIGS = {
    'sr': dict(model=dict(nf=32, nb=10, scale=4), batch=16, patch=32, lr=1e-3, lr_min=1e-5,
               warmup=2000, total_iters=250000, ema=0.999),
    'rst': dict(model=dict(nf=64, nb=6, down=2), batch=16, patch=64, lr=5e-4, lr_min=1e-5,
                warmup=1000, total_iters=40000, ema=0.999),
}

STOP = False


def _stop(*_):
    global STOP
    STOP = True


def lr_at(it, c):
    if it < c['warmup']:
        return c['lr'] * (it + 1) / c['warmup']
    t = min(1.0, (it - c['warmup']) / max(1, c['total_iters'] - c['warmup']))
    return c['lr_min'] + 0.5 * (c['lr'] - c['lr_min']) * (1 + math.cos(math.pi * t))


def save_atomic(obj, path):
    tmp = path + '.tmp'
    torch.save(obj, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('kind', choices=list(CONFIGS))
    ap.add_argument('--minutes', type=float, default=0, help='wall-clock budget for this run (0 = until total_iters or signal)')
    ap.add_argument('--save-min', type=float, default=5.0)
    ap.add_argument('--eval-min', type=float, default=15.0)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--iters', type=int, default=0, help='stop after this many iterations in this run (sanity runs)')
    ap.add_argument('--ckpt', default=None)
    ap.add_argument('--total-iters', type=int, default=0, help='override (extend) the schedule length of a checkpoint')
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    kind = a.kind
    ckdir = os.path.join(MODELS, 'checkpoints')
    os.makedirs(ckdir, exist_ok=True)
    ckpath = a.ckpt or os.path.join(ckdir, kind + '.pt')
    logpath = os.path.join(MODELS, kind + '-train.jsonl') if not a.ckpt else a.ckpt + '.jsonl'

    if os.path.exists(ckpath):
        ck = torch.load(ckpath, map_location='cpu')
        cfg = ck['train_cfg']
        model = build(kind, ck['cfg'])
        model.load_state_dict(ck['model'])
        ema = copy.deepcopy(model)
        ema.load_state_dict(ck['ema'])
        opt = torch.optim.Adam(model.parameters(), lr=cfg['lr'])
        opt.load_state_dict(ck['opt'])
        it, hours0 = ck['iter'], ck['hours']
        print('resumed %s at iter %d, %.3f h' % (ckpath, it, hours0), flush=True)
    else:
        cfg = dict(CONFIGS[kind])
        torch.manual_seed(0)
        model = build(kind, cfg['model'])
        ema = copy.deepcopy(model)
        opt = torch.optim.Adam(model.parameters(), lr=cfg['lr'])
        it, hours0 = 0, 0.0
        print('new %s model, %d params, %.0f MACs/input px' % (
            kind, sum(p.numel() for p in model.parameters()), count_macs_per_px(model)), flush=True)
    if a.total_iters:
        cfg['total_iters'] = a.total_iters
    for p in ema.parameters():
        p.requires_grad_(False)
    if it >= cfg['total_iters']:
        print('%s: schedule complete (%d/%d iterations)' % (kind, it, cfg['total_iters']), flush=True)
        sys.exit(3)

    if kind == 'sr':
        from data import SRData
        data = SRData(scale=cfg['model']['scale'], seed=int(time.time()))
        from evaluate import eval_sr_torch as _ev

        def evaluate():
            r = _ev(ema, sets=('Set5',))
            return {'set5_psnr_y': round(r['Set5']['psnr_y'], 3)}
    else:
        from data import RSTData
        data = RSTData(seed=int(time.time()))
        from evaluate import eval_rst_torch as _ev

        def evaluate():
            r = _ev(ema, limit=6)
            return {'kodak6_jpeg20_psnr_y': round(r['jpeg20']['psnr_y'], 3),
                    'kodak6_jpeg20_gain': round(r['jpeg20']['gain_db'], 3),
                    'kodak6_noise15_psnr_y': round(r['noise15']['psnr_y'], 3)}

    def state():
        return {'kind': kind, 'cfg': cfg['model'], 'train_cfg': cfg, 'iter': it,
                'hours': hours0 + (time.time() - t_start) / 3600.0,
                'model': model.state_dict(), 'ema': ema.state_dict(), 'opt': opt.state_dict()}

    def log(rec):
        with open(logpath, 'a') as f:
            f.write(json.dumps(rec) + '\n')

    t_start = time.time()
    last_save = last_eval = t_start
    losses = []
    it_start = it
    ema.eval()
    if it == 0:
        log({'iter': 0, 'hours': 0.0, **evaluate()})
    while it < cfg['total_iters'] and not STOP:
        lr = lr_at(it, cfg)
        for g in opt.param_groups:
            g['lr'] = lr
        xs, ys = data.batch(cfg['batch'], cfg['patch'])
        x = torch.from_numpy(xs).permute(0, 3, 1, 2).float().div_(255.0)
        y = torch.from_numpy(ys).permute(0, 3, 1, 2).float().div_(255.0)
        loss = (model(x) - y).abs().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        d = min(cfg['ema'], (1 + it) / (10 + it))
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(d).add_(pm, alpha=1 - d)
        it += 1
        losses.append(loss.item())
        now = time.time()
        done = (a.minutes and now - t_start >= a.minutes * 60) or (a.iters and it - it_start >= a.iters)
        if it % 500 == 0 or done:
            rec = {'iter': it, 'hours': round(hours0 + (now - t_start) / 3600.0, 4),
                   'loss': round(float(np.mean(losses)), 6), 'lr': lr,
                   'it_per_s': round((it - it_start) / (now - t_start), 3)}
            losses = []
            if now - last_eval >= a.eval_min * 60 or done:
                rec.update(evaluate())
                last_eval = time.time()
            log(rec)
            print(json.dumps(rec), flush=True)
        if now - last_save >= a.save_min * 60:
            save_atomic(state(), ckpath)
            last_save = time.time()
        if done:
            break
    save_atomic(state(), ckpath)
    print('saved %s at iter %d' % (ckpath, it), flush=True)


if __name__ == '__main__':
    main()
