# _math.pxi -- the raw math kernels for the Python layer: elementwise (binary.c, unary.c,
# ternary.c), reductions (reduce.c) and matmul (matmul.c).
#
# No autograd and no promotion rules live here: the caller decides the compute dtype
# (torch's result_type with weak scalars) and passes it as dtype=.  Tensor operands of
# another dtype are cast to it; Python scalars become 0-d views of it without allocating.
#
#   binary(op, a, b, out=None, dtype=None, alpha=None)
#       out[i] = op(a[i], b[i]), broadcast.  a or b may be a Python scalar.  dtype
#       defaults to promote_types of the tensor operands.  Comparisons and logical ops
#       give bool.  alpha: add/sub only (a + alpha*b, a - alpha*b).  Ops: BINARY_OPS
#       (add sub mul div div_trunc div_floor remainder fmod pow maximum minimum fmax fmin
#       atan2 copysign hypot xlogy logaddexp bitwise_and/or/xor lshift rshift
#       logical_and/or/xor eq ne lt le gt ge).
#   unary(op, a, out=None, dtype=None, p0=0., p1=0., p2=0., i0=0, i1=0)
#       out[i] = op(a[i]); p*/i* are the op's parameters (see ctensor/unary_ops.def).
#   pow_scalar(a, exponent, out=None, dtype=None)   a ** exponent, torch's special cases
#   clamp(a, min=None, max=None, out=None, dtype=None)  scalar bounds
#   rounded(a, decimals=0, out=None)       torch.round
#   nan_to_num(a, nan=0., posinf=None, neginf=None, out=None)
#   ternary(op, a, b, c, out=None, dtype=None, value=1)
#       where(cond, b, c), clamp(x, lo, hi), lerp(a, b, weight), addcmul/addcdiv(a, b, c,
#       value=); any of b, c may be a Python scalar.
#   reduce(op, a, dims=None, keepdim=False, dtype=None, p=2., correction=1., name=None)
#       sum prod mean amax amin all any norm (p) var std (correction) argmax argmin
#       (REDUCE_OPS) over dims (an int, a tuple, or None for all); bit-for-bit torch's
#       results for the same thread count.  dtype= casts first (integer sum/prod default
#       to int64); name= is the op name in torch's empty-reduction errors.
#   reduce_with_index(a, dim, keepdim=False, is_min=False) -> (values, indices)
#   scan(a, dim, product=False, dtype=None)        cumsum / cumprod
#   matmul(a, b, out=None, alpha=1, beta=0)        alpha * a @ b + beta * out, for
#       (..., m, k) @ (..., k, n) with equal batch dims (expand to broadcast them)
#   resize_out(out, shape)      out= of another shape takes the result's (contiguous)
#       shape in place, as torch resizes outputs: same storage when it is big enough
#
# op is a name from BINARY_OPS / UNARY_OPS / TERNARY_OPS, or its int code (a dict lookup
# saved).  out= is written in place (in-place ops pass self): it must have the broadcast
# shape, it is checked for torch's overlap rules, it may have another dtype (the result
# is cast into it; can_cast is the caller's check), and its version counter is bumped.
# Kernels without a loop for a dtype raise NotImplementedError as torch does.

from libc.math cimport INFINITY
from libc.stdint cimport INT64_MIN, INT64_MAX

BINARY_OPS = {tt_binary_names[i].decode(): i for i in range(TT_NUM_BINARY_OPS)}
UNARY_OPS = {tt_unary_names[i].decode(): i for i in range(TT_NUM_UNARY_OPS)}
TERNARY_OPS = {tt_ternary_names[i].decode(): i for i in range(TT_NUM_TERNARY_OPS)}


cdef inline int op_code(object op, dict table, int n) except -1:
    cdef long code
    if type(op) is int:
        code = op
        if code < 0 or code >= n:
            raise ValueError(f"unknown op code {op}")
        return code
    try:
        return table[op]
    except KeyError:
        raise ValueError(f"unknown op {op!r}") from None


cdef int check_kernel(tt_status s) except -1:
    """check(), but a kernel's missing dtype is torch's NotImplementedError."""
    if s == TT_EDTYPE:
        msg = tt_last_error().decode("utf-8", "replace")
        if "not implemented" in msg:
            raise NotImplementedError(msg)
    return check(s)


cdef TensorBase in_dtype(TensorBase t, tt_dtype dt):
    """t itself when it has dtype dt, else a cast copy laid out like t (as torch's .to())."""
    if t.v.dtype == dt:
        return t
    cdef TensorBase c = new_empty(dt, t.v.ndim, t.v.shape)
    cdef const tt_view *src[1]
    src[0] = &t.v
    if t.v.ndim > 1:
        tt_elementwise_strides(c.v.strides, t.v.ndim, t.v.shape, 1, src)
    cdef tt_status s
    if tt_view_numel(&t.v) >= NOGIL_NUMEL:
        with nogil:
            s = tt_copy(&c.v, &t.v)
    else:
        s = tt_copy(&c.v, &t.v)
    check(s)
    return c


cdef inline int64_t shape_numel(int nd, const int64_t *shape) noexcept:
    cdef int64_t n = 1
    cdef int i
    for i in range(nd):
        n *= shape[i]
    return n


cdef TensorBase out_for(TensorBase out, tt_dtype rdt, int nd, const int64_t *shape,
                        const tt_view **ins, int nin, const tt_view **layout=NULL):
    """The tensor a kernel writes: a new one, out itself, or a temporary in the result
    dtype when out has another dtype (finish() casts it into out).  A new one is laid
    out after `layout` (the operands before any cast; default: ins)."""
    cdef int i
    cdef TensorBase res
    if out is None:
        res = new_empty(rdt, nd, shape)
        if nd > 1:      # torch's layout: the inputs' memory order (Note [output layout])
            tt_elementwise_strides(res.v.strides, nd, shape, nin,
                                   layout if layout != NULL else ins)
        return res
    cdef bint same = out.v.ndim == nd
    if same:
        for i in range(nd):
            if out.v.shape[i] != shape[i]:
                same = False
                break
    if not same:
        raise RuntimeError(f"output with shape {list(out.shape)} doesn't match the "
                           f"broadcast shape {[shape[i] for i in range(nd)]}")
    check(tt_check_writable(&out.v, nin, ins))
    if out.v.dtype == rdt:
        return out
    return out_for(None, rdt, nd, shape, ins, nin, layout)


def resize_out(TensorBase out not None, shape):
    """Reshape out in place to a contiguous `shape`, growing its storage if needed."""
    cdef int nd = len(shape), i
    if nd > TT_MAX_DIMS:
        raise RuntimeError(f"resize: too many dims ({nd})")
    cdef int64_t sizes[TT_MAX_DIMS]
    cdef int64_t numel
    for i in range(nd):
        sizes[i] = shape[i]
        if sizes[i] < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {sizes[i]}")
    check(tt_numel(&numel, nd, sizes))
    cdef int64_t item = tt_dtypes[out.v.dtype].itemsize
    cdef int64_t need = (out.v.offset + numel) * item
    cdef tt_storage *grown
    if need > out.v.storage.nbytes:         # torch keeps the old bytes when it grows
        check(tt_storage_new(&grown, need))
        memcpy(grown.data, out.v.storage.data, out.v.storage.nbytes)
        grown.version = out.v.storage.version
        tt_storage_decref(out.v.storage)
        out.v.storage = grown
    out.v.ndim = nd
    for i in range(nd):
        out.v.shape[i] = sizes[i]
    tt_contiguous_strides(out.v.strides, nd, sizes)
    return out


cdef object finish(TensorBase out, TensorBase res):
    """Return the result; for out=, cast a temporary into out and bump its version."""
    if out is None:
        return res
    cdef tt_status s
    if res is not out:
        s = tt_copy(&out.v, &res.v)
        check(s)
    out.v.storage.version += 1
    return out


cdef inline double opmath_value(object x, tt_dtype dt) except? -1.0:
    """A Python number as torch's 16-bit float kernels keep a scalar: in float."""
    cdef float f
    if isinstance(x, TensorBase):
        x = (<TensorBase>x).item()
    f = <float>float(x)
    return f


# ---- binary ----------------------------------------------------------------------------
def binary(op, a, b, TensorBase out=None, dtype=None, alpha=None):
    """out = op(a, b) elementwise with broadcasting (see the table at the top)."""
    cdef int code = op_code(op, BINARY_OPS, TT_NUM_BINARY_OPS)
    cdef TensorBase ta = None, tb = None, res
    cdef bint a_t = isinstance(a, TensorBase), b_t = isinstance(b, TensorBase)
    cdef tt_dtype dt
    if a_t:
        ta = <TensorBase>a
    if b_t:
        tb = <TensorBase>b
    if dtype is not None:
        dt = dtype_code(dtype)
    elif a_t and b_t:
        dt = tt_promote(ta.v.dtype, tb.v.dtype)
    elif a_t:
        dt = ta.v.dtype
    elif b_t:
        dt = tb.v.dtype
    else:
        raise TypeError("binary: at least one operand must be a Tensor")

    cdef tt_binary_args args
    args.alpha_f = 1.0
    args.alpha_i = 1
    args.b_is_value = False
    args.b_value = 0.0
    if alpha is not None:
        if code != BINARY_OPS["add"] and code != BINARY_OPS["sub"]:
            raise TypeError(f"{tt_binary_names[code].decode()}() got an unexpected "
                            "keyword argument 'alpha'")
        if tt_dtypes[dt].category != TT_CAT_FLOAT and isinstance(alpha, float):
            raise RuntimeError("For integral input tensors, argument alpha must not be a "
                               "floating point number.")
        if dt != TT_BOOL and isinstance(alpha, bool):
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
        args.alpha_f = float(alpha)
        args.alpha_i = alpha.__index__() if not isinstance(alpha, float) else 0
        if code == BINARY_OPS["sub"]:
            args.alpha_f = -args.alpha_f
            args.alpha_i = -args.alpha_i
        code = TT_BIN_ADD_ALPHA

    # operands: tensors in dt, scalars as 0-d views of a stack value
    cdef tt_view sa, sb
    cdef tt_storage fa, fb
    cdef int64_t ba = 0, bb = 0
    cdef const tt_view *ins[2]
    cdef const tt_view *lay[2]       # the operands as given: torch lays out by them
    cdef TensorBase oa = ta, ob = tb
    if a_t:
        ta = in_dtype(ta, dt)
        ins[0] = &ta.v
    else:
        tt_scalar_to(&ba, dt, to_scalar(a))
        tt_scalar_view(&sa, &fa, &ba, dt)
        ins[0] = &sa
    if (dt == TT_FLOAT16 or dt == TT_BFLOAT16) and (
            code == TT_BIN_MUL or code == TT_BIN_DIV or code == TT_BIN_DIV_TRUNC
            or code == TT_BIN_DIV_FLOOR) and (
            not b_t or tt_view_numel(&tb.v) == 1):
        # torch keeps a one-element divisor/factor in float (original_scalar_value)
        args.b_is_value = True
        args.b_value = opmath_value(b, dt)
    if b_t:
        tb = in_dtype(tb, dt)
        ins[1] = &tb.v
    else:
        tt_scalar_to(&bb, dt, to_scalar(b))
        tt_scalar_view(&sb, &fb, &bb, dt)
        ins[1] = &sb

    lay[0] = &oa.v if a_t else ins[0]
    lay[1] = &ob.v if b_t else ins[1]
    cdef int nd
    cdef int64_t shape[TT_MAX_DIMS]
    check(tt_broadcast_shape(&nd, shape, 2, ins))
    res = out_for(out, tt_binary_result_dtype(code, dt), nd, shape, ins, 2, lay)
    cdef tt_status s
    if shape_numel(nd, shape) >= NOGIL_NUMEL:
        with nogil:
            s = tt_binary(&res.v, ins[0], ins[1], code, &args)
    else:
        s = tt_binary(&res.v, ins[0], ins[1], code, &args)
    check_kernel(s)
    return finish(out, res)


# ---- unary -----------------------------------------------------------------------------
cdef object run_unary(int code, TensorBase a, TensorBase out, tt_dtype dt,
                      tt_unary_args *args):
    cdef const tt_view *lay[1]
    lay[0] = &a.v
    cdef TensorBase given = a
    a = in_dtype(a, dt)
    cdef const tt_view *ins[1]
    ins[0] = &a.v
    cdef TensorBase res = out_for(out, tt_unary_result_dtype(code, dt), a.v.ndim,
                                  a.v.shape, ins, 1, lay)
    cdef tt_status s
    if tt_view_numel(&a.v) >= NOGIL_NUMEL:
        with nogil:
            s = tt_unary(&res.v, &a.v, code, args)
    else:
        s = tt_unary(&res.v, &a.v, code, args)
    check_kernel(s)
    return finish(out, res)


def unary(op, TensorBase a not None, TensorBase out=None, dtype=None, double p0=0.0,
          double p1=0.0, double p2=0.0, int64_t i0=0, int64_t i1=0):
    """out = op(a) elementwise; p0..p2, i0, i1 are the op's parameters."""
    cdef int code = op_code(op, UNARY_OPS, TT_NUM_UNARY_OPS)
    cdef tt_unary_args args
    args.p[0] = p0
    args.p[1] = p1
    args.p[2] = p2
    args.i[0] = i0
    args.i[1] = i1
    return run_unary(code, a, out, a.v.dtype if dtype is None else dtype_code(dtype), &args)


cdef inline double round_bf16(double x):
    return tt_bf16_to_f32(tt_f32_to_bf16(<float>x))


def pow_scalar(TensorBase a not None, exponent, TensorBase out=None, dtype=None):
    """a ** exponent for a Python number, with torch's fast paths (PowKernel.cpp):
    sqrt/rsqrt/reciprocal for 0.5/-0.5/-1 and x*x, x*x*x, 1/(x*x) for 2, 3, -2.
    dtype= computes in that dtype (a is cast, keeping its layout)."""
    cdef tt_dtype dt = a.v.dtype if dtype is None else dtype_code(dtype)
    cdef tt_unary_args args
    cdef double e
    memset(&args, 0, sizeof(args))
    if tt_dtypes[dt].category != TT_CAT_FLOAT:
        if isinstance(exponent, float):
            raise TypeError("pow_scalar: an integer tensor needs an integer exponent "
                            "(promote it to floating point first)")
        if exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        args.i[1] = exponent
        return run_unary(TT_UN_POW_SCALAR, a, out, dt, &args)
    e = float(exponent)
    if dt != TT_FLOAT16:
        if e == 0.5:
            return run_unary(TT_UN_SQRT, a, out, dt, &args)
        if e == -0.5:
            return run_unary(TT_UN_RSQRT, a, out, dt, &args)
        if e == -1.0:
            return run_unary(TT_UN_RECIPROCAL, a, out, dt, &args)
        if dt == TT_BFLOAT16:
            e = round_bf16(e)           # torch: exp_scalar.to<BFloat16>()
        if e == 1.0 or e == 2.0 or e == 3.0 or e == -2.0:
            args.i[0] = <int64_t>e      # 1: torch copies (pow_out's exp == 1 shortcut)
    else:
        e = tt_f16_to_f32(tt_f32_to_f16(<float>e))    # exp_scalar.to<Half>()
        if e == 1.0:
            args.i[0] = 1
    args.p[0] = e
    return run_unary(TT_UN_POW_SCALAR, a, out, dt, &args)


cdef double FLOAT_MAX[10]
FLOAT_MAX[:] = [0, 0, 0, 0, 0, 0, 65504.0, 3.3895313892515355e+38,
                3.4028234663852886e+38, 1.7976931348623157e+308]


def clamp(TensorBase a not None, min=None, max=None, TensorBase out=None, dtype=None):
    """min(max(a, min), max) with Python-number bounds (NaN propagates, as torch);
    dtype= computes in that dtype (a is cast, keeping its layout)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    cdef tt_unary_args args
    memset(&args, 0, sizeof(args))
    cdef tt_dtype dt = a.v.dtype if dtype is None else dtype_code(dtype)
    if tt_dtypes[dt].category == TT_CAT_FLOAT:
        args.p[0] = -INFINITY if min is None else float(min)
        args.p[1] = INFINITY if max is None else float(max)
    else:
        args.i[0] = INT64_MIN if min is None else int_in_dtype(min, dt)
        args.i[1] = INT64_MAX if max is None else int_in_dtype(max, dt)
    return run_unary(TT_UN_CLAMP, a, out, dt, &args)


cdef int64_t int_in_dtype(object value, tt_dtype dt) except? -1:
    """A Python integer as torch's Scalar.to<T>(): range-checked (unsigned types also take
    negatives down to -max, wrapping), then wrapped to the dtype."""
    cdef object bits = tt_dtypes[dt].itemsize * 8     # Python int: 1 << 63 is no C shift
    v = value.__index__()
    if dt == TT_BOOL:
        return 1 if v else 0
    if tt_dtypes[dt].is_signed:
        lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    else:
        hi = (1 << bits) - 1
        lo = -hi
    if not lo <= v <= hi:
        raise RuntimeError(f"value cannot be converted to type "
                           f"{tt_dtypes[dt].name.decode()}_t without overflow")
    if not tt_dtypes[dt].is_signed and v < 0:
        v += 1 << bits
    return v


def rounded(TensorBase a not None, int decimals=0, TensorBase out=None):
    """Round half to even; with decimals, as torch: nearbyint(a * 10^d) / 10^d."""
    cdef tt_unary_args args
    memset(&args, 0, sizeof(args))
    if decimals == 0:
        return run_unary(TT_UN_ROUND, a, out, a.v.dtype, &args)
    args.p[0] = 10.0 ** (-decimals if decimals < 0 else decimals)
    args.i[0] = decimals < 0
    return run_unary(TT_UN_ROUND_DECIMALS, a, out, a.v.dtype, &args)


def nan_to_num(TensorBase a not None, nan=0.0, posinf=None, neginf=None,
               TensorBase out=None):
    """Replace NaN, +inf and -inf (defaults: 0 and the dtype's largest finite values)."""
    cdef tt_unary_args args
    memset(&args, 0, sizeof(args))
    cdef double big = FLOAT_MAX[a.v.dtype]
    args.p[0] = 0.0 if nan is None else float(nan)
    args.p[1] = big if posinf is None else float(posinf)
    args.p[2] = -big if neginf is None else float(neginf)
    return run_unary(TT_UN_NAN_TO_NUM, a, out, a.v.dtype, &args)


# ---- ternary ---------------------------------------------------------------------------
def ternary(op, a, b, c, TensorBase out=None, dtype=None, value=1):
    """where(a, b, c), clamp(a, b, c), lerp(a, b, c), addcmul/addcdiv(a, b, c, value)."""
    cdef int code = op_code(op, TERNARY_OPS, TT_NUM_TERNARY_OPS)
    cdef tuple ops = (a, b, c)
    cdef TensorBase t
    cdef int k
    cdef tt_dtype dt
    if dtype is not None:
        dt = dtype_code(dtype)
    else:
        dt = TT_NUM_DTYPES
        for k in range(1 if code == TT_TER_WHERE else 0, 3):
            if isinstance(ops[k], TensorBase):
                dt = (<TensorBase>ops[k]).v.dtype if dt == TT_NUM_DTYPES else tt_promote(
                    dt, (<TensorBase>ops[k]).v.dtype)
        if dt == TT_NUM_DTYPES:
            raise TypeError(f"{tt_ternary_names[code].decode()}: expected a Tensor operand")
    cdef tt_ternary_args args
    args.value = float(value)
    args.c_is_value = False
    args.c_value = 0.0
    if code == TT_TER_LERP and not isinstance(c, TensorBase):
        args.c_is_value = True          # torch keeps a scalar weight in the compute type
        args.c_value = float(c)
    cdef tt_view sv[3]
    cdef tt_storage fs[3]
    cdef int64_t bufs[3]
    cdef const tt_view *ins[3]
    cdef const tt_view *lay[3]       # the operands as given: torch lays out by them
    cdef list keep = []
    cdef tt_dtype want
    for k in range(3):
        want = TT_BOOL if (code == TT_TER_WHERE and k == 0) else dt
        if isinstance(ops[k], TensorBase):
            t = in_dtype(<TensorBase>ops[k], want)
            keep.append(t)
            ins[k] = &t.v
            lay[k] = &(<TensorBase>ops[k]).v
        else:
            bufs[k] = 0
            tt_scalar_to(&bufs[k], want, to_scalar(ops[k]))
            tt_scalar_view(&sv[k], &fs[k], &bufs[k], want)
            ins[k] = &sv[k]
            lay[k] = &sv[k]
    cdef int nd
    cdef int64_t shape[TT_MAX_DIMS]
    check(tt_broadcast_shape(&nd, shape, 3, ins))
    # lerp's scalar weight is an argument, not an operand, for torch's layout rule
    cdef TensorBase res = out_for(out, dt, nd, shape, ins, 2 if args.c_is_value else 3,
                                  lay)
    cdef tt_status s
    if shape_numel(nd, shape) >= NOGIL_NUMEL:
        with nogil:
            s = tt_ternary(&res.v, ins[0], ins[1], ins[2], code, &args)
    else:
        s = tt_ternary(&res.v, ins[0], ins[1], ins[2], code, &args)
    check_kernel(s)
    return finish(out, res)



# ---- reductions ------------------------------------------------------------------------
REDUCE_OPS = {tt_reduce_names[i].decode(): i for i in range(TT_NUM_REDUCE_OPS)}


cdef int reduce_dims(object dims, int ndim, bint *mask) except -1:
    """Mark the reduced dims (None or () mean all, as torch's sum(dim=None))."""
    cdef int i, d
    for i in range(TT_MAX_DIMS):
        mask[i] = False
    if dims is None or (isinstance(dims, (tuple, list)) and len(dims) == 0):
        for i in range(ndim):
            mask[i] = True
        return 0
    if not isinstance(dims, (tuple, list)):
        dims = (dims,)
    for x in dims:
        d = wrap_dim(x, ndim)
        if ndim == 0:
            continue
        if mask[d]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        mask[d] = True
    return 0


cdef tuple keepdim_shape(TensorBase a, bint *mask, int64_t *kshape):
    """kshape: a's shape with 1 on the reduced dims; returns the squeezed shape."""
    cdef list squeezed = []
    cdef int i
    for i in range(a.v.ndim):
        kshape[i] = 1 if mask[i] else a.v.shape[i]
        if not mask[i]:
            squeezed.append(a.v.shape[i])
    return tuple(squeezed)


cdef tt_dtype default_reduce_dtype(int code, tt_dtype dt):
    """torch's result dtype of a reduction when dtype= is not given."""
    if ((code == TT_RED_SUM or code == TT_RED_PROD)
            and tt_dtypes[dt].category != TT_CAT_FLOAT):
        return TT_INT64
    return dt


cdef object drop_dims(TensorBase r, tuple squeezed, bint keepdim):
    if keepdim or r.v.ndim == len(squeezed):
        return r
    cdef TensorBase out = view(r, *squeezed) if len(squeezed) else view(r, ())
    out._base = None        # the keepdim buffer is private: the result is no view (torch)
    return out


def reduce(op, TensorBase a not None, dims=None, bint keepdim=False, dtype=None,
           double p=2.0, double correction=1.0, str name=None, bint nan_all_ones=False):
    """op over dims (None: all) -> tensor: sum prod mean amax amin all any norm var std
    argmax argmin (see REDUCE_OPS); dtype= casts the input first, as torch's sum(dtype=).
    Integer sum/prod give int64; all/any give bool (uint8 for uint8).  nan_all_ones:
    a NaN amax/amin over everything has torch.max()'s bits (Note [NaN bits of max])."""
    cdef int code = op_code(op, REDUCE_OPS, TT_NUM_REDUCE_OPS)
    cdef bint mask[TT_MAX_DIMS]
    cdef int64_t kshape[TT_MAX_DIMS]
    reduce_dims(dims, a.v.ndim, mask)
    cdef tuple squeezed = keepdim_shape(a, mask, kshape)
    cdef tt_dtype dt = (default_reduce_dtype(code, a.v.dtype) if dtype is None
                        else dtype_code(dtype))
    cdef tt_dtype compute = dt
    if code == TT_RED_MEAN and (dt == TT_FLOAT16 or dt == TT_BFLOAT16):
        compute = TT_FLOAT32                # torch: cast to float, sum, divide, cast back
    if (code == TT_RED_ALL or code == TT_RED_ANY or code == TT_RED_ARGMAX
            or code == TT_RED_ARGMIN):
        compute = a.v.dtype
    if (code == TT_RED_ARGMAX or code == TT_RED_ARGMIN) and compute == TT_BOOL:
        raise RuntimeError(f"{name or tt_reduce_names[code].decode()}(): does not support "
                           "bool input")
    if (code == TT_RED_MEAN or code == TT_RED_NORM or code == TT_RED_VAR or
            code == TT_RED_STD) and tt_dtypes[compute].category != TT_CAT_FLOAT:
        opname = name or tt_reduce_names[code].decode()
        if code == TT_RED_MEAN:
            raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be "
                               f"either a floating point or complex dtype. Got: "
                               f"{tt_torch_type_names[compute].decode()}")
        raise RuntimeError(f"{opname}(): input dtype should be either floating point or "
                           f"complex. Got {tt_torch_type_names[compute].decode()} instead.")
    a = in_dtype(a, compute)
    cdef tt_dtype odt = compute
    if code == TT_RED_ALL or code == TT_RED_ANY:
        odt = TT_UINT8 if compute == TT_UINT8 else TT_BOOL
    elif code == TT_RED_ARGMAX or code == TT_RED_ARGMIN:
        odt = TT_INT64
    cdef TensorBase r = new_empty(odt, a.v.ndim, kshape)
    cdef tt_reduce_args args
    args.p = p
    args.correction = correction
    args.nan_all_ones = nan_all_ones
    cdef tt_status s
    if tt_view_numel(&a.v) >= NOGIL_NUMEL:
        with nogil:
            s = tt_reduce(&r.v, &a.v, code, &args)
    else:
        s = tt_reduce(&r.v, &a.v, code, &args)
    if s == TT_EINDEX:
        raise_empty_reduction(name or tt_reduce_names[code].decode(), a, mask, dims)
    check_kernel(s)
    if dt != compute and code == TT_RED_MEAN:
        r = in_dtype(r, dt)
    return drop_dims(r, squeezed, keepdim)


cdef int raise_empty_reduction(str name, TensorBase a, bint *mask, object dims) except -1:
    cdef int i
    if dims is None:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                           "input.numel() == 0. Specify the reduction dim with the 'dim' "
                           "argument.")
    for i in range(a.v.ndim):
        if mask[i] and a.v.shape[i] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {i} to have non-zero size.")
    raise IndexError(f"{name}(): Expected reduction dim to have non-zero size.")


def reduce_with_index(TensorBase a not None, dim, bint keepdim=False, bint is_min=False,
                      str name=None):
    """(values, indices) of max (min) along dim: the first index of the extreme; NaN
    wins, as torch.max(a, dim)."""
    cdef bint mask[TT_MAX_DIMS]
    cdef int64_t kshape[TT_MAX_DIMS]
    reduce_dims((dim,), a.v.ndim, mask)
    cdef tuple squeezed = keepdim_shape(a, mask, kshape)
    cdef TensorBase values = new_empty(a.v.dtype, a.v.ndim, kshape)
    cdef TensorBase indices = new_empty(TT_INT64, a.v.ndim, kshape)
    cdef tt_status s
    if tt_view_numel(&a.v) >= NOGIL_NUMEL:
        with nogil:
            s = tt_reduce_with_index(&values.v, &indices.v, &a.v, is_min)
    else:
        s = tt_reduce_with_index(&values.v, &indices.v, &a.v, is_min)
    if s == TT_EINDEX:
        raise_empty_reduction(name or ("min" if is_min else "max"), a, mask, (dim,))
    check_kernel(s)
    return drop_dims(values, squeezed, keepdim), drop_dims(indices, squeezed, keepdim)


def scan(TensorBase a not None, dim, bint product=False, dtype=None):
    """cumsum (cumprod with product=True) along dim; integers and bool give int64 unless
    dtype= says otherwise, as torch."""
    cdef int d = wrap_dim(dim, a.v.ndim)
    cdef tt_dtype dt
    if dtype is not None:
        dt = dtype_code(dtype)
    elif tt_dtypes[a.v.dtype].category != TT_CAT_FLOAT:
        dt = TT_INT64
    else:
        dt = a.v.dtype
    a = in_dtype(a, dt)
    cdef TensorBase r = new_empty(dt, a.v.ndim, a.v.shape)
    cdef tt_status s
    if tt_view_numel(&a.v) >= NOGIL_NUMEL:
        with nogil:
            s = tt_scan(&r.v, &a.v, d, product)
    else:
        s = tt_scan(&r.v, &a.v, d, product)
    check_kernel(s)
    return r


# ---- matmul ----------------------------------------------------------------------------
def matmul(TensorBase a not None, TensorBase b not None, TensorBase out=None, alpha=1,
           beta=0):
    """alpha * a @ b + beta * out for a (..., m, k), b (..., k, n) with equal batch dims
    (broadcast them with expand first) and one dtype; out= is written in place."""
    cdef int nd = a.v.ndim, i
    if nd < 2 or b.v.ndim != nd:
        raise RuntimeError(f"matmul: operands need one ndim >= 2, got {a.v.ndim} and "
                           f"{b.v.ndim} (the Python layer handles 1-D and broadcasting)")
    cdef int64_t shape[TT_MAX_DIMS]
    for i in range(nd - 1):
        shape[i] = a.v.shape[i]
    shape[nd - 1] = b.v.shape[nd - 1]
    cdef TensorBase r = out if out is not None else new_empty(a.v.dtype, nd, shape)
    if out is None and beta != 0:
        raise ValueError("matmul: beta needs out= (the tensor to scale and add)")
    cdef double al = alpha, be = beta
    cdef tt_status s
    if tt_view_numel(&r.v) * a.v.shape[nd - 1] >= NOGIL_NUMEL:
        with nogil:
            s = tt_matmul(&r.v, &a.v, &b.v, al, be)
    else:
        s = tt_matmul(&r.v, &a.v, &b.v, al, be)
    check_kernel(s)
    if out is not None:
        out.v.storage.version += 1
    return r
