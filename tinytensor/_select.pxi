# _select.pxi -- sorting, selection, gather/scatter and linear-algebra kernels
# (see ctensor/sort.c, gather.c, linalg.c).
#
# Thin wrappers: allocate the outputs, make one C call (without the GIL on large
# work), check it.  Arguments arrive normalised by tinytensor/ops/sorting.py,
# indexing.py, shape.py and tinytensor/linalg.py (dims wrapped, index tensors int64,
# dtypes settled); 0-d inputs are seen by the C core as 1-d of length 1.
#
#   sort(src, dim, descending, stable) -> (values, indices)
#   topk(src, k, dim, largest, sorted) -> (values, indices)
#   kthvalue(src, k, dim) / median_dim(src, dim, ignore_nan, all_elements) / mode(src, dim)
#       -> (values, indices) with dim kept (length 1)
#   cumextreme(src, dim, is_max) -> (values, indices)
#   searchsorted(boundaries, values, right, sorter=None, out_int32=False)
#   unique(src2d, sorted) -> (values2d, inverse, counts)
#   gather(src, dim, index, wrap) -> out;  scatter_(dst, dim, index, src, op, wrap)
#   flip(src, dims), histc(src, bins, lo, hi), repeat_index(repeats, total)
#   tril(src, k, upper, out=None)
#   lu_factor(a), lu_solve_(b, lu, pivots), lu_det(lu, pivots),
#   solve_triangular_(b, a, upper, unit),
#   cholesky_(a), qr(a, mode), eigh(a), svd(a, full_matrices, compute_uv)
#       (float64 contiguous batches; the `_` ones work in place on their first argument)

SCATTER_OPS = {None: TT_SCATTER_ASSIGN, "assign": TT_SCATTER_ASSIGN,
               "add": TT_SCATTER_ADD, "sum": TT_SCATTER_ADD,
               "multiply": TT_SCATTER_MUL, "prod": TT_SCATTER_MUL,
               "amax": TT_SCATTER_MAX, "amin": TT_SCATTER_MIN}


cdef inline void as_1d(tt_view *v) noexcept:
    """A 0-d view seen as 1-d of length 1 (same element)."""
    if v.ndim == 0:
        v.ndim = 1
        v.shape[0] = 1
        v.strides[0] = 1


cdef tuple row_outputs(TensorBase src, int dim, int64_t length):
    """(values, indices): src's shape with `length` along dim."""
    cdef int64_t shape[TT_MAX_DIMS]
    cdef int i
    for i in range(src.v.ndim):
        shape[i] = src.v.shape[i]
    if src.v.ndim:
        shape[dim] = length
    return (new_empty(src.v.dtype, src.v.ndim, shape),
            new_empty(TT_INT64, src.v.ndim, shape))


cdef tt_status rows_call(int which, tt_view *v, tt_view *i, tt_view *s, int dim,
                         int64_t k, bint flag, bint flag2) noexcept nogil:
    if which == 0:
        return tt_sort(v, i, s, dim, flag, flag2)
    if which == 1:
        return tt_topk(v, i, s, dim, k, flag, flag2)
    if which == 2:
        return tt_kthvalue(v, i, s, dim, k)
    if which == 3:
        return tt_median(v, i, s, dim, flag, flag2)
    if which == 4:
        return tt_mode(v, i, s, dim)
    return tt_cumextreme(v, i, s, dim, flag)


cdef int run_rows(int which, TensorBase values, TensorBase indices, TensorBase src,
                  int dim, int64_t k, bint flag, bint flag2) except -1:
    cdef tt_view v = values.v, i = indices.v, s = src.v
    as_1d(&v)
    as_1d(&i)
    as_1d(&s)
    cdef tt_status st
    if tt_view_numel(&s) >= NOGIL_NUMEL:
        with nogil:
            st = rows_call(which, &v, &i, &s, dim, k, flag, flag2)
    else:
        st = rows_call(which, &v, &i, &s, dim, k, flag, flag2)
    return check(st)


def sort(TensorBase src, int dim, bint descending=False, bint stable=False):
    """(values, indices) of src sorted along dim."""
    values, indices = row_outputs(src, dim, src.v.shape[dim] if src.v.ndim else 1)
    run_rows(0, values, indices, src, dim, 0, descending, stable)
    return values, indices


def topk(TensorBase src, int64_t k, int dim, bint largest=True, bint sorted=True):
    """(values, indices) of the k largest (or smallest) along dim."""
    values, indices = row_outputs(src, dim, k)
    run_rows(1, values, indices, src, dim, k, largest, sorted)
    return values, indices


def kthvalue(TensorBase src, int64_t k, int dim):
    """(values, indices) of the k-th smallest along dim, dim kept with length 1."""
    values, indices = row_outputs(src, dim, 1)
    run_rows(2, values, indices, src, dim, k, False, False)
    return values, indices


def median_dim(TensorBase src, int dim, bint ignore_nan=False, bint all_elements=False):
    """(values, indices) of the lower median along dim (dim kept)."""
    values, indices = row_outputs(src, dim, 1)
    run_rows(3, values, indices, src, dim, 0, ignore_nan, all_elements)
    return values, indices


def mode(TensorBase src, int dim):
    """(values, indices) of the most frequent value along dim (dim kept)."""
    values, indices = row_outputs(src, dim, 1)
    run_rows(4, values, indices, src, dim, 0, False, False)
    return values, indices


def cumextreme(TensorBase src, int dim, bint is_max):
    """(values, indices) of the running max (or min) along dim."""
    values, indices = row_outputs(src, dim, src.v.shape[dim] if src.v.ndim else 1)
    run_rows(5, values, indices, src, dim, 0, is_max, False)
    return values, indices


def searchsorted(TensorBase boundaries, TensorBase values, bint right=False,
                 TensorBase sorter=None, bint out_int32=False):
    """Insertion points of values in the sorted last dim of boundaries."""
    cdef TensorBase out = new_empty(TT_INT32 if out_int32 else TT_INT64, values.v.ndim,
                                    values.v.shape)
    cdef tt_status s
    cdef const tt_view *sp = &sorter.v if sorter is not None else NULL
    if tt_view_numel(&values.v) >= NOGIL_NUMEL:
        with nogil:
            s = tt_searchsorted(&out.v, &boundaries.v, &values.v, sp, right)
    else:
        s = tt_searchsorted(&out.v, &boundaries.v, &values.v, sp, right)
    check(s)
    return out


def unique(TensorBase src, bint sorted=True):
    """(values, inverse, counts) of the distinct rows of a contiguous 2-D tensor."""
    cdef tt_view v, i, c
    cdef tt_status s
    if tt_view_numel(&src.v) >= NOGIL_NUMEL:
        with nogil:
            s = tt_unique(&v, &i, &c, &src.v, sorted)
    else:
        s = tt_unique(&v, &i, &c, &src.v, sorted)
    check(s)
    return wrap_view(&v), wrap_view(&i), wrap_view(&c)


# ---- gather / scatter -----------------------------------------------------------------
def gather(TensorBase src, int dim, TensorBase index, bint wrap=False):
    """out[p] = src[p with p[dim] = index[p]] (index int64, out of index's shape)."""
    cdef TensorBase out = new_empty(src.v.dtype, index.v.ndim, index.v.shape)
    cdef tt_status s
    if tt_view_numel(&index.v) >= NOGIL_NUMEL:
        with nogil:
            s = tt_gather(&out.v, &src.v, dim, &index.v, wrap)
    else:
        s = tt_gather(&out.v, &src.v, dim, &index.v, wrap)
    check(s)
    return out


def scatter_(TensorBase dst, int dim, TensorBase index, src, op=None, bint wrap=False):
    """dst[p with p[dim] = index[p]] op= src[p] in place (src a tensor or a number)."""
    cdef tt_scatter_op code = SCATTER_OPS[op]
    cdef tt_view sv
    cdef tt_storage fake
    cdef int64_t buf
    if isinstance(src, TensorBase):
        sv = (<TensorBase>src).v
    else:
        tt_scalar_to(&buf, dst.v.dtype, to_scalar(src))
        tt_scalar_view(&sv, &fake, &buf, dst.v.dtype)
    cdef tt_status s
    if tt_view_numel(&index.v) >= NOGIL_NUMEL:
        with nogil:
            s = tt_scatter(&dst.v, dim, &index.v, &sv, code, wrap)
    else:
        s = tt_scatter(&dst.v, dim, &index.v, &sv, code, wrap)
    check(s)
    dst.v.storage.version += 1
    return dst


def flip(TensorBase src, dims):
    """A copy of src with the listed (wrapped, distinct) dims reversed."""
    cdef int d[TT_MAX_DIMS]
    cdef int n = len(dims), k
    for k in range(n):
        d[k] = dims[k]
    cdef TensorBase out = new_empty(src.v.dtype, src.v.ndim, src.v.shape)
    cdef const tt_view *ins[1]
    ins[0] = &src.v
    if src.v.ndim > 1:      # torch lays the copy out like src (empty_like, preserve)
        tt_elementwise_strides(out.v.strides, src.v.ndim, src.v.shape, 1, ins)
    cdef tt_status s
    if tt_view_numel(&src.v) >= NOGIL_NUMEL:
        with nogil:
            s = tt_flip(&out.v, &src.v, n, d)
    else:
        s = tt_flip(&out.v, &src.v, n, d)
    check(s)
    return out


def histc(TensorBase src, int64_t bins, double lo, double hi):
    """Counts of src's values in `bins` equal bins over [lo, hi], in src's dtype."""
    cdef TensorBase out = new_empty(src.v.dtype, 1, &bins)
    cdef tt_scalar zero
    zero.f = 0
    zero.i = 0
    zero.is_float = False
    cdef tt_status s = tt_fill(&out.v, zero)
    if s == TT_OK:
        if tt_view_numel(&src.v) >= NOGIL_NUMEL:
            with nogil:
                s = tt_histc(&out.v, &src.v, lo, hi)
        else:
            s = tt_histc(&out.v, &src.v, lo, hi)
    check_kernel(s)
    return out


def repeat_index(TensorBase repeats, int64_t total):
    """[0]*repeats[0] + [1]*repeats[1] + ... as an int64 tensor of length total."""
    cdef TensorBase out = new_empty(TT_INT64, 1, &total)
    check(tt_repeat_index(&out.v, &repeats.v))
    return out


def tril(TensorBase src, int64_t k, bint upper, TensorBase out=None):
    """tril (or triu) of the last two dims, into out (a new tensor, or in place)."""
    if out is None:
        out = new_empty(src.v.dtype, src.v.ndim, src.v.shape)
    cdef tt_status s
    if tt_view_numel(&src.v) >= NOGIL_NUMEL:
        with nogil:
            s = tt_tril(&out.v, &src.v, k, upper)
    else:
        s = tt_tril(&out.v, &src.v, k, upper)
    check(s)
    if out is src:
        out.v.storage.version += 1
    return out


# ---- linear algebra (float64, contiguous) ----------------------------------------------
cdef inline TensorBase like_batch(TensorBase a, int64_t rows, int64_t cols, tt_dtype dt):
    """A new tensor of a's batch shape followed by (rows, cols); cols < 0: no last dim."""
    cdef int64_t shape[TT_MAX_DIMS]
    cdef int nb = a.v.ndim - 2, i
    for i in range(nb):
        shape[i] = a.v.shape[i]
    shape[nb] = rows
    if cols < 0:
        return new_empty(dt, nb + 1, shape)
    shape[nb + 1] = cols
    return new_empty(dt, nb + 2, shape)


def lu_factor(TensorBase a):
    """(LU, pivots, info) of a copy of a: partial-pivot LU per matrix."""
    cdef TensorBase lu = clone(a)
    cdef int64_t n = a.v.shape[a.v.ndim - 1]
    cdef TensorBase piv = like_batch(a, n, -1, TT_INT64)
    cdef TensorBase info = like_batch(a, 1, -1, TT_INT64)
    cdef tt_status s
    with nogil:
        s = tt_lu_factor(&lu.v, &piv.v, &info.v)
    check(s)
    return lu, piv, info


def lu_solve_(TensorBase b, TensorBase lu, TensorBase pivots):
    """Solve A X = B in place in b from lu_factor's output."""
    cdef tt_status s
    with nogil:
        s = tt_lu_solve(&b.v, &lu.v, &pivots.v)
    check(s)
    return b


def lu_det(TensorBase lu, TensorBase pivots):
    """(sign, log|det|, det) per matrix from lu_factor's output (float64)."""
    cdef TensorBase sign = like_batch(lu, 1, -1, TT_FLOAT64)
    cdef TensorBase logabs = like_batch(lu, 1, -1, TT_FLOAT64)
    cdef TensorBase det = like_batch(lu, 1, -1, TT_FLOAT64)
    check(tt_lu_det(&sign.v, &logabs.v, &det.v, &lu.v, &pivots.v))
    return sign, logabs, det


def solve_triangular_(TensorBase b, TensorBase a, bint upper, bint unit=False):
    """Solve A X = B in place in b for triangular A."""
    cdef tt_status s
    with nogil:
        s = tt_solve_triangular(&b.v, &a.v, upper, unit)
    check(s)
    return b


def cholesky_(TensorBase a):
    """Replace a by its lower Cholesky factor; returns info."""
    cdef TensorBase info = like_batch(a, 1, -1, TT_INT64)
    cdef tt_status s
    with nogil:
        s = tt_cholesky(&a.v, &info.v)
    check(s)
    return info


def qr(TensorBase a, bint complete=False, bint compute_q=True):
    """(Q, R) by Householder reflections; Q is None when not computed."""
    cdef int64_t m = a.v.shape[a.v.ndim - 2], n = a.v.shape[a.v.ndim - 1]
    cdef int64_t k = m if complete else (m if m < n else n)
    cdef TensorBase r = like_batch(a, k, n, TT_FLOAT64)
    cdef TensorBase q = like_batch(a, m, k, TT_FLOAT64) if compute_q else None
    cdef const tt_view *qv = &q.v if q is not None else NULL
    cdef tt_status s
    with nogil:
        s = tt_qr(qv, &r.v, &a.v)
    check(s)
    return q, r


def eigh(TensorBase a):
    """(eigenvalues ascending, eigenvectors as columns) of symmetric matrices."""
    cdef int64_t n = a.v.shape[a.v.ndim - 1]
    cdef TensorBase w = like_batch(a, n, -1, TT_FLOAT64)
    cdef TensorBase v = like_batch(a, n, n, TT_FLOAT64)
    cdef tt_status s
    with nogil:
        s = tt_eigh(&w.v, &v.v, &a.v)
    check(s)
    return w, v


def svd(TensorBase a, bint full_matrices=True, bint compute_uv=True):
    """(U, S, Vh) of matrices with rows >= cols (U, Vh None when not computed)."""
    cdef int64_t m = a.v.shape[a.v.ndim - 2], n = a.v.shape[a.v.ndim - 1]
    cdef TensorBase sv = like_batch(a, n, -1, TT_FLOAT64)
    cdef TensorBase u = like_batch(a, m, m if full_matrices else n, TT_FLOAT64) \
        if compute_uv else None
    cdef TensorBase vt = like_batch(a, n, n, TT_FLOAT64) if compute_uv else None
    cdef const tt_view *uv = &u.v if u is not None else NULL
    cdef const tt_view *vv = &vt.v if vt is not None else NULL
    cdef tt_status s
    with nogil:
        s = tt_svd(uv, &sv.v, vv, &a.v)
    check(s)
    return u, sv, vt
