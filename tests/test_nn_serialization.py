"""save / load: tensors of every dtype, views, Parameters, state_dicts, optimizer states
and nested containers round-trip; files are torch's format (torch.load reads ours, we read
torch.save's); weights_only refuses arbitrary classes as torch does."""
import io
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import tinytensor as tt
from tinytensor.serialization import save, load
from _nn_oracle import numpy


def roundtrip(obj, **kwargs):
    buf = io.BytesIO()
    save(obj, buf)
    buf.seek(0)
    return load(buf, **kwargs)


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int16", "int32", "int64",
                                   "float16", "bfloat16", "float32", "float64"])
def test_tensor_of_each_dtype(dtype):
    t = tt.tensor([[0, 1, 2], [3, 4, 5]]).to(getattr(tt, dtype))
    back = roundtrip(t)
    assert back.dtype == t.dtype and tuple(back.shape) == (2, 3)
    np.testing.assert_array_equal(numpy(back.float()), numpy(t.float()))


def test_view_saves_only_its_elements():
    base = tt.arange(1000)
    view = base[10:20:3]
    buf = io.BytesIO()
    save(view, buf)
    assert len(buf.getvalue()) < 2000       # the base's 8000 bytes are not written
    buf.seek(0)
    back = load(buf)
    assert back.tolist() == [10, 13, 16, 19] and back.is_contiguous()


def test_parameters_state_dicts_and_containers(tmp_path):
    model = tt.nn.Sequential(tt.nn.Linear(3, 2), tt.nn.BatchNorm1d(2))
    opt = tt.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(tt.ones(4, 3)).sum().backward()
    opt.step()
    obj = {"model": model.state_dict(), "optim": opt.state_dict(), "epoch": 3,
           "history": [1.5, (2, "a")], "p": model[0].weight, "none": None}
    path = tmp_path / "checkpoint.pt"
    save(obj, path)
    back = load(str(path))
    assert isinstance(back["model"], OrderedDict)
    assert list(back["model"]) == list(model.state_dict())
    assert isinstance(back["p"], tt.nn.Parameter) and back["p"].requires_grad
    assert back["epoch"] == 3 and back["history"] == [1.5, (2, "a")]
    fresh = tt.nn.Sequential(tt.nn.Linear(3, 2), tt.nn.BatchNorm1d(2))
    fresh.load_state_dict(back["model"])
    for a, b in zip(fresh.state_dict().values(), model.state_dict().values()):
        np.testing.assert_array_equal(numpy(a), numpy(b))
    opt2 = tt.optim.SGD(fresh.parameters(), lr=0.1, momentum=0.9)
    opt2.load_state_dict(back["optim"])
    assert opt2.state_dict()["param_groups"] == opt.state_dict()["param_groups"]


def test_requires_grad_survives():
    t = tt.ones(2, requires_grad=True)
    assert roundtrip(t).requires_grad


def test_weights_only_refuses_modules_unless_asked():
    model = tt.nn.Linear(2, 2)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        roundtrip(model)
    back = roundtrip(model, weights_only=False)
    assert isinstance(back, tt.nn.Linear)
    np.testing.assert_array_equal(numpy(back.weight), numpy(model.weight))


def test_torch_save_and_load_are_the_package_functions():
    if not hasattr(tt, "save"):
        pytest.skip("tinytensor.save is exported by the package __init__")
    assert tt.save is save and tt.load is load


def test_our_files_load_in_torch(tmp_path):
    torch = pytest.importorskip("torch")
    model = tt.nn.Sequential(tt.nn.Linear(3, 2), tt.nn.BatchNorm1d(2))
    obj = {"sd": model.state_dict(), "p": model[0].weight, "bf": tt.tensor([1.5, -2.25],
                                                                            dtype=tt.bfloat16),
           "view": tt.arange(12).reshape(3, 4)[:, 1], "flags": tt.tensor([True, False]),
           "meta": [1, 2.5, ("x", None)]}
    path = tmp_path / "ours.pt"
    save(obj, path)
    theirs = torch.load(path)          # torch's default weights_only=True accepts it
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    tmodel.load_state_dict(theirs["sd"])
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(tmodel.state_dict()[k].numpy(), numpy(v))
    assert isinstance(theirs["p"], torch.nn.Parameter)
    assert theirs["bf"].dtype == torch.bfloat16 and theirs["bf"].tolist() == [1.5, -2.25]
    assert theirs["view"].tolist() == [1, 5, 9] and theirs["flags"].tolist() == [True, False]
    assert theirs["meta"] == [1, 2.5, ("x", None)]
    assert dict(theirs["sd"]._metadata) == dict(model.state_dict()._metadata)


def test_torch_files_load_here(tmp_path):
    torch = pytest.importorskip("torch")
    tmodel = torch.nn.LSTM(3, 4, num_layers=2)
    path = tmp_path / "theirs.pt"
    torch.save({"sd": tmodel.state_dict(), "w": tmodel.weight_ih_l0,
                "half": torch.tensor([0.5, 2.0], dtype=torch.float16),
                "strided": torch.arange(20).reshape(4, 5).t()[1:3]}, path)
    back = load(path)
    model = tt.nn.LSTM(3, 4, num_layers=2)
    model.load_state_dict(back["sd"])
    for k, v in tmodel.state_dict().items():
        np.testing.assert_array_equal(numpy(model.state_dict()[k]), v.numpy())
    assert isinstance(back["w"], tt.nn.Parameter)
    assert back["half"].dtype == tt.float16
    assert back["strided"].tolist() == torch.arange(20).reshape(4, 5).t()[1:3].tolist()
