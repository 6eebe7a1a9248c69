"""torch's compatibility surface against torch's CPU build: legacy tensor types and
constructors, x.type(), device queries, torch.backends / torch.cuda / torch.version,
and the global flags real code sets for reproducibility."""
import warnings

import numpy as np
import pytest

import tinytensor as tt
from oracle import assert_same, same_error, torch_module

torch = torch_module()

LEGACY = ["FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "LongTensor",
          "IntTensor", "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"]
DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8",
          "uint8", "bool"]


def both(fn):
    """fn(tinytensor), fn(torch)."""
    return fn(tt), fn(torch)


@pytest.mark.parametrize("cls", LEGACY)
@pytest.mark.parametrize("dtype", DTYPES)
def test_isinstance_of_legacy_type_compares_dtype(cls, dtype):
    ours, theirs = both(lambda L: isinstance(L.zeros(2, dtype=getattr(L, dtype)),
                                             getattr(L, cls)))
    assert ours == theirs


def test_legacy_types_are_not_tensor_subclasses():
    for cls in LEGACY:
        assert issubclass(getattr(tt, cls), tt.Tensor) == issubclass(getattr(torch, cls),
                                                                      torch.Tensor)
        assert repr(getattr(tt, cls)) == repr(getattr(torch, cls))
    assert isinstance(tt.nn.Parameter(tt.ones(1)), tt.FloatTensor)


@pytest.mark.parametrize("cls", LEGACY)
@pytest.mark.parametrize("args", [([1, 2],), ([[1.7, 2.0], [0.0, 3.0]],), ((2, 3),),
                                  ([],), ([True, False],)])
def test_legacy_constructor_from_data(cls, args):
    ours, theirs = both(lambda L: getattr(L, cls)(*args))
    assert_same(ours, theirs)


@pytest.mark.parametrize("cls", LEGACY + ["Tensor"])
@pytest.mark.parametrize("args", [(2, 3), (0,), (4,), (), (2, 0, 1)])
def test_legacy_constructor_from_sizes(cls, args):
    ours, theirs = both(lambda L: getattr(L, cls)(*args))
    assert ours.dtype.name == str(theirs.dtype).split(".")[-1]
    assert tuple(ours.shape) == tuple(theirs.shape)


def test_legacy_constructor_from_size_object_numpy_and_device():
    assert both(lambda L: tuple(L.FloatTensor(L.Size([2, 3])).shape)) == ((2, 3),) * 2
    assert_same(*both(lambda L: L.DoubleTensor(np.arange(3.0))))
    assert_same(*both(lambda L: L.LongTensor([1, 2], device="cpu")))
    assert both(lambda L: tuple(L.Tensor(2, 3, device=L.device("cpu")).shape)) == ((2, 3),) * 2


def test_legacy_constructor_of_a_tensor_aliases_it():
    for L in (tt, torch):
        x = L.ones(3, requires_grad=True)
        y = L.FloatTensor(x)
        assert y is not x and y.data_ptr() == x.data_ptr()
        assert type(y.grad_fn).__name__ == "AliasBackward0"
        z = L.Tensor(L.arange(3))              # torch.Tensor keeps any dtype
        assert str(z.dtype).endswith("int64")


def test_legacy_constructor_follows_default_dtype():
    for L in (tt, torch):
        L.set_default_dtype(L.float64)
        try:
            assert str(L.Tensor(2).dtype).endswith("float64")
            assert str(L.Tensor([1]).dtype).endswith("float64")
        finally:
            L.set_default_dtype(L.float32)


@pytest.mark.parametrize("make", [
    lambda L: L.FloatTensor(L.arange(2)),          # another dtype
    lambda L: L.FloatTensor(2, 3.0),
    lambda L: L.FloatTensor("a"),
    lambda L: L.LongTensor(True),
    lambda L: L.FloatTensor(-1),
    lambda L: L.FloatTensor([[1], [2, 3]]),
    lambda L: L.FloatTensor(2, dtype=L.int64),
    lambda L: L.FloatTensor([1], requires_grad=True),
    lambda L: L.Tensor(2, device="cuda"),
    lambda L: L.Tensor(2, dtype=L.int64),
    lambda L: L.Tensor([1], requires_grad=True),
    lambda L: L.FloatTensor(2, device="cuda"),
])
def test_legacy_constructor_errors(make):
    same_error(lambda: make(tt), lambda: make(torch))


@pytest.mark.parametrize("dtype", DTYPES)
def test_type_name_and_casts(dtype):
    ours, theirs = both(lambda L: L.zeros(2, dtype=getattr(L, dtype)))
    assert ours.type() == theirs.type()
    assert tt.typename(ours) == torch.typename(theirs)
    for target in ["torch.DoubleTensor", "torch.ByteTensor"]:
        assert_same(ours.type(target), theirs.type(target))
    for cls in ["LongTensor", "HalfTensor"]:
        assert_same(ours.type(getattr(tt, cls)), theirs.type(getattr(torch, cls)))
    assert_same(ours.type(tt.float64), theirs.type(torch.float64))


def test_type_to_same_dtype_returns_self_and_bad_names_fail():
    x = tt.ones(2)
    assert x.type(tt.float32) is x and x.type("torch.FloatTensor") is x
    same_error(lambda: tt.ones(1).type("foo"), lambda: torch.ones(1).type("foo"))


def test_device_queries():
    for L in (tt, torch):
        x = L.ones(2)
        assert x.get_device() == -1
        assert x.is_pinned() is False
        assert x.is_cuda is False and str(x.device) == "cpu"
        assert x.share_memory_() is x
    same_error(lambda: tt.ones(1).pin_memory(), lambda: torch.ones(1).pin_memory())


def test_new_is_the_legacy_constructor_of_the_dtype():
    for args in [(2, 3), ([1.5, 2],), ()]:
        ours, theirs = both(lambda L: L.ones(2, dtype=L.int64).new(*args))
        assert ours.dtype.name == str(theirs.dtype).split(".")[-1]
        assert tuple(ours.shape) == tuple(theirs.shape)
    assert_same(*both(lambda L: L.ones(2, dtype=L.int64).new([1.5, 2])))
    same_error(lambda: tt.ones(2).new(tt.arange(2)), lambda: torch.ones(2).new(torch.arange(2)))


def test_set_default_tensor_type():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for L in (tt, torch):
            try:
                L.set_default_tensor_type(L.DoubleTensor)
                assert str(L.ones(1).dtype).endswith("float64")
                L.set_default_tensor_type("torch.FloatTensor")
                assert str(L.ones(1).dtype).endswith("float32")
            finally:
                L.set_default_dtype(L.float32)
        for arg in ["LongTensor", "float64", "cuda"]:
            def call(L):
                a = {"LongTensor": L.LongTensor, "float64": L.float64,
                     "cuda": "torch.cuda.FloatTensor"}[arg]
                L.set_default_tensor_type(a)
            same_error(lambda: call(tt), lambda: call(torch))
    assert tt.get_default_dtype() == tt.float32


def test_backends_and_cuda_report_a_cpu_only_build():
    for name in ["is_available", "device_count", "is_initialized", "is_bf16_supported"]:
        assert getattr(tt.cuda, name)() == getattr(torch.cuda, name)()
    assert tt.backends.mps.is_available() == torch.backends.mps.is_available() is False
    assert tt.backends.mps.is_built() == torch.backends.mps.is_built()
    assert tt.backends.cudnn.is_available() == torch.backends.cudnn.is_available()
    assert tt.backends.cudnn.version() == torch.backends.cudnn.version()
    assert tt.backends.cuda.is_built() == torch.backends.cuda.is_built()
    for flag in ["enabled", "benchmark", "deterministic", "allow_tf32"]:
        assert getattr(tt.backends.cudnn, flag) == getattr(torch.backends.cudnn, flag)
    import tinytensor.backends.cudnn as cudnn
    cudnn.deterministic = True              # the usual reproducibility set-up works
    cudnn.deterministic = False
    assert isinstance(tt.backends.openmp.is_available(), bool)
    for name in ["manual_seed", "manual_seed_all"]:
        assert getattr(tt.cuda, name)(0) == getattr(torch.cuda, name)(0)
    for name in ["current_device", "synchronize", "get_device_name"]:
        same_error(getattr(tt.cuda, name), getattr(torch.cuda, name))
    same_error(lambda: tt.ones(1).cuda(), lambda: torch.ones(1).cuda())


def test_version_metadata():
    assert tt.version.__version__ == tt.__version__
    assert isinstance(tt.__version__, str) and tt.__version__.count(".") == 2
    for name in ["cuda", "hip", "debug"]:
        assert getattr(tt.version, name) == getattr(torch.version, name)


def test_constants_and_flags():
    for name in ["pi", "e", "inf"]:
        assert getattr(tt, name) == getattr(torch, name)
    assert np.isnan(tt.nan)
    for L in (tt, torch):
        assert L.are_deterministic_algorithms_enabled() is False
        L.use_deterministic_algorithms(True, warn_only=True)
        assert L.are_deterministic_algorithms_enabled() is True
        assert L.is_deterministic_algorithms_warn_only_enabled() is True
        L.use_deterministic_algorithms(False)
        assert L.get_float32_matmul_precision() == "highest"
        L.set_float32_matmul_precision("high")
        assert L.get_float32_matmul_precision() == "high"
        L.set_float32_matmul_precision("highest")
    assert tt.get_num_interop_threads() >= 1


def test_predicates():
    for make in [lambda L: L.ones(1), lambda L: L.zeros(1, 1), lambda L: L.tensor(True)]:
        assert both(lambda L: L.is_nonzero(make(L)))[0] == both(lambda L: L.is_nonzero(make(L)))[1]
        assert both(lambda L: L.is_complex(make(L))) == (False, False)
        assert both(lambda L: L.is_storage(make(L))) == (False, False)
    for bad in [lambda L: L.is_nonzero(L.ones(2)), lambda L: L.is_nonzero(L.ones(0)),
                lambda L: L.is_nonzero(3), lambda L: L.is_complex(3)]:
        same_error(lambda: bad(tt), lambda: bad(torch))


def test_compile_returns_a_working_model():
    model = tt.nn.Linear(2, 1)
    compiled = tt.compile(model)
    x = tt.ones(3, 2)
    assert_same(compiled(x), model(x))
    assert tt.compile()(model) is model


def test_real_and_imag_of_real_tensors():
    for L in (tt, torch):
        x = L.arange(3.0)
        assert x.real is x and L.real(x) is x
    same_error(lambda: tt.ones(2).imag, lambda: torch.ones(2).imag)
    same_error(lambda: tt.imag(tt.ones(2)), lambda: torch.imag(torch.ones(2)))
    same_error(lambda: tt.real(3), lambda: torch.real(3))


def test_device_as_a_context_manager_sets_the_default_device():
    for L in (tt, torch):
        with L.device("cpu") as d:
            assert d == L.device("cpu") and L.get_default_device() == d
            assert L.zeros(1).device == d
        assert L.get_default_device() == L.device("cpu")

    def zeros_on_cuda(L):
        with L.device("cuda"):              # tinytensor refuses on entering, torch on use
            return L.zeros(1)
    same_error(lambda: zeros_on_cuda(tt), lambda: zeros_on_cuda(torch))
    assert tt.get_default_device() == tt.device("cpu")


CREATION_ON_CUDA = ["zeros(2, device=D)", "ones(2, device=D)", "empty(2, device=D)",
                    "full((2,), 1.0, device=D)", "arange(3, device=D)", "eye(2, device=D)",
                    "linspace(0, 1, 3, device=D)", "logspace(0, 1, 3, device=D)",
                    "tensor([1.0], device=D)", "as_tensor([1.0], device=D)",
                    "randn(2, device=D)", "rand(2, device=D)", "randperm(3, device=D)",
                    "randint(0, 3, (2,), device=D)", "zeros_like(L.ones(2), device=D)",
                    "full_like(L.ones(2), 3, device=D)", "ones(2).new_zeros(2, device=D)",
                    "ones(2).new_full((2,), 1.0, device=D)", "ones(2).new_tensor([1], device=D)",
                    "ones(2).to(D)", "ones(2, device=0)", "device(0)",
                    "scalar_tensor(1.0, device=D)", "tril_indices(3, 3, device=D)",
                    "zeros(2, device='mps')", "zeros(2, device='xpu')", "device('foo')",
                    "ones(2).to('mps')", "ones(2).to(device='xla')", "ones(2).to('xpu')"]


@pytest.mark.parametrize("call", CREATION_ON_CUDA)
def test_every_creation_function_refuses_cuda_as_torch(call):
    same_error(lambda: eval(f"L.{call}", {"L": tt, "D": "cuda"}),
               lambda: eval(f"L.{call}", {"L": torch, "D": "cuda"}))
    if "D" in call:
        assert eval(f"L.{call}", {"L": tt, "D": tt.device("cpu")}).device == tt.device("cpu")


def test_devices_compare_as_torch():
    for L in (tt, torch):
        assert (L.device("cpu") == "cpu") is False and L.device("cpu") != "cpu"
        assert L.device("cpu") == L.device("cpu") and L.device("cuda:1") != L.device("cuda")
        assert {L.device("cpu"): 1}[L.device("cpu")] == 1
