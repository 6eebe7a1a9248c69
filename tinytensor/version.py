"""tinytensor's version metadata, laid out as torch.version (no CUDA/ROCm builds)."""
__version__ = "0.1.0"
git_version = "unknown"
debug = False
cuda = None
hip = None
rocm = None
xpu = None
