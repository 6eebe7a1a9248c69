"""Optimizer: the base class holding param_groups and per-parameter state, as torch's.

`param_groups` is a list of dicts (the params plus their hyperparameters, defaults filled
in); `state` maps each parameter to a dict of buffers (step, momentum, ...).  state_dict()
replaces parameters by their index, so a saved optimizer loads into a new model, and it
has torch's layout, so torch's saved optimizer states load here (and back).

    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss.backward(); opt.step(); opt.zero_grad()
"""
import functools
from collections import OrderedDict, defaultdict
from copy import deepcopy
from itertools import chain

from tinytensor import _C
from tinytensor.autograd.grad_mode import enable_grad
from tinytensor.autograd.hooks import RemovableHandle

__all__ = ["Optimizer", "required", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook"]


class _RequiredParameter:
    """Singleton class representing a required parameter for an Optimizer."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

_global_pre_hooks = OrderedDict()
_global_post_hooks = OrderedDict()


def register_optimizer_step_pre_hook(hook):
    """Call hook(optimizer, args, kwargs) before every optimizer's step."""
    return RemovableHandle(_global_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """Call hook(optimizer, args, kwargs) after every optimizer's step."""
    return RemovableHandle(_global_post_hooks, hook)


def _typename(obj):
    return obj.type() if isinstance(obj, _C.TensorBase) else type(obj).__name__


def _scalar_dtype():
    """The dtype of the 0-d `step` tensors: float64 if that is the default, else float32."""
    return _C.float64 if _C.get_default_dtype() == _C.float64 else _C.float32


def _step_tensor(value=0.0):
    from tinytensor._creation import tensor
    return tensor(float(value), dtype=_scalar_dtype())


def _grad_of(p):
    """p.grad, read directly for a leaf (the property only adds the non-leaf warning)."""
    return p._grad if p._grad_fn is None else p.grad


def _value(x):
    """A Python number for a 0-d tensor (a step count, an lr given as a tensor), else x."""
    return x.item() if isinstance(x, _C.TensorBase) else x


def _hyper(x):
    """lr or a beta as torch keeps it: a 0-d tensor if given as a tensor (so step sizes are
    computed in its dtype, e.g. float32), else the number; `_value` it where it is used."""
    return x.reshape(()) if isinstance(x, _C.TensorBase) and x.dim() != 0 else x


def _as_tensor(value):
    """A tinytensor tensor for a torch (or other DLPack) tensor; None if not a tensor."""
    if isinstance(value, _C.TensorBase):
        return value
    if hasattr(value, "__dlpack__") and hasattr(value, "detach"):
        from tinytensor._creation import from_dlpack
        return from_dlpack(value.detach()).clone()
    return None


def _wrap_step(step):
    """Run step without recording a graph (unless differentiable), between the hooks."""
    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        for hook in chain(_global_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"{step} must return None or a tuple of (new_args, "
                                       f"new_kwargs), but got {result}.")
                args, kwargs = result
        prev = _C._set_grad_enabled(bool(self.defaults.get("differentiable", False)))
        try:
            out = step(self, *args, **kwargs)
        finally:
            _C._set_grad_enabled(prev)
        for hook in chain(self._optimizer_step_post_hooks.values(),
                          _global_post_hooks.values()):
            hook(self, args, kwargs)
        return out
    wrapper._hooked = True
    return wrapper


class Optimizer:
    """Base class for all optimizers (torch.optim.Optimizer)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_hooked", False):
            cls.step = _wrap_step(step)

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        if isinstance(params, _C.TensorBase):
            raise TypeError("params argument given to the optimizer should be an iterable "
                            "of Tensors or dicts, but got " + _typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                self.__dict__[name] = OrderedDict()
        self.defaults.setdefault("differentiable", False)

    def __repr__(self):
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"

    def step(self, closure=None):
        """Update every parameter that has a gradient; returns closure's loss if given.

        The loop all of torch's single-tensor algorithms share: a parameter's first step
        makes its state (a 0-d `step`, then _new_state's buffers); every step counts it,
        negates the gradient under maximize and calls _update (each optimizer's math)."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            maximize = group["maximize"]
            for p in group["params"]:
                grad = _grad_of(p)
                if grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = _step_tensor()
                    state.update(self._new_state(p, group))
                state["step"].add_(1)
                if group.get("capturable") or group.get("foreach"):
                    self._check_step_flags(group)
                self._update(p, -grad if maximize else grad, state, group)
        return loss

    # torch's wording when capturable=True meets CPU tensors (each optimizer names its own)
    _capturable_tensors = "params and state_steps"
    _capturable_devices = "['cuda', 'xpu', 'hpu', 'privateuseone', 'xla']"

    def _check_step_flags(self, group):
        """torch's step-time assertions: capturable needs an accelerator (unless fused), and
        the foreach kernels do not record autograd (differentiable)."""
        if group.get("capturable") and not group.get("fused"):
            raise AssertionError(f"If capturable=True, {self._capturable_tensors} must be on "
                                 f"supported devices: {self._capturable_devices}.")
        if group.get("foreach") and group.get("differentiable"):
            raise AssertionError("_foreach ops don't support autograd")

    def _new_state(self, p, group):
        """The buffers (besides `step`) of p's state, made on its first step."""
        return {}

    def _update(self, p, grad, state, group):
        """Update p in place from grad and state (under no_grad)."""
        raise NotImplementedError

    def _closure_loss(self, closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # ---- hooks --------------------------------------------------------------------------------
    def register_step_pre_hook(self, hook):
        return RemovableHandle(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        return RemovableHandle(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        return RemovableHandle(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        return RemovableHandle(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        return RemovableHandle(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        return RemovableHandle(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ---- state_dict -----------------------------------------------------------------------------
    def state_dict(self):
        """{'state': {index: buffers}, 'param_groups': [group with params as indices]}."""
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        mapping = {}
        start = 0

        def pack_group(group):
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            mapping.update({id(p): i for i, p in enumerate(group["params"], start)
                            if id(p) not in mapping})
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(mapping[id(k)] if isinstance(k, _C.TensorBase) else k): v
                        for k, v in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": param_groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _cast_state(param, value, key=None):
        """A copy of a saved state value for param: tensors take param's float dtype."""
        tensor = _as_tensor(value)
        if tensor is not None:
            if key == "step":
                return tensor
            return tensor.to(param.dtype) if param.is_floating_point() else tensor
        if isinstance(value, dict):
            return {k: Optimizer._cast_state(param, v, k) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(Optimizer._cast_state(param, v) for v in value)
        return value

    def load_state_dict(self, state_dict):
        """Load a state_dict() (of this optimizer type, for parameters in the same order)."""
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't "
                             "match the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = self._cast_state(param, v)
            else:
                state[k] = v
        param_groups = []
        for group, new_group in zip(groups, saved_groups):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            param_groups.append(new_group)
        self.__setstate__({"state": state, "param_groups": param_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)

    # ---- gradients and groups --------------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors (to None by default)."""
        for group in self.param_groups:
            for p in group["params"]:
                # _grad_of(p), inlined: this loop runs every training step
                if (p._grad if p._grad_fn is None else p.grad) is not None:
                    if set_to_none:
                        p._grad = None
                    else:
                        if p.grad.grad_fn is not None:
                            p.grad.detach_()
                        else:
                            p.grad.requires_grad_(False)
                        p.grad.zero_()

    def add_param_group(self, param_group):
        """Add a group of parameters with its own hyperparameters (defaults fill the rest)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, _C.TensorBase):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered "
                            "collections, but the ordering of tensors in sets will change "
                            "between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)
        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some "
                                 "param names are missing")
            param_group["param_names"] = names
        for param in param_group["params"]:
            if not isinstance(param, _C.TensorBase):
                raise TypeError("optimizer can only optimize Tensors, but one of the params "
                                "is " + _typename(param))
            if not self.defaults.get("differentiable", None) and \
                    not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        ids = [id(p) for p in param_group["params"]]
        if len(ids) != len(set(ids)):
            import warnings
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def _params_with_grad(self, group):
        """The parameters of group that have a gradient, and those gradients."""
        params, grads = [], []
        for p in group["params"]:
            g = p._grad if p._grad_fn is None else p.grad   # _grad_of(p), inlined (hot)
            if g is not None:
                params.append(p)
                grads.append(g)
        return params, grads



Optimizer.step = _wrap_step(Optimizer.step)

def _zeros_like(p, *names):
    """{name: zeros shaped like p} for each buffer name (an optimizer's initial state)."""
    from tinytensor._creation import zeros_like
    return {name: zeros_like(p) for name in names}


def _weight_decayed(p, grad, group, lr):
    """grad plus L2 weight decay, or (decoupled_weight_decay, AdamW style) grad as it is
    with p shrunk by lr * weight_decay in place."""
    wd = group["weight_decay"]
    if wd == 0:
        return grad
    if group.get("decoupled_weight_decay", False):
        p.mul_(_value(1 - lr * wd))
        return grad
    return grad.add(p, alpha=wd)


def _check_lr(lr):
    if isinstance(lr, _C.TensorBase) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_nonneg(name, value):
    if not 0.0 <= value:
        raise ValueError(f"Invalid {name} value: {value}")


def _check_betas(betas):
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


def _check_adam_args(lr, eps, betas, weight_decay):
    """The Adam family's checks, in torch's order (so the first bad value is named)."""
    _check_lr(lr)
    _check_nonneg("epsilon", eps)
    _check_betas(betas)
    _check_nonneg("weight_decay", weight_decay)


def _check_fused(defaults):
    """torch's constructor errors for fused=True (fused itself runs the same math on CPU)."""
    if defaults["fused"]:
        if defaults["differentiable"]:
            raise RuntimeError("`fused` does not support `differentiable`")
        if defaults["foreach"]:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
