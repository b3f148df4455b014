"""Makes the extra checkpoint test files in this folder (run once with Debian's python3-torch 1.13 and numpy 1.24;
the tests never run Python). Values are simple closed forms so the tests can state them."""
import argparse
import collections
import pickle

import numpy as np
import torch

# 1. rosinality-style checkpoint: zip format, pickle protocol 4 (FRAME, MEMOIZE, STACK_GLOBAL, SHORT_BINUNICODE),
#    with an argparse.Namespace and a tuple-keyed dict.
base = torch.arange(12, dtype=torch.float32).reshape(3, 4) / 4
g_ema = collections.OrderedDict()
g_ema["style.1.weight"] = base
g_ema["style.1.bias"] = base[1]            # shares base's storage, offset 4
g_ema["noises.noise_0"] = torch.arange(6, dtype=torch.float64).reshape(1, 1, 2, 3) - 2.5
args = argparse.Namespace(size=256, latent=512, n_mlp=8, channel_multiplier=2, ckpt="550000.pt", lr=0.002,
                          mixing=0.9, augment=False, wandb=None)
obj = {"g_ema": g_ema, "args": args, "iter": 550000, "pairs": {(1, "a"): 5, (2, "b"): (6.5, None)}}
torch.save(obj, "proto4_namespace_zip.pt", pickle_protocol=4)
torch.save(obj, "proto4_namespace_legacy.pt", pickle_protocol=4, _use_new_zipfile_serialization=False)

# 2. LResNet-like `.pth.tar` (really a zip checkpoint) with DataParallel `module.` keys.
sd = collections.OrderedDict()
sd["module.conv1.weight"] = torch.arange(8, dtype=torch.float32).reshape(2, 1, 2, 2)
sd["module.bn1.running_mean"] = torch.tensor([0.5, -0.5])
sd["module.bn1.num_batches_tracked"] = torch.tensor(7)
torch.save({"model_state_dict": sd, "epoch": 3}, "lresnet_like.pth.tar")

# 3. FID statistics like inception_ffhq_cropped_256.pkl: a plain pickle of numpy arrays, protocol 2 and 4.
stats = {
    "mean": np.arange(4, dtype=np.float64) * 0.5,
    "cov": np.asfortranarray(np.arange(16, dtype=np.float64).reshape(4, 4)),
    "size": 50000,
    "path": "ffhq_256",
    "f32": np.array([1.5, -2.0], dtype=np.float32),
    "big_endian": np.array([1, 2, 3], dtype=">i4"),
    "flags": np.array([True, False]),
    "count": np.int64(7),
}
for protocol in (2, 4):
    with open(f"fid_stats_p{protocol}.pkl", "wb") as f:
        pickle.dump(stats, f, protocol=protocol)
