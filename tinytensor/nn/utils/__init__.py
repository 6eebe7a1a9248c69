"""nn.utils: gradient clipping and parameter/vector conversion.

    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
"""
from tinytensor.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_, get_total_norm
from tinytensor.nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters
from tinytensor.nn.utils import rnn
