"""torch.random: the default generator and its seed and state functions.

tinytensor's random numbers are torch's CPU random numbers, bit for bit: the generator
is the same Mersenne Twister (ctensor/random.c), so after `manual_seed(s)` every sampler
returns what torch returns after `torch.manual_seed(s)`.  Like torch, the default
generator starts from a seed that is random per process.

    import tinytensor as torch
    torch.manual_seed(1234)
    torch.rand(2, 2, 2, 2)          # starts 0.0290, 0.4019, 0.2598, 0.3666, as torch
"""
import contextlib

from tinytensor._C import Generator

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "fork_rng"]

default_generator = Generator()
default_generator.seed()


def manual_seed(seed):
    """Seed the default generator (torch.manual_seed) and return it."""
    return default_generator.manual_seed(int(seed))


def seed():
    """Seed the default generator from the operating system's entropy; returns the seed."""
    return default_generator.seed()


def initial_seed():
    """The seed the default generator was last seeded with."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state: torch's 5056-byte uint8 tensor."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restore the default generator's state from get_rng_state (or torch's bytes)."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type=None):
    """Restore the default generator's state on exit, whatever the block drew."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
