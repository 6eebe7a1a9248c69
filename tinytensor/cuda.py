"""torch.cuda on a machine without CUDA: queries answer "none", device calls fail.

Code that checks `torch.cuda.is_available()` or seeds every device runs unchanged; code
that needs a GPU gets torch's AssertionError."""
from tinytensor._device import _no_cuda


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def is_bf16_supported(including_emulation=True):
    return False


def manual_seed(seed):
    """No-op: there is no CUDA generator to seed."""


def manual_seed_all(seed):
    """No-op: there is no CUDA generator to seed."""


def seed():
    """No-op: there is no CUDA generator to seed."""


def seed_all():
    """No-op: there is no CUDA generator to seed."""


def empty_cache():
    """No-op: there is no CUDA memory cache."""


def memory_allocated(device=None):
    return 0


def max_memory_allocated(device=None):
    return 0


def memory_reserved(device=None):
    return 0


def _needs_cuda(*args, **kwargs):
    _no_cuda()


current_device = synchronize = get_device_name = get_device_properties = _needs_cuda
get_device_capability = get_rng_state = set_rng_state = initial_seed = _needs_cuda
mem_get_info = current_stream = set_device = _needs_cuda
