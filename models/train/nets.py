"""dprox network definitions (written for this project).

SR  (DSR-x4): plain 3x3-conv body on the LR grid, PReLU, sub-pixel output
    (PixelShuffle x4), plus a learnable 5x5 linear skip initialised to the
    exact MATLAB bicubic x4 interpolation, so training starts at the
    bicubic baseline and the body only learns the residual detail.
RST (DRST-x1): pixel-unshuffle x2 -> plain 3x3-conv body at half
    resolution -> pixel-shuffle x2, plus a global identity residual.

Both take NCHW float32 RGB in [0,1] and export to plain Conv/PRelu/Add/
DepthToSpace(/SpaceToDepth) ONNX graphs.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from common import bicubic_upsample_kernel


def count_macs_per_px(model, scale_in=1.0, hw=64):
    """MACs per input pixel, counted with hooks on Conv2d layers."""
    macs = [0]

    def hook(m, i, o):
        k = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
        macs[0] += o.numel() * k

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        model(torch.zeros(1, 3, hw, hw))
    for h in hs:
        h.remove()
    return macs[0] / (hw * hw)


class DSR(nn.Module):
    def __init__(self, nf=32, nb=10, scale=4):
        super().__init__()
        self.scale = scale
        c_out = 3 * scale * scale
        self.head = nn.Conv2d(3, nf, 3, padding=1)
        self.acts = nn.ModuleList([nn.PReLU(nf) for _ in range(nb + 1)])
        self.body = nn.ModuleList([nn.Conv2d(nf, nf, 3, padding=1) for _ in range(nb)])
        self.tail = nn.Conv2d(nf, c_out, 3, padding=1)
        # 5x5 linear skip, replicate-padded like MATLAB's border handling
        self.skip = nn.Conv2d(3, c_out, 5, padding=2, padding_mode='replicate')
        self.shuffle = nn.PixelShuffle(scale)
        self.nf, self.nb = nf, nb
        self._init_skip()
        nn.init.zeros_(self.tail.weight)
        nn.init.zeros_(self.tail.bias)

    def _init_skip(self):
        k = torch.from_numpy(bicubic_upsample_kernel(self.scale, 5))
        w = torch.zeros_like(self.skip.weight)
        s2 = self.scale * self.scale
        for c in range(3):
            w[c * s2:(c + 1) * s2, c] = k
        with torch.no_grad():
            self.skip.weight.copy_(w)
            self.skip.bias.zero_()

    def forward(self, x):
        f = self.acts[0](self.head(x))
        h = f
        for conv, act in zip(self.body, self.acts[1:]):
            h = act(conv(h))
        out = self.tail(h + f) + self.skip(x)
        return self.shuffle(out)


class DRST(nn.Module):
    """x1 restoration at 1/2 resolution (pixel-unshuffle x2)."""

    def __init__(self, nf=64, nb=8, down=2):
        super().__init__()
        c = 3 * down * down
        self.down = down
        self.unshuffle = nn.PixelUnshuffle(down)
        self.head = nn.Conv2d(c, nf, 3, padding=1)
        self.acts = nn.ModuleList([nn.PReLU(nf) for _ in range(nb + 1)])
        self.body = nn.ModuleList([nn.Conv2d(nf, nf, 3, padding=1) for _ in range(nb)])
        self.tail = nn.Conv2d(nf, c, 3, padding=1)
        self.shuffle = nn.PixelShuffle(down)
        self.nf, self.nb = nf, nb
        nn.init.zeros_(self.tail.weight)
        nn.init.zeros_(self.tail.bias)

    def forward(self, x):
        z = self.unshuffle(x)
        f = self.acts[0](self.head(z))
        h = f
        for conv, act in zip(self.body, self.acts[1:]):
            h = act(conv(h))
        return x + self.shuffle(self.tail(h + f))


def build(kind, cfg):
    if kind == 'sr':
        return DSR(**cfg)
    if kind == 'rst':
        return DRST(**cfg)
    raise ValueError(kind)
