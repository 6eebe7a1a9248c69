/* index.c -- advanced indexing: gather by integer index tensors, scatter into them,
 * and nonzero (which turns boolean masks into index tensors).
 *
 * Python arranges the views (moves the indexed dims to the front, broadcasts the
 * index tensors to one shape B, converts them to int64); this file only walks them.
 * For each position b of B it computes one offset into src from the indices, then
 * copies the block of the remaining dims with the strided iterator (or one element
 * directly when there are no remaining dims). */
#include <stdlib.h>
#include <string.h>

#include "ctensor.h"
#include "internal.h"

/* offsets[b] = sum_k index_k[b] * src.strides[k], every index checked and wrapped */
static tt_status
index_offsets(int64_t *offsets, int64_t nb, const tt_view *src, int nadv,
              const tt_view *const *index, int bdim)
{
    int64_t coord[TT_MAX_DIMS] = {0};
    const int64_t *bshape = index[0]->shape;
    for (int64_t b = 0; b < nb; b++) {
        int64_t off = 0;
        for (int k = 0; k < nadv; k++) {
            const tt_view *ix = index[k];
            const int64_t *p = (const int64_t *)tt_view_data(ix);
            for (int d = 0; d < bdim; d++)
                p += coord[d] * ix->strides[d];
            int64_t i = *p, size = src->shape[k];
            if (i < -size || i >= size)
                return tt_fail(TT_EINDEX, "index %lld is out of bounds for dimension %d "
                               "with size %lld", (long long)i, k, (long long)size);
            if (i < 0)
                i += size;
            off += i * src->strides[k];
        }
        offsets[b] = off;
        for (int d = bdim - 1; d >= 0; d--) {
            if (++coord[d] < bshape[d])
                break;
            coord[d] = 0;
        }
    }
    return TT_OK;
}

/* the view of src's remaining dims at element offset off */
static void
rest_view(tt_view *v, const tt_view *t, int skip, int64_t extra_offset)
{
    v->storage = t->storage;
    v->dtype = t->dtype;
    v->offset = t->offset + extra_offset;
    v->ndim = t->ndim - skip;
    memcpy(v->shape, t->shape + skip, sizeof(int64_t) * (size_t)v->ndim);
    memcpy(v->strides, t->strides + skip, sizeof(int64_t) * (size_t)v->ndim);
}

/* element offset of position b (row-major over the first bdim dims of t) */
static int64_t
block_offset(const tt_view *t, int bdim, int64_t b)
{
    int64_t off = 0;
    for (int d = bdim - 1; d >= 0; d--) {
        off += (b % t->shape[d]) * t->strides[d];
        b /= t->shape[d];
    }
    return off;
}

static tt_status
gather_or_scatter(const tt_view *dst, const tt_view *src, int nadv,
                  const tt_view *const *index, bool scatter, bool accumulate)
{
    /* dst/src roles: gather reads src at offsets, writes out (dst) row-major;
     * scatter reads values (src) row-major, writes dst at offsets */
    const tt_view *indexed = scatter ? dst : src;
    const tt_view *dense = scatter ? src : dst;
    int bdim = index[0]->ndim;
    int64_t nb = 1;
    for (int d = 0; d < bdim; d++)
        nb *= index[0]->shape[d];
    int64_t rest = 1;
    for (int d = nadv; d < indexed->ndim; d++)
        rest *= indexed->shape[d];
    if (nb == 0)
        return TT_OK;
    int64_t *offsets = malloc(sizeof(int64_t) * (size_t)nb);
    if (!offsets)
        return tt_fail(TT_ENOMEM, "out of memory for %lld index offsets", (long long)nb);
    tt_status s = index_offsets(offsets, nb, indexed, nadv, index, bdim);
    if (s || rest == 0)
        goto done;
    int itemsize = tt_dtypes[dst->dtype].itemsize;
    bool scalar_rows = indexed->ndim == nadv;
    for (int64_t b = 0; b < nb && !s; b++) {
        int64_t dense_off = block_offset(dense, bdim, b);
        if (scalar_rows && !accumulate) {
            char *from = scatter ? tt_view_data(dense) + dense_off * itemsize
                                 : tt_view_data(indexed) + offsets[b] * itemsize;
            char *to = scatter ? tt_view_data(indexed) + offsets[b] * itemsize
                               : tt_view_data(dense) + dense_off * itemsize;
            memcpy(to, from, (size_t)itemsize);
            continue;
        }
        tt_view a, d;
        rest_view(&a, indexed, nadv, offsets[b]);
        rest_view(&d, dense, bdim, dense_off);
        if (scatter) {
            if (accumulate) {
                /* through tt_binary: its loops read their arguments from `extra` */
                s = tt_binary(&a, &a, &d, TT_BIN_ADD, NULL);
            } else {
                s = tt_copy(&a, &d);
            }
        } else {
            s = tt_copy(&d, &a);
        }
    }
done:
    free(offsets);
    return s;
}

tt_status
tt_index_gather(const tt_view *out, const tt_view *src, int nadv,
                const tt_view *const *index)
{
    return gather_or_scatter(out, src, nadv, index, false, false);
}

tt_status
tt_index_scatter(const tt_view *dst, int nadv, const tt_view *const *index,
                 const tt_view *values, bool accumulate)
{
    if (accumulate && !tt_binary_supports(TT_BIN_ADD, dst->dtype))
        return tt_fail(TT_EDTYPE, "index_put_ with accumulate=True is not supported "
                       "for %s", tt_dtypes[dst->dtype].name);
    return gather_or_scatter(dst, values, nadv, index, true, accumulate);
}

tt_status
tt_nonzero(tt_view *out, const tt_view *src)
{
    int nd = src->ndim;
    int64_t n = tt_view_numel(src), count = 0;
    int itemsize = tt_dtypes[src->dtype].itemsize;
    int64_t coord[TT_MAX_DIMS] = {0};
    /* two passes over the coordinates in row-major order: count, then write */
    for (int pass = 0; pass < 2; pass++) {
        int64_t *w = pass ? (int64_t *)tt_view_data(out) : NULL;
        memset(coord, 0, sizeof coord);
        for (int64_t e = 0; e < n; e++) {
            const char *p = tt_view_data(src);
            for (int d = 0; d < nd; d++)
                p += coord[d] * src->strides[d] * itemsize;
            bool nz = false;
            for (int byte = 0; byte < itemsize; byte++)
                nz |= p[byte] != 0;
            if (nz && (src->dtype == TT_FLOAT16 || src->dtype == TT_FLOAT32 ||
                       src->dtype == TT_FLOAT64 || src->dtype == TT_BFLOAT16)) {
                double f;
                int64_t i;
                tt_read_scalar(src, coord, &f, &i);
                nz = f != 0.0;          /* -0.0 has a set bit but is zero */
            }
            if (nz) {
                if (pass)
                    for (int d = 0; d < nd; d++)
                        *w++ = coord[d];
                else
                    count++;
            }
            for (int d = nd - 1; d >= 0; d--) {
                if (++coord[d] < src->shape[d])
                    break;
                coord[d] = 0;
            }
        }
        if (!pass) {
            int64_t shape[2] = {count, nd};
            tt_status s = tt_empty(out, TT_INT64, 2, shape);
            if (s)
                return s;
        }
    }
    return TT_OK;
}
