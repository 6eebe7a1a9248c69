"""torch.backends.cudnn without cuDNN: the flags exist (and can be set) but do nothing."""
enabled = True
benchmark = False
benchmark_limit = None
deterministic = False
allow_tf32 = True


def is_available():
    return False


def version():
    return None


def is_acceptable(tensor):
    return False
