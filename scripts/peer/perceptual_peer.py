"""PyTorch peer of `liftedgan bench perceptual`: VGG16 up to relu4_3 with random He-initialised frozen weights on a
B x 3 x S x S batch; median milliseconds of a forward pass without gradient and of a forward and backward pass to the
input. Usage: python3 perceptual_peer.py SIZE BATCH REPEATS THREADS. Needs only torch (Debian: python3-torch)."""
import os
import statistics
import sys
import time

import torch
from torch import nn

size, batch, repeats, threads = (int(v) for v in sys.argv[1:5])
torch.set_num_threads(threads)
torch.manual_seed(0)
layers, cin = [], 3
for cout, convs in ((64, 2), (128, 2), (256, 3), (512, 3)):
    if layers:
        layers.append(nn.MaxPool2d(2, 2))
    for _ in range(convs):
        conv = nn.Conv2d(cin, cout, 3, 1, 1)
        nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
        nn.init.zeros_(conv.bias)
        layers += [conv, nn.ReLU()]
        cin = cout
vgg = nn.Sequential(*layers).eval()
for p in vgg.parameters():
    p.requires_grad_(False)
x = torch.rand(batch, 3, size, size)
forward, both = [], []
for r in range(max(1, repeats) + 1):
    with torch.no_grad():
        t = time.perf_counter()
        vgg(x)
        if r:
            forward.append(1000 * (time.perf_counter() - t))
    t = time.perf_counter()
    xi = x.detach().requires_grad_(True)
    vgg(xi).sum().backward()
    if r:
        both.append(1000 * (time.perf_counter() - t))
huge = "huge pages, " if "glibc.malloc.hugetlb=1" in os.environ.get("GLIBC_TUNABLES", "") else ""
print(f"peer PyTorch {torch.__version__} {huge}VGG16 relu4_3 {size} px batch {batch} ({threads} threads, mkldnn "
      f"{torch.backends.mkldnn.is_available()}): forward {statistics.median(forward):.1f} ms, forward + backward "
      f"{statistics.median(both):.1f} ms")
