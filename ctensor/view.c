/* view.c -- views: new shapes and strides over the same storage, never touching data.
 *
 * A view is (storage, dtype, shape, strides, offset) with strides in elements.  Every
 * function here fills an output tt_view from an input one; reference counting is the
 * caller's (the Cython Tensor holds one reference per view).  Sizes are int64 and every
 * product is overflow-checked, so zeros(2**40, 2**40) fails cleanly before malloc. */
#include <stdio.h>
#include <string.h>

#include "ctensor.h"

tt_status
tt_numel(int64_t *out, int ndim, const int64_t *shape)
{
    int64_t n = 1;
    bool zero = false;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0)
            return tt_fail(TT_EVALUE, "Trying to create tensor with negative dimension "
                           "%lld: [%lld]", (long long)shape[i], (long long)shape[i]);
        if (shape[i] == 0)
            zero = true;
    }
    for (int i = 0; i < ndim && !zero; i++) {
        if (__builtin_mul_overflow(n, shape[i], &n))
            return tt_fail(TT_EVALUE, "numel: integer multiplication overflow "
                           "(the shape has too many elements)");
    }
    *out = zero ? 0 : n;
    return TT_OK;
}

void
tt_contiguous_strides(int64_t *strides, int ndim, const int64_t *shape)
{
    int64_t s = 1;
    for (int i = ndim - 1; i >= 0; i--) {
        strides[i] = s;
        s *= shape[i] > 1 ? shape[i] : 1;
    }
}

bool
tt_is_contiguous(const tt_view *v)
{
    /* as torch: size-1 dims may have any stride; an empty tensor is contiguous */
    int64_t expected = 1;
    for (int i = v->ndim - 1; i >= 0; i--) {
        if (v->shape[i] == 0)
            return true;
        if (v->shape[i] != 1) {
            if (v->strides[i] != expected)
                return false;
            expected *= v->shape[i];
        }
    }
    return true;
}

tt_status
tt_empty(tt_view *out, tt_dtype dtype, int ndim, const int64_t *shape)
{
    if (ndim < 0 || ndim > TT_MAX_DIMS)
        return tt_fail(TT_EVALUE, "tensors may have at most %d dimensions, got %d",
                       TT_MAX_DIMS, ndim);
    int64_t n, nbytes;
    tt_status s = tt_numel(&n, ndim, shape);
    if (s)
        return s;
    if (__builtin_mul_overflow(n, (int64_t)tt_dtypes[dtype].itemsize, &nbytes))
        return tt_fail(TT_EVALUE, "numel: integer multiplication overflow "
                       "(the tensor would have more than 2^63 bytes)");
    s = tt_storage_new(&out->storage, nbytes);
    if (s)
        return s;
    out->dtype = dtype;
    out->ndim = ndim;
    out->offset = 0;
    memcpy(out->shape, shape, sizeof(int64_t) * (size_t)ndim);
    tt_contiguous_strides(out->strides, ndim, shape);
    return TT_OK;
}

static void
copy_header(tt_view *out, const tt_view *in)
{
    out->storage = in->storage;
    out->dtype = in->dtype;
    out->offset = in->offset;
}

static void
format_shape(char *buf, size_t cap, int ndim, const int64_t *shape)
{
    size_t used = 0;
    buf[0] = 0;
    used += (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < ndim && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, i ? ", %lld" : "%lld",
                                 (long long)shape[i]);
    if (used < cap)
        snprintf(buf + used, cap - used, "]");
}

/* Note [view strides]: a reshape is a view when each run of old dims that merges into
 * or splits from new dims is itself contiguous (stride[i] == stride[i+1] * size[i+1]).
 * Walk the old dims from the innermost, collecting such runs ("chunks"), and give the
 * new dims that cover each chunk strides derived from the chunk's innermost stride. */
static bool
view_strides(int64_t *new_strides, const tt_view *in, int ndim, const int64_t *shape,
             int64_t numel)
{
    if (numel == 0) {
        /* as torch: an empty tensor keeps its strides when the shape is unchanged */
        if (ndim == in->ndim && !memcmp(shape, in->shape, sizeof(int64_t) * (size_t)ndim))
            memcpy(new_strides, in->strides, sizeof(int64_t) * (size_t)ndim);
        else
            tt_contiguous_strides(new_strides, ndim, shape);
        return true;
    }
    if (in->ndim == 0) {            /* one element: any shape of numel 1 is a view */
        for (int i = 0; i < ndim; i++)
            new_strides[i] = 1;
        return true;
    }
    int view_d = ndim - 1;
    int64_t chunk_base_stride = in->ndim ? in->strides[in->ndim - 1] : 1;
    int64_t tensor_numel = 1, view_numel = 1;
    for (int d = in->ndim - 1; d >= 0; d--) {
        tensor_numel *= in->shape[d];
        /* a chunk ends where the old dims stop being contiguous with each other */
        if (d == 0 || (in->shape[d - 1] != 1 &&
                       in->strides[d - 1] != tensor_numel * chunk_base_stride)) {
            while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
                new_strides[view_d] = view_numel * chunk_base_stride;
                view_numel *= shape[view_d];
                view_d--;
            }
            if (view_numel != tensor_numel)
                return false;
            if (d > 0) {
                chunk_base_stride = in->strides[d - 1];
                tensor_numel = 1;
                view_numel = 1;
            }
        }
    }
    return view_d == -1;
}

tt_status
tt_view_reshape(tt_view *out, const tt_view *in, int ndim, const int64_t *shape)
{
    int64_t n_old = tt_view_numel(in), n_new;
    tt_status s = tt_numel(&n_new, ndim, shape);
    if (s)
        return s;
    if (n_old != n_new) {
        char buf[512];
        format_shape(buf, sizeof buf, ndim, shape);
        return tt_fail(TT_ESHAPE, "shape '%s' is invalid for input of size %lld", buf,
                       (long long)n_old);
    }
    int64_t strides[TT_MAX_DIMS];
    if (!view_strides(strides, in, ndim, shape, n_new))
        return tt_fail(TT_ESHAPE, "view size is not compatible with input tensor's size "
                       "and stride (at least one dimension spans across two contiguous "
                       "subspaces). Use .reshape(...) instead.");
    copy_header(out, in);
    out->ndim = ndim;
    memcpy(out->shape, shape, sizeof(int64_t) * (size_t)ndim);
    memcpy(out->strides, strides, sizeof(int64_t) * (size_t)ndim);
    return TT_OK;
}

tt_status
tt_view_as_strided(tt_view *out, const tt_view *in, int ndim, const int64_t *shape,
                   const int64_t *strides, int64_t offset)
{
    if (ndim < 0 || ndim > TT_MAX_DIMS)
        return tt_fail(TT_EVALUE, "as_strided: at most %d dims", TT_MAX_DIMS);
    if (offset < 0)
        return tt_fail(TT_ERUNTIME, "Tensor: invalid storage offset %lld",
                       (long long)offset);
    /* bounds check: the farthest element must lie inside the storage */
    int64_t last = offset, numel;
    tt_status s = tt_numel(&numel, ndim, shape);
    if (s)
        return s;
    for (int i = 0; i < ndim && numel > 0; i++) {
        if (strides[i] < 0)
            return tt_fail(TT_ERUNTIME, "as_strided: Negative strides are not supported "
                           "at the moment, got strides: %lld", (long long)strides[i]);
        int64_t reach;
        if (__builtin_mul_overflow(shape[i] - 1, strides[i], &reach) ||
            __builtin_add_overflow(last, reach, &last))
            return tt_fail(TT_ERUNTIME, "as_strided: size and stride overflow");
    }
    int64_t itemsize = tt_dtypes[in->dtype].itemsize;
    if (numel > 0 && (last + 1) * itemsize > in->storage->nbytes)
        return tt_fail(TT_ERUNTIME, "setStorage: sizes and strides are out of bounds for "
                       "storage of size %lld bytes (needs %lld)",
                       (long long)in->storage->nbytes, (long long)((last + 1) * itemsize));
    copy_header(out, in);
    out->ndim = ndim;
    out->offset = offset;
    memcpy(out->shape, shape, sizeof(int64_t) * (size_t)ndim);
    memcpy(out->strides, strides, sizeof(int64_t) * (size_t)ndim);
    return TT_OK;
}

tt_status
tt_view_permute(tt_view *out, const tt_view *in, const int *perm)
{
    bool seen[TT_MAX_DIMS] = {false};
    tt_view tmp;
    for (int i = 0; i < in->ndim; i++) {
        int p = perm[i];
        if (p < 0 || p >= in->ndim || seen[p])
            return tt_fail(TT_ERUNTIME, "permute(): duplicate dims are not allowed.");
        seen[p] = true;
        tmp.shape[i] = in->shape[p];
        tmp.strides[i] = in->strides[p];
    }
    copy_header(out, in);
    out->ndim = in->ndim;
    memcpy(out->shape, tmp.shape, sizeof(int64_t) * (size_t)in->ndim);
    memcpy(out->strides, tmp.strides, sizeof(int64_t) * (size_t)in->ndim);
    return TT_OK;
}

tt_status
tt_view_expand(tt_view *out, const tt_view *in, int ndim, const int64_t *shape)
{
    if (ndim < in->ndim) {
        char a[512], b[512];
        format_shape(a, sizeof a, ndim, shape);
        format_shape(b, sizeof b, in->ndim, in->shape);
        return tt_fail(TT_ERUNTIME, "expand(torch.FloatTensor{%s}, size=%s): the number of "
                       "sizes provided (%d) must be greater or equal to the number of "
                       "dimensions in the tensor (%d)", b, a, ndim, in->ndim);
    }
    int64_t new_shape[TT_MAX_DIMS], new_strides[TT_MAX_DIMS];
    for (int i = ndim - 1; i >= 0; i--) {
        int j = i - (ndim - in->ndim);           /* matching input dim, or < 0 */
        int64_t want = shape[i];
        if (j >= 0) {
            int64_t have = in->shape[j];
            if (want == -1)
                want = have;
            if (have == want) {
                new_strides[i] = in->strides[j];
            } else if (have == 1 && want >= 0) {
                new_strides[i] = 0;
            } else {
                return tt_fail(TT_ERUNTIME, "The expanded size of the tensor (%lld) must "
                               "match the existing size (%lld) at non-singleton dimension "
                               "%d.  Target sizes: ...  Tensor sizes: ...",
                               (long long)want, (long long)have, i);
            }
        } else {
            if (want < 0)
                return tt_fail(TT_ERUNTIME, "The expanded size of the tensor (%lld) isn't "
                               "allowed in a leading, non-existing dimension %d",
                               (long long)want, i);
            new_strides[i] = 0;
        }
        new_shape[i] = want;
    }
    int64_t numel;
    if (tt_numel(&numel, ndim, new_shape))      /* every later numel() would wrap */
        return tt_fail(TT_ERUNTIME, "numel: integer multiplication overflow");
    copy_header(out, in);
    out->ndim = ndim;
    memcpy(out->shape, new_shape, sizeof(int64_t) * (size_t)ndim);
    memcpy(out->strides, new_strides, sizeof(int64_t) * (size_t)ndim);
    return TT_OK;
}

tt_status
tt_view_slice(tt_view *out, const tt_view *in, int dim, int64_t start, int64_t stop,
              int64_t step)
{
    /* start/stop are already clamped to [0, size] by the caller (Python semantics) */
    if (step <= 0)
        return tt_fail(TT_EVALUE, "step must be greater than zero");
    int64_t len = stop > start ? (stop - start + step - 1) / step : 0;
    *out = *in;
    if (len > 0)
        out->offset = in->offset + start * in->strides[dim];
    out->shape[dim] = len;
    out->strides[dim] = in->strides[dim] * step;
    return TT_OK;
}

tt_status
tt_view_select(tt_view *out, const tt_view *in, int dim, int64_t index)
{
    int64_t size = in->shape[dim];
    if (index < -size || index >= size)
        return tt_fail(TT_EINDEX, "index %lld is out of bounds for dimension %d with "
                       "size %lld", (long long)index, dim, (long long)size);
    if (index < 0)
        index += size;
    *out = *in;
    out->offset = in->offset + index * in->strides[dim];
    for (int i = dim; i < in->ndim - 1; i++) {
        out->shape[i] = in->shape[i + 1];
        out->strides[i] = in->strides[i + 1];
    }
    out->ndim = in->ndim - 1;
    return TT_OK;
}

tt_status
tt_broadcast_shape(int *ndim, int64_t *shape, int n, const tt_view *const *views)
{
    /* torch's infer_size, folded over the operands: the shape so far (a) meets each
       view (b) from the right, so an error names the rightmost mismatch, counted in
       the dims of that pair */
    int nd = 0;
    for (int k = 0; k < n; k++)
        if (views[k]->ndim > nd)
            nd = views[k]->ndim;
    for (int i = 0; i < nd; i++)
        shape[i] = 1;
    int so_far = 0;                                  /* dims of the shape so far */
    for (int k = 0; k < n; k++) {
        const tt_view *v = views[k];
        int pair = v->ndim > so_far ? v->ndim : so_far;
        for (int o = 0; o < pair; o++) {             /* o counts dims from the right */
            int i = nd - 1 - o;
            int64_t a = shape[i], b = o < v->ndim ? v->shape[v->ndim - 1 - o] : 1;
            if (a != b && a != 1 && b != 1)
                return tt_fail(TT_ESHAPE, "The size of tensor a (%lld) must match the "
                               "size of tensor b (%lld) at non-singleton dimension %d",
                               (long long)a, (long long)b, pair - 1 - o);
            if (a == 1)
                shape[i] = b;
        }
        so_far = pair;
    }
    *ndim = nd;
    return TT_OK;
}
