"""Makes the odd-channel StyleGAN2 parity fixture: official-layout generators whose channel tables are not multiples
of 16, their checkpoints and their outputs, computed by an independent implementation of the official generator
(models/networks_stylegan2.py = rosinality's model.py, written from its specification: per-sample grouped
convolutions, grouped transposed convolution for upsampling, upfirdn2d blur). Run with Debian's python3-torch:

    /usr/bin/python3 tests/LiftedGan.Tests/StyleGan2/OddChannels/make_fixture.py tests/LiftedGan.Tests/StyleGan2/OddChannels \
        ../shared/fixtures/stylegan2

The optional second argument first checks this implementation against the official code's own output (max abs error
4.0e-6 on the 32 px fixture image when this fixture was made, 2026-12-04).

Outputs per table NAME: NAME.pt (a dict with g_ema), NAME_z.npy, NAME_w.npy, NAME_image.npy (stored noise,
float64 computation cast to float32, so no oneDNN kernel is involved).
"""
import math
import sys

import numpy as np
import torch
import torch.nn.functional as F


def make_kernel(k):
    k = torch.tensor(k, dtype=torch.float64)
    k = k[None, :] * k[:, None]
    return k / k.sum()


def upfirdn2d(x, kernel, up=1, down=1, pad=(0, 0)):
    b, c, h, w = x.shape
    if up > 1:
        y = x.new_zeros(b, c, h * up, w * up)
        y[:, :, ::up, ::up] = x
        x = y
    p0, p1 = pad
    x = F.pad(x, [max(p0, 0), max(p1, 0), max(p0, 0), max(p1, 0)])
    x = x[:, :, max(-p0, 0): x.shape[2] - max(-p1, 0), max(-p0, 0): x.shape[3] - max(-p1, 0)]
    k = torch.flip(kernel, [0, 1]).to(x.dtype)[None, None].repeat(c, 1, 1, 1)
    x = F.conv2d(x, k, groups=c)
    return x[:, :, ::down, ::down]


def fused_lrelu(x, bias):
    return F.leaky_relu(x + bias.view(1, -1, *([1] * (x.dim() - 2))), 0.2) * math.sqrt(2)


class Gen:
    """The official generator's forward on a flat state dict (float64)."""

    def __init__(self, sd, size, style_dim, n_mlp, channels, lr_mlp=0.01):
        self.sd, self.size, self.style_dim, self.n_mlp, self.ch, self.lr = sd, size, style_dim, n_mlp, channels, lr_mlp
        self.log_size = int(math.log2(size))
        self.num_layers = (self.log_size - 2) * 2 + 1
        self.blur = make_kernel([1, 3, 3, 1]) * 4

    def linear(self, prefix, x, lr_mul=1.0, act=False):
        w, b = self.sd[prefix + ".weight"], self.sd[prefix + ".bias"]
        y = x @ (w * (lr_mul / math.sqrt(w.shape[1]))).t()
        return fused_lrelu(y, b * lr_mul) if act else y + b * lr_mul

    def mapping(self, z):
        x = z * torch.rsqrt((z * z).mean(1, keepdim=True) + 1e-8)
        for i in range(1, self.n_mlp + 1):
            x = self.linear(f"style.{i}", x, self.lr, act=True)
        return x

    def modconv(self, prefix, x, w, demodulate=True, upsample=False):
        weight = self.sd[prefix + ".weight"]
        _, cout, cin, k, _ = weight.shape
        b = x.shape[0]
        s = self.linear(prefix + ".modulation", w)
        wt = weight * (1 / math.sqrt(cin * k * k)) * s.view(b, 1, cin, 1, 1)
        if demodulate:
            wt = wt * torch.rsqrt(wt.pow(2).sum([2, 3, 4]) + 1e-8).view(b, cout, 1, 1, 1)
        h, wd = x.shape[2], x.shape[3]
        x = x.reshape(1, b * cin, h, wd)
        if upsample:
            wt = wt.transpose(1, 2).reshape(b * cin, cout, k, k)
            out = F.conv_transpose2d(x, wt, padding=0, stride=2, groups=b)
            out = out.view(b, cout, out.shape[2], out.shape[3])
            return upfirdn2d(out, self.blur, pad=(1, 1))
        wt = wt.reshape(b * cout, cin, k, k)
        out = F.conv2d(x, wt, padding=k // 2, groups=b)
        return out.view(b, cout, out.shape[2], out.shape[3])

    def styled(self, prefix, x, w, noise, upsample=False):
        x = self.modconv(prefix + ".conv", x, w, upsample=upsample)
        x = x + self.sd[prefix + ".noise.weight"] * noise
        return fused_lrelu(x, self.sd[prefix + ".activate.bias"])

    def to_rgb(self, prefix, x, w, skip=None):
        out = self.modconv(prefix + ".conv", x, w, demodulate=False) + self.sd[prefix + ".bias"]
        if skip is not None:
            out = out + upfirdn2d(skip, self.blur, up=2, pad=(2, 1))
        return out

    def forward(self, w):
        noise = [self.sd[f"noises.noise_{i}"] for i in range(self.num_layers)]
        out = self.sd["input.input"].repeat(w.shape[0], 1, 1, 1)
        out = self.styled("conv1", out, w, noise[0])
        skip = self.to_rgb("to_rgb1", out, w)
        for j in range(self.log_size - 2):
            out = self.styled(f"convs.{2 * j}", out, w, noise[2 * j + 1], upsample=True)
            out = self.styled(f"convs.{2 * j + 1}", out, w, noise[2 * j + 2])
            skip = self.to_rgb(f"to_rgbs.{j}", out, w, skip)
        return skip


def state_dict(size, style_dim, n_mlp, channels, g):
    """Official key names, order and shapes; weights drawn at unit scale (biases 0.1) so every layer matters."""
    sd = {}

    def rn(*shape, scale=1.0):
        return torch.randn(*shape, generator=g, dtype=torch.float64) * scale

    for i in range(1, n_mlp + 1):
        sd[f"style.{i}.weight"] = rn(style_dim, style_dim, scale=1 / 0.01)
        sd[f"style.{i}.bias"] = rn(style_dim, scale=0.1 / 0.01)
    log_size = int(math.log2(size))
    c4 = channels[4]
    sd["input.input"] = rn(1, c4, 4, 4)

    def styled(prefix, cin, cout, up):
        sd[prefix + ".conv.weight"] = rn(1, cout, cin, 3, 3)
        if up:
            sd[prefix + ".conv.blur.kernel"] = (make_kernel([1, 3, 3, 1]) * 4)
        sd[prefix + ".conv.modulation.weight"] = rn(cin, style_dim)
        sd[prefix + ".conv.modulation.bias"] = 1 + rn(cin, scale=0.1)
        sd[prefix + ".noise.weight"] = rn(1, scale=0.1)
        sd[prefix + ".activate.bias"] = rn(cout, scale=0.1)

    def rgb(prefix, cin, up):
        sd[prefix + ".bias"] = rn(1, 3, 1, 1, scale=0.1)
        if up:
            sd[prefix + ".upsample.kernel"] = make_kernel([1, 3, 3, 1]) * 4
        sd[prefix + ".conv.weight"] = rn(1, 3, cin, 1, 1)
        sd[prefix + ".conv.modulation.weight"] = rn(cin, style_dim)
        sd[prefix + ".conv.modulation.bias"] = 1 + rn(cin, scale=0.1)

    styled("conv1", c4, c4, False)
    rgb("to_rgb1", c4, False)
    cin = c4
    for i in range(3, log_size + 1):
        cout = channels[2 ** i]
        styled(f"convs.{2 * (i - 3)}", cin, cout, True)
        styled(f"convs.{2 * (i - 3) + 1}", cout, cout, False)
        cin = cout
    for i in range(3, log_size + 1):
        rgb(f"to_rgbs.{i - 3}", channels[2 ** i], True)
    for layer in range((log_size - 2) * 2 + 1):
        res = 2 ** ((layer + 5) // 2)
        sd[f"noises.noise_{layer}"] = rn(1, 1, res, res)
    # Order as PyTorch emits it: conv/to_rgb parameters, then noises (close enough for a by-name loader).
    return sd


TABLES = {
    "g16_c20_12_12": (16, 32, 2, {4: 20, 8: 12, 16: 12}),
    "g64_c48_40_24_16_8": (64, 32, 2, {4: 48, 8: 40, 16: 24, 32: 16, 64: 8}),
}


def main(out):
    torch.set_num_threads(1)
    for name, (size, style_dim, n_mlp, channels) in TABLES.items():
        g = torch.Generator().manual_seed(20261204)
        sd = state_dict(size, style_dim, n_mlp, channels, g)
        gen = Gen(sd, size, style_dim, n_mlp, channels)
        z = torch.randn(2, style_dim, generator=g, dtype=torch.float64)
        with torch.no_grad():
            w = gen.mapping(z)
            image = gen.forward(w)
        sd32 = {k: v.float() for k, v in sd.items()}
        args = {"size": size, "latent": style_dim, "n_mlp": n_mlp, "channel_multiplier": 2}
        torch.save({"g_ema": sd32, "args": args}, f"{out}/{name}.pt")
        np.save(f"{out}/{name}_z.npy", z.float().numpy())
        np.save(f"{out}/{name}_w.npy", w.float().numpy())
        np.save(f"{out}/{name}_image.npy", image.float().numpy())
        print(name, "image range", float(image.min()), float(image.max()), "std", float(image.std()))


def check_official(fixtures):
    """This implementation against the official code's own output (shared/fixtures/stylegan2, 32 px, 32 channels)."""
    sd = torch.load(f"{fixtures}/g_small_zip.pt")
    sd = {k: v.double() for k, v in sd.get("g_ema", sd).items()}
    gen = Gen(sd, 32, 64, 2, {r: 32 for r in (4, 8, 16, 32)})
    w = torch.from_numpy(np.load(f"{fixtures}/w.npy")).double()
    ref = torch.from_numpy(np.load(f"{fixtures}/image.npy")).double()
    err = (gen.forward(w) - ref).abs().max().item()
    print("official fixture: image max abs error", err)
    assert err < 1e-4


if __name__ == "__main__":
    # Optional second argument: shared/fixtures/stylegan2, to check this implementation against the official code first.
    if len(sys.argv) > 2:
        check_official(sys.argv[2])
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
