"""The layer classes of tinytensor.nn, one file per family (as in torch.nn.modules)."""
from tinytensor.nn.modules.module import Module
from tinytensor.nn.modules.container import (Sequential, ModuleList, ModuleDict,
                                             ParameterList, ParameterDict)
from tinytensor.nn.modules.linear import Identity, Linear, Bilinear
from tinytensor.nn.modules.activation import (
    ReLU, ReLU6, LeakyReLU, ELU, SELU, CELU, GELU, SiLU, Mish, Sigmoid, Tanh, Softplus,
    LogSigmoid, Hardtanh, Hardsigmoid, Hardswish, Threshold, Softsign, Tanhshrink, GLU,
    PReLU, Softmax, LogSoftmax, Softmin)
from tinytensor.nn.modules.dropout import Dropout, Dropout1d, Dropout2d, AlphaDropout
from tinytensor.nn.modules.flatten import Flatten, Unflatten
from tinytensor.nn.modules.sparse import Embedding
from tinytensor.nn.modules.normalization import LayerNorm, RMSNorm, GroupNorm
from tinytensor.nn.modules.batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from tinytensor.nn.modules.conv import Conv1d, Conv2d
from tinytensor.nn.modules.pooling import (MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d,
                                           AdaptiveAvgPool1d, AdaptiveAvgPool2d)
from tinytensor.nn.modules.rnn import (RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell,
                                       LSTMCell, GRUCell)
from tinytensor.nn.modules.loss import (L1Loss, MSELoss, SmoothL1Loss, HuberLoss, NLLLoss,
                                        CrossEntropyLoss, BCELoss, BCEWithLogitsLoss,
                                        KLDivLoss, SoftMarginLoss, MarginRankingLoss,
                                        PoissonNLLLoss)
