"""torch.backends.mkldnn (oneDNN): not used by tinytensor."""
enabled = False


def is_available():
    return False
