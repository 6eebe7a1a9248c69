"""nn.Module and containers against torch: registration, naming, state_dict (both ways),
load errors, modes, hooks, conversion, copying and reprs."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import tinytensor as tt
from _nn_oracle import torch, to_torch, numpy

tnn = torch.nn
nn = tt.nn


def build(lib):
    """The same small model in either library."""
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.features = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(),
                                              lib.nn.Linear(8, 8))
            self.heads = lib.nn.ModuleDict({"a": lib.nn.Linear(8, 2), "b": lib.nn.Linear(8, 3)})
            self.norm = lib.nn.BatchNorm1d(8)
            self.scale = lib.nn.Parameter(lib.ones(1))
            self.register_buffer("steps", lib.zeros((), dtype=lib.int64))
            self.register_buffer("cache", lib.zeros(2), persistent=False)

        def forward(self, x):
            h = self.norm(self.features(x))
            return self.heads["a"](h) * self.scale, self.heads["b"](h)
    return Net()


def test_names_and_order_match_torch():
    ours, theirs = build(tt), build(torch)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [tuple(p.shape) for p in ours.parameters()] == \
        [tuple(p.shape) for p in theirs.parameters()]


def test_state_dict_keys_metadata_and_values():
    ours, theirs = build(tt), build(torch)
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert list(sd) == list(tsd)
    assert dict(sd._metadata) == dict(tsd._metadata)
    assert all(not v.requires_grad for v in sd.values())
    assert ours.state_dict(keep_vars=True)["scale"] is ours.scale
    assert list(ours.state_dict(prefix="m.")) == list(theirs.state_dict(prefix="m."))


def test_state_dicts_load_both_ways():
    ours, theirs = build(tt), build(torch)
    # torch -> tinytensor, handing over torch tensors directly (DLPack)
    result = ours.load_state_dict(theirs.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    for k, v in theirs.state_dict().items():
        np.testing.assert_array_equal(numpy(ours.state_dict()[k]), v.numpy())
    # tinytensor -> torch
    with tt.no_grad():
        for p in ours.parameters():
            p.mul_(2)
    theirs.load_state_dict({k: to_torch(v) for k, v in ours.state_dict().items()})
    for k, v in ours.state_dict().items():
        np.testing.assert_array_equal(theirs.state_dict()[k].numpy(), numpy(v))


def test_load_state_dict_errors_match_torch():
    ours, theirs = build(tt), build(torch)
    sd = {k: v for k, v in theirs.state_dict().items() if k != "scale"}
    sd["extra"] = torch.zeros(1)
    sd["features.0.weight"] = torch.zeros(3, 3)
    with pytest.raises(RuntimeError) as expected:
        theirs.load_state_dict(sd)
    with pytest.raises(RuntimeError) as got:
        ours.load_state_dict(sd)
    assert str(got.value) == str(expected.value)
    del sd["features.0.weight"]
    keys = ours.load_state_dict(sd, strict=False)
    assert keys == theirs.load_state_dict(sd, strict=False)


def test_load_state_dict_assign_and_scalar_shapes():
    ours = nn.Linear(2, 1)
    w = tt.zeros(1, 2)
    ours.load_state_dict({"weight": w, "bias": tt.zeros(1)}, assign=True)
    assert isinstance(ours.weight, nn.Parameter) and ours.weight.requires_grad
    assert ours.weight._is_view_of(w)


def test_train_eval_and_requires_grad():
    ours = build(tt)
    ours.eval()
    assert all(not m.training for m in ours.modules())
    ours.train()
    assert all(m.training for m in ours.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        ours.train(1)
    ours.requires_grad_(False)
    assert not any(p.requires_grad for p in ours.parameters())


def test_zero_grad_both_modes():
    m = nn.Linear(3, 2)
    m(tt.ones(1, 3)).sum().backward()
    m.zero_grad(set_to_none=False)
    assert m.weight.grad is not None and float(m.weight.grad.abs().sum()) == 0
    m.zero_grad()
    assert m.weight.grad is None


def test_apply_to_and_double():
    m = build(tt)
    seen = []
    m.apply(lambda mod: seen.append(type(mod).__name__))
    t_seen = []
    build(torch).apply(lambda mod: t_seen.append(type(mod).__name__))
    assert seen == t_seen
    m.double()
    assert all(p.dtype == tt.float64 for p in m.parameters())
    assert m.steps.dtype == tt.int64         # integer buffers keep their dtype
    m.to(tt.float32)
    assert all(p.dtype == tt.float32 for p in m.parameters())
    m.to("cpu")
    with pytest.raises(TypeError):
        m.to(tt.int32)


def test_conversion_converts_values_and_gradients_as_torch():
    ours, theirs = build(tt), build(torch)
    theirs.load_state_dict({k: to_torch(v) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 4))
    for m, L in ((ours, tt), (theirs, torch)):
        m.double()
        sum(y.sum() for y in m(L.tensor(x))).backward()
        m.float()
    for (name, p), (t_name, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == t_name and p.dtype == tt.float32 and p.grad.dtype == tt.float32
        np.testing.assert_array_equal(numpy(p), q.detach().numpy())
        np.testing.assert_allclose(numpy(p.grad), q.grad.numpy(), rtol=1e-6, atol=1e-9)
        assert isinstance(p, nn.Parameter) and p.requires_grad


def test_conversion_keeps_the_parameter_objects_optimizers_hold():
    for L in (torch, tt):
        model = L.nn.Linear(3, 2)
        params = list(model.parameters())
        opt = L.optim.SGD(model.parameters(), lr=0.1)
        model(L.ones(1, 3)).sum().backward()
        grads = [p.grad for p in params]
        model.double()
        assert all(a is b for a, b in zip(params, model.parameters()))
        assert all(p.grad is g and g.dtype == L.float64 for p, g in zip(params, grads))
        opt.zero_grad()
        model(L.ones(1, 3, dtype=L.float64)).sum().backward()
        before = params[0].detach().clone()
        opt.step()
        assert not L.equal(before, params[0].detach())


def test_forward_hooks():
    m = nn.Linear(2, 2)
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 0,))
    h2 = m.register_forward_hook(lambda mod, args, out: calls.append(out) or out + 1)
    out = m(tt.ones(1, 2))
    np.testing.assert_allclose(numpy(out), numpy(m.bias.reshape(1, 2) + 1), rtol=1e-6)
    h1.remove()
    h2.remove()
    m(tt.ones(1, 2))
    assert len(calls) == 1


def test_attribute_errors_match_torch():
    for lib in (tt, torch):
        m = lib.nn.Linear(2, 2)
        with pytest.raises(TypeError, match="cannot assign"):
            m.weight = lib.zeros(2, 2)
        with pytest.raises(AttributeError, match="object has no attribute 'nope'"):
            m.nope

    class NoInit(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(tt.zeros(1))
    with pytest.raises(AttributeError, match="before Module.__init__"):
        NoInit()
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(tt.zeros(1))
    with pytest.raises(KeyError, match="attribute 'weight' already exists"):
        nn.Linear(1, 1).register_buffer("weight", tt.zeros(1))


def test_parameter_is_a_leaf_tensor_with_torch_repr():
    p = nn.Parameter(tt.tensor([1.0, 2.0]))
    tp = tnn.Parameter(torch.tensor([1.0, 2.0]))
    assert repr(p) == repr(tp)
    assert isinstance(p, tt.Tensor) and p.is_leaf and p.requires_grad
    q = nn.Parameter(tt.zeros(2), requires_grad=False)
    assert not q.requires_grad
    assert type(p * 2) is tt.Tensor
    assert repr(nn.Parameter()) == repr(tnn.Parameter())


def test_deepcopy_and_pickle_keep_parameters():
    m = build(tt)
    c = copy.deepcopy(m)
    assert isinstance(c.scale, nn.Parameter)
    assert not c.scale._is_view_of(m.scale)
    np.testing.assert_array_equal(numpy(c.features[0].weight), numpy(m.features[0].weight))
    s = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    r = pickle.loads(pickle.dumps(s))
    assert [n for n, _ in r.named_parameters()] == [n for n, _ in s.named_parameters()]
    assert isinstance(r[0].weight, nn.Parameter)


def test_sequential_behaviour_matches_torch():
    for lib in (tt, torch):
        s = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.ReLU(), lib.nn.Tanh())
        assert len(s) == 3 and isinstance(s[-1], lib.nn.Tanh)
        assert isinstance(s[1:], lib.nn.Sequential) and len(s[1:]) == 2
        del s[1]
        assert [n for n, _ in s.named_children()] == ["0", "1"]
        s.append(lib.nn.Sigmoid())
        s.insert(0, lib.nn.Identity())
        assert [type(m).__name__ for m in s] == ["Identity", "Linear", "Tanh", "Sigmoid"]
        assert len(s + s) == 8
        od = lib.nn.Sequential(OrderedDict([("fc", lib.nn.Linear(1, 1))]))
        assert list(od.state_dict()) == ["fc.weight", "fc.bias"]


def test_module_list_dict_and_parameter_list():
    ml = nn.ModuleList([nn.Linear(1, 1) for _ in range(3)])
    tml = tnn.ModuleList([tnn.Linear(1, 1) for _ in range(3)])
    ml.append(nn.ReLU())
    tml.append(tnn.ReLU())
    assert repr(ml) == repr(tml)
    assert len(ml[:2]) == 2 and len(list(ml.parameters())) == 6
    md = nn.ModuleDict([("x", nn.ReLU()), ("y", nn.Tanh())])
    assert list(md.keys()) == ["x", "y"] and "x" in md
    pl = nn.ParameterList([nn.Parameter(tt.zeros(2)), tt.ones(3)])
    tpl = tnn.ParameterList([tnn.Parameter(torch.zeros(2)), torch.ones(3)])
    assert [n for n, _ in pl.named_parameters()] == [n for n, _ in tpl.named_parameters()]
    assert repr(pl) == repr(tpl)
    pd = nn.ParameterDict({"a": nn.Parameter(tt.zeros(2))})
    assert repr(pd) == repr(tnn.ParameterDict({"a": tnn.Parameter(torch.zeros(2))}))


MODULE_SPECS = [
    ("Linear", (3, 2), {}), ("Linear", (3, 2), {"bias": False}), ("Identity", (), {}),
    ("ReLU", (), {}), ("ReLU", (), {"inplace": True}), ("LeakyReLU", (0.2, True), {}),
    ("ELU", (), {"alpha": 0.5}), ("GELU", ("tanh",), {}), ("SiLU", (), {}),
    ("Sigmoid", (), {}), ("Tanh", (), {}), ("Softmax", (), {"dim": 1}), ("Softmax", (), {}),
    ("LogSoftmax", (1,), {}), ("Dropout", (), {}), ("Dropout", (0.3, True), {}),
    ("Dropout2d", (), {}), ("Embedding", (10, 3), {}),
    ("Embedding", (10, 3), {"padding_idx": 0, "max_norm": 1.0}), ("LayerNorm", (4,), {}),
    ("LayerNorm", ((2, 3),), {"elementwise_affine": False}), ("BatchNorm1d", (4,), {}),
    ("BatchNorm2d", (3,), {"momentum": None, "affine": False}), ("GroupNorm", (2, 4), {}),
    ("RMSNorm", (4,), {}), ("RMSNorm", ((2, 3),), {"eps": 1e-4, "elementwise_affine": False}),
    ("Conv1d", (2, 3, 3), {}), ("Conv2d", (1, 4, 3), {"stride": 2, "padding": 1}),
    ("Conv2d", (2, 4, (3, 5)), {"padding": "same", "bias": False, "groups": 2,
                                "dilation": 2, "padding_mode": "reflect"}),
    ("MaxPool2d", (2,), {}), ("MaxPool2d", (3, 1, 1), {"ceil_mode": True}),
    ("MaxPool1d", (2,), {}), ("AvgPool2d", (2,), {}), ("AvgPool1d", (3,), {}),
    ("AdaptiveAvgPool2d", ((1, 1),), {}), ("AdaptiveAvgPool2d", (5,), {}),
    ("Flatten", (), {}), ("Unflatten", (1, (2, 2)), {}), ("RNN", (3, 4), {}),
    ("LSTM", (3, 4), {"num_layers": 2, "bidirectional": True, "batch_first": True,
                      "dropout": 0.5}),
    ("GRU", (3, 4), {"bias": False}), ("RNNCell", (3, 4), {}),
    ("RNNCell", (3, 4), {"nonlinearity": "relu"}), ("LSTMCell", (3, 4), {}),
    ("GRUCell", (3, 4), {"bias": False}), ("MSELoss", (), {}), ("CrossEntropyLoss", (), {}),
    ("NLLLoss", (), {}), ("BCELoss", (), {}), ("BCEWithLogitsLoss", (), {}),
    ("L1Loss", (), {}), ("SmoothL1Loss", (), {}), ("HuberLoss", (), {}),
    ("Hardtanh", (), {}), ("ReLU6", (), {}), ("Softplus", (), {}), ("Threshold", (0.1, 20), {}),
    ("Mish", (), {}), ("Hardswish", (), {}), ("SELU", (), {}), ("CELU", (), {}),
    ("LogSigmoid", (), {}), ("Softsign", (), {}), ("Softmin", (1,), {}), ("PReLU", (), {}),
    ("Bilinear", (2, 3, 4), {}), ("KLDivLoss", (), {}),
]


@pytest.mark.parametrize("name,args,kwargs", MODULE_SPECS,
                         ids=[f"{s[0]}-{i}" for i, s in enumerate(MODULE_SPECS)])
def test_repr_and_parameters_match_torch(name, args, kwargs):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = getattr(nn, name)(*args, **kwargs)
        theirs = getattr(tnn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_nested_repr_matches_torch():
    def make(lib):
        return lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU(),
                                 lib.nn.Sequential(lib.nn.Linear(3, 3)),
                                 lib.nn.ModuleList([lib.nn.Tanh(), lib.nn.Tanh()]))
    assert repr(make(tt)) == repr(make(torch))
    assert repr(build(tt)) == repr(build(torch))
