"""tinytensor.utils: data loading (utils.data), as torch.utils."""
from tinytensor.utils import data
