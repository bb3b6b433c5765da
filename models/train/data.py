"""Training data: T91 + BSD200 preloaded as uint8 arrays.

SR: every HR image (and down-scaled copies of it, for scale augmentation)
is mod-cropped to 4 and its LR counterpart is made once with the same
MATLAB-style bicubic x1/4 used by the evaluation.  Patches are aligned
LR/HR crops with a random dihedral transform (flips and 90-degree
rotations commute with this symmetric resize on mod-4 images).

RST: random HR crops degraded on the fly: mild Gaussian blur, Gaussian
noise sigma 0-25, JPEG q 10-90 (PIL, 4:2:0 as PIL's default).
The LR cache is written under /tmp (never into the repository).
"""
import io
import os
import time
import numpy as np
from PIL import Image, ImageFilter

from common import list_images, load_image, mod_crop, imresize, to_rgb

TRAIN_SETS = ['train/T91', 'train/BSD200']
CACHE = os.environ.get('DPROX_CACHE', '/tmp/dprox-train-cache')
# Training images that are (crops of) evaluation images: BSD200/302003 is the
# source of Set5 'woman' (found by a thumbnail near-duplicate search over
# Set5/Set14/Kodak against T91+BSD200, see models/README.md). Excluded.
EXCLUDE = {'BSD200/302003.png'}


def load_train_images():
    ims = []
    for s in TRAIN_SETS:
        for f in list_images(s):
            if '/'.join(f.split(os.sep)[-2:]) in EXCLUDE:
                continue
            ims.append(to_rgb(load_image(f)))
    return ims


def _dihedral(a, k):
    # a: HxWxC ; k in 0..7
    if k & 4:
        a = a[:, ::-1]
    return np.rot90(a, k & 3)


class SRData:
    def __init__(self, scale=4, aug_scales=(1.0, 0.85, 0.7, 0.55), seed=0):
        os.makedirs(CACHE, exist_ok=True)
        path = os.path.join(CACHE, 'sr_x%d_n%d_%s.npz' % (scale, len(EXCLUDE), '_'.join('%g' % s for s in aug_scales)))
        self.scale = scale
        if os.path.exists(path):
            z = np.load(path, allow_pickle=True)
            self.hr, self.lr = list(z['hr']), list(z['lr'])
        else:
            t = time.time()
            self.hr, self.lr = [], []
            for im in load_train_images():
                for s in aug_scales:
                    h = im if s == 1.0 else imresize(im, s)
                    h = mod_crop(h, scale)
                    if min(h.shape[:2]) < 64 * scale // 2:
                        continue
                    self.hr.append(h)
                    self.lr.append(imresize(h, 1.0 / scale))
            tmp = path + '.tmp.npz'
            np.savez(tmp, hr=np.array(self.hr, dtype=object), lr=np.array(self.lr, dtype=object))
            os.replace(tmp, path)
            print('built SR cache (%d images) in %.0f s' % (len(self.hr), time.time() - t), flush=True)
        areas = np.array([l.shape[0] * l.shape[1] for l in self.lr], dtype=np.float64)
        self.p = areas / areas.sum()
        self.rng = np.random.default_rng(seed)

    def batch(self, n, ps):
        s = self.scale
        xs = np.empty((n, ps, ps, 3), np.uint8)
        ys = np.empty((n, ps * s, ps * s, 3), np.uint8)
        idx = self.rng.choice(len(self.lr), size=n, p=self.p)
        for b, i in enumerate(idx):
            lr, hr = self.lr[i], self.hr[i]
            y0 = self.rng.integers(0, lr.shape[0] - ps + 1)
            x0 = self.rng.integers(0, lr.shape[1] - ps + 1)
            k = int(self.rng.integers(0, 8))
            xs[b] = _dihedral(lr[y0:y0 + ps, x0:x0 + ps], k)
            ys[b] = _dihedral(hr[y0 * s:(y0 + ps) * s, x0 * s:(x0 + ps) * s], k)
        return xs, ys


def degrade(img, rng):
    """Synthetic restoration degradation of a uint8 RGB patch."""
    out = img
    r = rng.random()
    if r < 0.08:
        return out.copy()  # keep some clean examples: the model must not harm clean input
    if rng.random() < 0.25:
        sig = rng.uniform(0.3, 1.2)
        out = np.asarray(Image.fromarray(out).filter(ImageFilter.GaussianBlur(radius=sig)))
    if rng.random() < 0.6:
        sigma = rng.uniform(0, 25)
        out = np.clip(np.round(out.astype(np.float32) + rng.normal(0, sigma, out.shape)), 0, 255).astype(np.uint8)
    if rng.random() < 0.7:
        q = int(rng.integers(10, 91))
        buf = io.BytesIO()
        Image.fromarray(out).save(buf, format='JPEG', quality=q)
        out = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert('RGB'))
    return out


class RSTData:
    def __init__(self, seed=1):
        self.ims = load_train_images()
        areas = np.array([a.shape[0] * a.shape[1] for a in self.ims], dtype=np.float64)
        self.p = areas / areas.sum()
        self.rng = np.random.default_rng(seed)

    def batch(self, n, ps):
        xs = np.empty((n, ps, ps, 3), np.uint8)
        ys = np.empty((n, ps, ps, 3), np.uint8)
        idx = self.rng.choice(len(self.ims), size=n, p=self.p)
        for b, i in enumerate(idx):
            im = self.ims[i]
            y0 = self.rng.integers(0, im.shape[0] - ps + 1)
            x0 = self.rng.integers(0, im.shape[1] - ps + 1)
            k = int(self.rng.integers(0, 8))
            clean = np.ascontiguousarray(_dihedral(im[y0:y0 + ps, x0:x0 + ps], k))
            ys[b] = clean
            xs[b] = degrade(clean, self.rng)
        return xs, ys
