"""Shared helpers for dprox model training and evaluation.

Everything here is written from the published algorithms (MATLAB imresize
semantics, BT.601 luma, SSIM of Wang et al. 2004); no code was copied.

Paths: datasets are read from ../shared/datasets relative to the repository
root (override with DPROX_DATASETS).
"""
import os
import glob
import numpy as np
from PIL import Image

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
MODELS = os.path.join(REPO, 'models')
DATASETS = os.environ.get('DPROX_DATASETS') or os.path.normpath(
    os.path.join(REPO, '..', 'shared', 'datasets'))


# ---------------------------------------------------------------- images
def list_images(name):
    d = os.path.join(DATASETS, name)
    files = sorted(glob.glob(os.path.join(d, '*.png')) + glob.glob(os.path.join(d, '*.bmp')))
    if not files:
        raise FileNotFoundError('no images in ' + d)
    return files


def load_image(path):
    """uint8 HxWxC (C=3) or HxW for single-channel images (kept raw)."""
    im = Image.open(path)
    if im.mode in ('L', 'I;16', 'I'):
        return np.asarray(im.convert('L'))
    return np.asarray(im.convert('RGB'))


def mod_crop(img, m):
    h, w = img.shape[:2]
    return img[:h - h % m, :w - w % m]


# ---------------------------------------------------------------- MATLAB-style imresize
def _cubic(x):
    ax = np.abs(x)
    ax2, ax3 = ax * ax, ax * ax * ax
    return ((1.5 * ax3 - 2.5 * ax2 + 1.0) * (ax <= 1) +
            (-0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0) * ((ax > 1) & (ax <= 2)))


def _contrib(in_len, out_len, scale, antialias=True):
    """Weights/indices for one dimension, following MATLAB's imresize:
    output pixel x (1-based) maps to u = x/scale + 0.5*(1-1/scale); when
    shrinking with antialiasing the cubic kernel is stretched by 1/scale.
    Out-of-range taps are mirrored (symmetric padding)."""
    kw = 4.0
    if scale < 1 and antialias:
        kern = lambda t: scale * _cubic(scale * t)
        kw = kw / scale
    else:
        kern = _cubic
    x = np.arange(1, out_len + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1 - 1 / scale)
    left = np.floor(u - kw / 2)
    p = int(np.ceil(kw)) + 2
    idx = left[:, None] + np.arange(p)[None, :]
    w = kern(u[:, None] - idx)
    w = w / w.sum(axis=1, keepdims=True)
    # symmetric mirror into [1, in_len]
    aux = np.concatenate([np.arange(1, in_len + 1), np.arange(in_len, 0, -1)])
    idx = aux[np.mod(idx.astype(np.int64) - 1, len(aux))] - 1
    keep = np.any(w != 0, axis=0)
    return w[:, keep], idx[:, keep]


def _resize_dim(a, dim, out_len, scale):
    w, idx = _contrib(a.shape[dim], out_len, scale)
    a = np.moveaxis(a, dim, 0)
    out = np.einsum('op,op...->o...', w, a[idx])
    return np.moveaxis(out, 0, dim)


def imresize(img, scale=None, out_hw=None):
    """MATLAB imresize(img, scale, 'bicubic') with antialiasing.
    uint8 in -> uint8 out (rounded); float in -> float out.  Rows are
    resized first, then columns (MATLAB's order for equal scales)."""
    is_u8 = img.dtype == np.uint8
    a = img.astype(np.float64)
    h, w = a.shape[:2]
    if out_hw is None:
        out_hw = (int(np.ceil(h * scale)), int(np.ceil(w * scale)))
        sh = sw = scale
    else:
        sh, sw = out_hw[0] / h, out_hw[1] / w
    order = [0, 1] if sh <= sw else [1, 0]
    for d in order:
        a = _resize_dim(a, d, out_hw[d], sh if d == 0 else sw)
    if is_u8:
        return np.clip(np.round(a), 0, 255).astype(np.uint8)
    return a


def bicubic_upsample_kernel(scale=4, ksize=5):
    """Express MATLAB bicubic xscale upsampling (away from borders) as a
    ksize x ksize LR convolution followed by PixelShuffle(scale): returns
    weights [scale*scale, ksize, ksize] (sub-pixel phase = i*scale+j)."""
    w, idx = _contrib(64, 64 * scale, scale, antialias=False)
    # pick an output row far from the border; taps relative to the LR pixel
    k1 = np.zeros((scale, ksize))
    c = ksize // 2
    base = 32
    for ph in range(scale):
        o = base * scale + ph
        for t in range(w.shape[1]):
            off = idx[o, t] - base
            if w[o, t] != 0:
                assert abs(off) <= c, off
                k1[ph, off + c] += w[o, t]
    k = np.zeros((scale * scale, ksize, ksize))
    for i in range(scale):
        for j in range(scale):
            k[i * scale + j] = np.outer(k1[i], k1[j])
    return k.astype(np.float32)


# ---------------------------------------------------------------- metrics
def rgb2y(img):
    """BT.601 luma in [16,235] (float64) from uint8/float RGB 0..255.
    Single-channel images are returned unchanged (scored on raw values)."""
    a = img.astype(np.float64)
    if a.ndim == 2:
        return a
    return 16.0 + (65.481 * a[..., 0] + 128.553 * a[..., 1] + 24.966 * a[..., 2]) / 255.0


def shave(a, b):
    return a[b:-b, b:-b] if b > 0 else a


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * np.log10(255.0 ** 2 / max(mse, 1e-10))


def _gauss_win(size=11, sigma=1.5):
    x = np.arange(size) - (size - 1) / 2
    g = np.exp(-(x ** 2) / (2 * sigma ** 2))
    g = g / g.sum()
    return g


def _filt_valid(a, g):
    # separable 'valid' correlation
    n = len(g)
    h, w = a.shape
    t = sum(g[i] * a[i:h - n + 1 + i, :] for i in range(n))
    return sum(g[i] * t[:, i:w - n + 1 + i] for i in range(n))


def ssim(a, b):
    """SSIM (Wang et al. 2004): 11x11 Gaussian sigma 1.5, K=(0.01,0.03),
    L=255, 'valid' filtering, mean of the SSIM map."""
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    g = _gauss_win()
    C1, C2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu1, mu2 = _filt_valid(a, g), _filt_valid(b, g)
    s11 = _filt_valid(a * a, g) - mu1 * mu1
    s22 = _filt_valid(b * b, g) - mu2 * mu2
    s12 = _filt_valid(a * b, g) - mu1 * mu2
    m = ((2 * mu1 * mu2 + C1) * (2 * s12 + C2)) / ((mu1 ** 2 + mu2 ** 2 + C1) * (s11 + s22 + C2))
    return float(m.mean())


def score_y(out_u8, hr_u8, border):
    """PSNR/SSIM on Y with a border crop. Gray HR -> output converted to
    gray by taking its luma is not what we want: gray images are scored on
    raw values, so a gray HR is compared with the mean of the output's
    channels if the output is RGB (the model sees gray replicated to RGB
    and returns near-identical channels)."""
    if hr_u8.ndim == 2:
        y_hr = hr_u8.astype(np.float64)
        y_out = out_u8.astype(np.float64)
        if y_out.ndim == 3:
            y_out = np.round(y_out.mean(axis=2))
    else:
        y_hr = rgb2y(hr_u8)
        y_out = rgb2y(out_u8)
    y_hr, y_out = shave(y_hr, border), shave(y_out, border)
    return psnr(y_out, y_hr), ssim(y_out, y_hr)


def to_rgb(img):
    return np.repeat(img[..., None], 3, axis=2) if img.ndim == 2 else img
