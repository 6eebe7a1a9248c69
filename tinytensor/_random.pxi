# _random.pxi -- the random generator and the samplers' boundary (see ctensor/random.c).
#
# Generator owns one tt_generator (torch's CPUGeneratorImpl).  Each random_* function
# below makes one C call that writes torch's samples into a tensor, in the order torch
# writes them (Note [fill order] in random.c): a contiguous tensor is filled directly;
# any other in the order TensorIterator walks it, which is the storage order for a
# dense permuted tensor (see iteration_order).  They bump the version counter; the
# Python layer (tinytensor/ops/random.py) holds the recipes and the autograd.
#
#   random_uniform(out, gen, lo, hi)           uniform_        (floating dtypes)
#   random_normal(out, gen, mean, std)         normal_         (floating dtypes)
#   random_from_to(out, gen, lo, hi)           random_(lo, hi)
#   random_from(out, gen, lo)                  random_(lo, None)
#   random_default(out, gen)                   random_()
#   random_bernoulli(out, gen, p)              bernoulli_(float p)
#   random_bernoulli_tensor(out, gen, p)       bernoulli_(p tensor, broadcast to out)
#   random_exponential / _geometric / _log_normal / _cauchy(out, gen, a[, b])
#   random_randperm(out, gen)                  a permutation of 0..numel-1
#   random_multinomial(probs, gen, n, replacement) -> new int64 tensor
#   random_avx2_normal() / random_set_avx2_normal(on)   which float Box-Muller runs
#   dense_strides_like(t)                      the strides empty_like gives a non-dense t

import os as _os

cdef enum FillKind:
    FILL_UNIFORM, FILL_NORMAL, FILL_FROM_TO, FILL_FROM, FILL_DEFAULT, FILL_BERNOULLI,
    FILL_EXPONENTIAL, FILL_GEOMETRIC, FILL_LOG_NORMAL, FILL_CAUCHY, FILL_RANDPERM


cdef unsigned long long to_seed(object seed) except? 0:
    """torch's seed parsing: an integer in [-2^63, 2^64), negative ones taken mod 2^64."""
    if isinstance(seed, float) or not hasattr(seed, "__index__"):
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    s = seed.__index__()
    if s < -(1 << 63) or s >= (1 << 64):
        raise ValueError("Overflow when unpacking long long")
    return s & 0xFFFFFFFFFFFFFFFF


cdef class Generator:
    """torch.Generator: a Mersenne Twister state that samplers draw from (generator=)."""
    cdef tt_generator g

    def __cinit__(self, *args, **kwargs):
        tt_generator_init(&self.g, TT_DEFAULT_RNG_SEED)

    def __init__(self, device="cpu"):
        from tinytensor._device import _check_device
        _check_device(device)

    def __dealloc__(self):
        tt_generator_destroy(&self.g)

    @property
    def device(self):
        from tinytensor._device import device
        return device("cpu")

    def manual_seed(self, seed):
        """Seed the generator (torch's seeds: any integer in [-2^63, 2^64)); returns self."""
        tt_generator_manual_seed(&self.g, to_seed(seed))
        return self

    def seed(self):
        """Seed from the operating system's entropy and return the seed."""
        cdef unsigned long long s = int.from_bytes(_os.urandom(8), "little")
        tt_generator_manual_seed(&self.g, s)
        return s

    def initial_seed(self):
        """The seed the generator was last seeded with."""
        return tt_generator_initial_seed(&self.g)

    def get_state(self):
        """The state as torch's 5056-byte uint8 tensor (torch.get_rng_state's layout)."""
        cdef int64_t n = TT_RNG_STATE_BYTES
        cdef TensorBase out = new_empty(TT_UINT8, 1, &n)
        tt_generator_get_state(&self.g, <unsigned char *>tt_view_data(&out.v))
        return out

    def set_state(self, new_state):
        """Restore a state from get_state (or torch's get_rng_state bytes); returns self."""
        if not isinstance(new_state, TensorBase):
            raise TypeError(f"expected a torch.ByteTensor, but got "
                            f"{type(new_state).__name__}")
        cdef TensorBase st = <TensorBase>new_state
        if st.v.dtype != TT_UINT8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if not tt_is_contiguous(&st.v):
            st = contiguous(st)
        check(tt_generator_set_state(&self.g, <const unsigned char *>tt_view_data(&st.v),
                                     tt_view_numel(&st.v)))
        return self

    def clone_state(self):
        """A new Generator in the same state."""
        return Generator().set_state(self.get_state())

    def __reduce__(self):
        return (type(self), ("cpu",), (self.initial_seed(), None, self.get_state()))

    def __setstate__(self, state):
        self.set_state(state[2])

    def __repr__(self):
        return f"<tinytensor.Generator object at {id(self):#x}>"


# ---- the order torch writes a tensor in ------------------------------------------------
cdef int should_swap(int d0, int d1, const int64_t *shape, int nop,
                     const int64_t **strides) noexcept:
    """TensorIterator's comparison: 1 if dim d0 must be walked after (outside) d1, -1 if
    before, 0 when the operands do not say (broadcast dims are skipped)."""
    cdef int k
    cdef int64_t s0, s1
    for k in range(nop):
        s0 = strides[k][d0]
        s1 = strides[k][d1]
        if s0 == 0 or s1 == 0:
            continue
        if s0 < s1:
            return -1
        if s0 > s1:
            return 1
        if shape[d0] > shape[d1]:
            return 1
    return 0


cdef void iteration_order(int ndim, const int64_t *shape, int nop, const int64_t **strides,
                          int *order) noexcept:
    """order[0..ndim): the dims from slowest to fastest as TensorIterator walks them
    (its reorder_dimensions: an insertion sort by stride, output first, that leaves
    ties where they are)."""
    cdef int perm[TT_MAX_DIMS]
    cdef int i, d0, d1, c, tmp
    for i in range(ndim):
        perm[i] = ndim - 1 - i          # perm[0] is the fastest dim
    for i in range(1, ndim):
        d1 = i
        d0 = i - 1
        while d0 >= 0:
            c = should_swap(perm[d0], perm[d1], shape, nop, strides)
            if c > 0:
                tmp = perm[d0]
                perm[d0] = perm[d1]
                perm[d1] = tmp
                d1 = d0
            elif c < 0:
                break
            d0 -= 1
    for i in range(ndim):
        order[i] = perm[ndim - 1 - i]


cdef int write_order(int *order, TensorBase out, tt_view *p) except -1:
    """order: out's dims from slowest to fastest as torch writes out (p, a tensor read
    alongside as in bernoulli_(p), already expanded to out's shape, has a say)."""
    cdef const int64_t *strides[2]
    strides[0] = out.v.strides
    if p != NULL:
        strides[1] = p.strides
    iteration_order(out.v.ndim, out.v.shape, 1 if p == NULL else 2, strides, order)
    return 0


def dense_strides_like(TensorBase t):
    """torch's infer_dense_strides: contiguous strides laid out in the order of t's own
    (how empty_like lays out the copy of a tensor that is not dense)."""
    cdef int order[TT_MAX_DIMS]
    write_order(order, t, NULL)
    cdef list strides = [0] * t.v.ndim
    cdef int64_t step = 1
    cdef int k, d
    for k in range(t.v.ndim - 1, -1, -1):
        d = order[k]
        strides[d] = step
        if t.v.shape[d] > 1:
            step *= t.v.shape[d]
    return tuple(strides)


cdef tt_status run_fill(tt_generator *g, int kind, void *buf, tt_dtype dt, int64_t n,
                        bint contiguous, double a, double b, int64_t ia,
                        int64_t ib) noexcept nogil:
    if kind == FILL_UNIFORM:
        return tt_random_uniform(g, buf, dt, n, a, b)
    if kind == FILL_NORMAL:
        # torch's blockwise Box-Muller runs only on contiguous tensors (Note [normal_ paths])
        if contiguous:
            return tt_random_normal(g, buf, dt, n, a, b)
        return tt_random_normal_serial(g, buf, dt, n, a, b)
    if kind == FILL_FROM_TO:
        return tt_random_from_to(g, buf, dt, n, ia, ib)
    if kind == FILL_FROM:
        return tt_random_from(g, buf, dt, n, ia)
    if kind == FILL_DEFAULT:
        return tt_random_default(g, buf, dt, n)
    if kind == FILL_BERNOULLI:
        return tt_random_bernoulli(g, buf, dt, n, a)
    if kind == FILL_EXPONENTIAL:
        return tt_random_exponential(g, buf, dt, n, a)
    if kind == FILL_GEOMETRIC:
        return tt_random_geometric(g, buf, dt, n, a)
    if kind == FILL_LOG_NORMAL:
        return tt_random_log_normal(g, buf, dt, n, a, b)
    if kind == FILL_CAUCHY:
        return tt_random_cauchy(g, buf, dt, n, a, b)
    return tt_random_randperm(g, buf, dt, n)


cdef object fill(TensorBase out, Generator gen, int kind, double a=0, double b=0,
                 int64_t ia=0, int64_t ib=0):
    """Write kind's samples into out in torch's order; returns out."""
    check(tt_check_writable(&out.v, 0, NULL))
    cdef int64_t n = tt_view_numel(&out.v)
    cdef bint contiguous = tt_is_contiguous(&out.v)
    cdef int order[TT_MAX_DIMS]
    cdef tt_view walk
    cdef TensorBase tmp = None
    if contiguous or kind == FILL_RANDPERM:     # randperm writes in logical order
        walk = out.v
    else:
        write_order(order, out, NULL)
        check(tt_view_permute(&walk, &out.v, order))
    if not tt_is_contiguous(&walk):
        tmp = new_empty(out.v.dtype, walk.ndim, walk.shape)
    cdef void *buf = tt_view_data(&walk) if tmp is None else tt_view_data(&tmp.v)
    cdef tt_status s
    if n >= NOGIL_NUMEL:
        with nogil:
            s = run_fill(&gen.g, kind, buf, out.v.dtype, n, contiguous, a, b, ia, ib)
    else:
        s = run_fill(&gen.g, kind, buf, out.v.dtype, n, contiguous, a, b, ia, ib)
    check_kernel(s)
    if tmp is not None:
        check(tt_copy(&walk, &tmp.v))
    out.v.storage.version += 1
    return out


def random_uniform(TensorBase out, Generator gen, double lo, double hi):
    return fill(out, gen, FILL_UNIFORM, lo, hi)


def random_normal(TensorBase out, Generator gen, double mean, double std):
    return fill(out, gen, FILL_NORMAL, mean, std)


def random_from_to(TensorBase out, Generator gen, int64_t lo, int64_t hi):
    return fill(out, gen, FILL_FROM_TO, 0, 0, lo, hi)


def random_from(TensorBase out, Generator gen, int64_t lo):
    return fill(out, gen, FILL_FROM, 0, 0, lo)


def random_default(TensorBase out, Generator gen):
    return fill(out, gen, FILL_DEFAULT)


def random_bernoulli(TensorBase out, Generator gen, double p):
    return fill(out, gen, FILL_BERNOULLI, p)


def random_exponential(TensorBase out, Generator gen, double lambd):
    return fill(out, gen, FILL_EXPONENTIAL, lambd)


def random_geometric(TensorBase out, Generator gen, double p):
    return fill(out, gen, FILL_GEOMETRIC, p)


def random_log_normal(TensorBase out, Generator gen, double mean, double std):
    return fill(out, gen, FILL_LOG_NORMAL, mean, std)


def random_cauchy(TensorBase out, Generator gen, double median, double sigma):
    return fill(out, gen, FILL_CAUCHY, median, sigma)


def random_randperm(TensorBase out, Generator gen):
    return fill(out, gen, FILL_RANDPERM)


def random_bernoulli_tensor(TensorBase out, Generator gen, TensorBase p):
    """out[i] = u[i] < p[i] with p broadcast to out, both walked in torch's order."""
    check(tt_check_writable(&out.v, 0, NULL))
    cdef int order[TT_MAX_DIMS]
    cdef tt_view walk, pexp, pwalk
    check(tt_view_expand(&pexp, &p.v, out.v.ndim, out.v.shape))
    write_order(order, out, &pexp)
    check(tt_view_permute(&walk, &out.v, order))
    check(tt_view_permute(&pwalk, &pexp, order))
    cdef TensorBase pbuf = new_empty(p.v.dtype, pwalk.ndim, pwalk.shape)
    check(tt_copy(&pbuf.v, &pwalk))
    cdef TensorBase tmp = None
    if not tt_is_contiguous(&walk):
        tmp = new_empty(out.v.dtype, walk.ndim, walk.shape)
    cdef void *buf = tt_view_data(&walk) if tmp is None else tt_view_data(&tmp.v)
    cdef int64_t n = tt_view_numel(&out.v)
    cdef tt_status s
    with nogil:
        s = tt_random_bernoulli_tensor(&gen.g, buf, out.v.dtype, n, tt_view_data(&pbuf.v),
                                       p.v.dtype)
    check_kernel(s)
    if tmp is not None:
        check(tt_copy(&walk, &tmp.v))
    out.v.storage.version += 1
    return out


def random_multinomial(TensorBase probs, Generator gen, int64_t n_sample, bint replacement):
    """Indices drawn from each row of probs (1-D or 2-D), as an int64 tensor of shape
    (n_sample,) or (rows, n_sample)."""
    if probs.v.ndim < 1 or probs.v.ndim > 2:
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    cdef TensorBase p = probs if tt_is_contiguous(&probs.v) else contiguous(probs)
    cdef int64_t n_cat = p.v.shape[p.v.ndim - 1]
    cdef int64_t shape[2]
    shape[0] = p.v.shape[0]
    shape[p.v.ndim - 1] = n_sample if n_sample > 0 else 0
    cdef TensorBase out = new_empty(TT_INT64, p.v.ndim, shape)
    cdef int64_t n_dist = 1 if p.v.ndim == 1 else p.v.shape[0]
    cdef tt_status s
    with nogil:
        s = tt_random_multinomial(&gen.g, <int64_t *>tt_view_data(&out.v),
                                  tt_view_data(&p.v), p.v.dtype, n_dist, n_cat, n_sample,
                                  replacement)
    check_kernel(s)
    return out


def random_avx2_normal():
    """True when normal_ runs torch's AVX2 Box-Muller (Note [normal_ paths] in random.c)."""
    return tt_random_avx2_normal()


def random_set_avx2_normal(bint on):
    """Choose torch's AVX2 (True) or portable (False) float Box-Muller, process-wide."""
    tt_random_set_avx2_normal(on)
