/* sort.c -- work along one dim: sort, topk, kthvalue, median, mode, cummax/cummin,
 * searchsorted and unique.
 *
 * These ops see a tensor as rows along `dim`.  The strided iterator walks the other
 * dims (every operand viewed with `dim` dropped) and calls a row kernel, which does the
 * 1-D work with the row's stride.  A kernel loads its row as (key, index) pairs, where
 * the key is a uint64 whose unsigned order is torch's order of the values (order.h,
 * Note [order keys]): one set of sorting routines then serves every dtype.  Values are written back
 * by copying the element an index points to, so results keep their exact bits.
 *
 * Which algorithm runs decides the order of ties, so each op uses the one torch uses
 * (stl_order.c, Note [torch's tie order]).  Gathering, scattering and counting live in gather.c. */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "ctensor.h"
#include "internal.h"
#include "order.h"


/* the key of element i of a row at p with byte stride s */
static uint64_t
key_at(const char *p, int64_t s, int64_t i, tt_dtype dt)
{
    p += i * s;
    switch (dt) {
    case TT_BOOL: return *(const bool *)p;
    case TT_UINT8: return *(const uint8_t *)p;
    case TT_INT8: return tt_int_key(*(const int8_t *)p);
    case TT_INT16: return tt_int_key(*(const int16_t *)p);
    case TT_INT32: return tt_int_key(*(const int32_t *)p);
    case TT_INT64: return tt_int_key(*(const int64_t *)p);
    case TT_FLOAT16: return tt_double_key(tt_f16_to_f32(*(const uint16_t *)p));
    case TT_BFLOAT16: return tt_double_key(tt_bf16_to_f32(*(const uint16_t *)p));
    case TT_FLOAT32: return tt_double_key(*(const float *)p);
    default: return tt_double_key(*(const double *)p);
    }
}

/* buf[i] = (key of row[i], i); the switch sits outside the loop for speed */
static void
load_keys(tt_keyed *buf, const char *p, int64_t s, int64_t n, tt_dtype dt, bool complement)
{
#define LOAD(T, KEYFN)                                                                  \
    for (int64_t i = 0; i < n; i++) {                                                   \
        buf[i].key = KEYFN(*(const T *)(p + i * s));                                    \
        buf[i].index = i;                                                               \
    }                                                                                   \
    break
    switch (dt) {
    case TT_FLOAT32: LOAD(float, tt_double_key);
    case TT_FLOAT64: LOAD(double, tt_double_key);
    case TT_INT64: LOAD(int64_t, tt_int_key);
    case TT_INT32: LOAD(int32_t, tt_int_key);
    default:
        for (int64_t i = 0; i < n; i++) {
            buf[i].key = key_at(p, s, i, dt);
            buf[i].index = i;
        }
    }
#undef LOAD
    if (complement)
        for (int64_t i = 0; i < n; i++)
            buf[i].key = ~buf[i].key;
}

/* ---- a stable sort ----------------------------------------------------------------- */
/* Merge sort: insertion-sorted runs of 32, then merges between buf and tmp; radix sort
 * for long rows.  Both are stable, so the output is the one order std::stable_sort
 * (torch's stable=True) gives. */
#define RUN 32

static void
insertion_sort_stable(tt_keyed *a, int64_t n)
{
    for (int64_t i = 1; i < n; i++) {
        tt_keyed v = a[i];
        int64_t j = i;
        while (j > 0 && v.key < a[j - 1].key) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

static void
merge(tt_keyed *out, const tt_keyed *a, int64_t na, const tt_keyed *b, int64_t nb)
{
    int64_t i = 0, j = 0, k = 0;
    while (i < na && j < nb)
        out[k++] = b[j].key < a[i].key ? b[j++] : a[i++];    /* ties: a first */
    while (i < na)
        out[k++] = a[i++];
    while (j < nb)
        out[k++] = b[j++];
}

/* LSD radix sort on the key bytes, also stable; one pass per byte that varies (the
 * low bytes of a float32 widened to double never do).  Faster than merging from a few
 * thousand elements on. */
#define RADIX_MIN 2048

static void
radix_sort(tt_keyed *buf, tt_keyed *tmp, int64_t n)
{
    int64_t count[8][256];
    memset(count, 0, sizeof count);
    for (int64_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            count[b][(buf[i].key >> (8 * b)) & 0xff]++;
    tt_keyed *from = buf, *to = tmp;
    for (int b = 0; b < 8; b++) {
        if (count[b][(buf[0].key >> (8 * b)) & 0xff] == n)
            continue;                       /* every key has this byte: nothing to do */
        int64_t offset[256], sum = 0;
        for (int v = 0; v < 256; v++) {
            offset[v] = sum;
            sum += count[b][v];
        }
        for (int64_t i = 0; i < n; i++)
            to[offset[(from[i].key >> (8 * b)) & 0xff]++] = from[i];
        tt_keyed *t = from;
        from = to;
        to = t;
    }
    if (from != buf)
        memcpy(buf, from, sizeof(tt_keyed) * (size_t)n);
}

/* sorts buf[0..n) using tmp[0..n) as scratch; the result ends in buf */
static void
stable_sort(tt_keyed *buf, tt_keyed *tmp, int64_t n)
{
    if (n >= RADIX_MIN) {
        radix_sort(buf, tmp, n);
        return;
    }
    for (int64_t i = 0; i < n; i += RUN)
        insertion_sort_stable(buf + i, n - i < RUN ? n - i : RUN);
    tt_keyed *from = buf, *to = tmp;
    for (int64_t width = RUN; width < n; width *= 2) {
        for (int64_t lo = 0; lo < n; lo += 2 * width) {
            int64_t mid = lo + width < n ? lo + width : n;
            int64_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            merge(to + lo, from + lo, mid - lo, from + mid, hi - mid);
        }
        tt_keyed *t = from;
        from = to;
        to = t;
    }
    if (from != buf)
        memcpy(buf, from, sizeof(tt_keyed) * (size_t)n);
}

/* torch's quick_select_template (kthvalue): after it, a[k] is the k-th smallest */
static void
quick_select(tt_keyed *a, int64_t n, int64_t k)
{
    int64_t lo = 0, hi = n - 1;
    for (;;) {
        if (hi <= lo)
            return;
        if (hi == lo + 1) {
            if (a[lo].key > a[hi].key)
                tt_swap_keyed(&a[lo], &a[hi]);
            return;
        }
        tt_swap_keyed(&a[(lo + hi) >> 1], &a[lo + 1]);
        if (a[lo + 1].key > a[hi].key)
            tt_swap_keyed(&a[lo + 1], &a[hi]);
        if (a[lo].key > a[hi].key)
            tt_swap_keyed(&a[lo], &a[hi]);
        if (a[lo + 1].key > a[lo].key)
            tt_swap_keyed(&a[lo + 1], &a[lo]);
        int64_t i = lo + 1, j = hi;
        uint64_t pivot = a[lo].key;
        for (;;) {
            do
                i++;
            while (i < hi && pivot > a[i].key);
            do
                j--;
            while (j > lo && a[j].key > pivot);
            if (j < i)
                break;
            tt_swap_keyed(&a[i], &a[j]);
        }
        tt_swap_keyed(&a[lo], &a[j]);
        if (j <= k)
            lo = i;
        if (j >= k)
            hi = j - 1;
    }
}

/* ---- the row driver ---------------------------------------------------------------- */
typedef enum { ROW_SORT, ROW_TOPK, ROW_KTHVALUE, ROW_MEDIAN, ROW_MODE, ROW_CUMMAX,
               ROW_CUMMIN } row_op;

typedef struct {
    row_op op;
    tt_dtype dtype;
    int itemsize;
    int64_t n;                  /* row length of src */
    int64_t src_step;           /* byte strides along dim */
    int64_t val_step;
    int64_t idx_step;
    int64_t k;                  /* topk's k, kthvalue's k - 1 */
    bool flag;                  /* sort: descending; topk: largest; median: skip NaN */
    bool stable;                /* sort: stable; topk: sorted; median: all elements */
    _Atomic int failed;         /* a row could not get scratch memory */
} row_job;

/* values[j] = src[index], indices[j] = index */
static inline void
emit(const row_job *job, char *val, char *idx, int64_t j, const char *src, int64_t index)
{
    memcpy(val + j * job->val_step, src + index * job->src_step, (size_t)job->itemsize);
    *(int64_t *)(idx + j * job->idx_step) = index;
}

/* Does torch use std::sort for sort(stable=False) here?  Not for the dtypes it sends to
 * x86-simd-sort (whose tie order follows its vector code), nor for the large 1-D
 * ascending integer sorts it gives to fbgemm's (stable) radix sort. */
static bool
torch_uses_stl_sort(tt_dtype d, int64_t n, bool descending, bool one_row)
{
    if (d == TT_INT64 || d == TT_INT32 || d == TT_FLOAT32 || d == TT_FLOAT64)
        return false;
    bool integral = d == TT_UINT8 || d == TT_INT8 || d == TT_INT16;
    return !(one_row && integral && !descending && n >= 32768);
}

static void
sort_row(const row_job *job, tt_keyed *buf, tt_keyed *tmp, char *val, char *idx,
         const char *src, bool one_row)
{
    int64_t n = job->n;
    if (job->src_step == 0) {                   /* torch keeps the order as it is */
        for (int64_t j = 0; j < n; j++)
            emit(job, val, idx, j, src, j);
        return;
    }
    load_keys(buf, src, job->src_step, n, job->dtype, job->flag);
    if (job->stable || !torch_uses_stl_sort(job->dtype, n, job->flag, one_row))
        stable_sort(buf, tmp, n);
    else
        tt_stl_sort(buf, buf + n, TT_CMP_KEY);
    for (int64_t j = 0; j < n; j++)
        emit(job, val, idx, j, src, buf[j].index);
}

static void
topk_row(const row_job *job, tt_keyed *buf, char *val, char *idx, const char *src)
{
    int64_t n = job->n, k = job->k;
    if (k == 0)
        return;
    load_keys(buf, src, job->src_step, n, job->dtype, job->flag);
    tt_topk_order(buf, n, k, job->stable);
    for (int64_t j = 0; j < k; j++)
        emit(job, val, idx, j, src, buf[j].index);
}

/* torch.median: the first NaN if any, else the lower median in (value, index) order;
 * nanmedian: the lower median of the non-NaN values.  Of all elements (job->stable set)
 * torch picks with std::nth_element instead, which decides between -0.0 and 0.0. */
static void
median_row(const row_job *job, tt_keyed *buf, tt_keyed *tmp, char *val, char *idx,
           const char *src)
{
    int64_t n = job->n, nan_count = 0;
    load_keys(buf, src, job->src_step, n, job->dtype, false);
    for (int64_t j = 0; j < n; j++) {
        if (buf[j].key == TT_NAN_KEY) {
            if (!job->flag) {
                emit(job, val, idx, 0, src, j);
                return;
            }
            nan_count++;
        }
    }
    int64_t mid = (n - nan_count - 1) / 2;
    if (job->stable)
        tt_stl_nth_element(buf, buf + mid, buf + n);
    else
        stable_sort(buf, tmp, n);   /* ties by index: the order torch's comparator gives */
    emit(job, val, idx, 0, src, buf[mid].index);
}

/* torch.mode: std::sort by value, then the first longest run; its last element's index */
static void
mode_row(const row_job *job, tt_keyed *buf, char *val, char *idx, const char *src)
{
    int64_t n = job->n, best = 0, run = 0, at = 0;
    load_keys(buf, src, job->src_step, n, job->dtype, false);
    tt_stl_sort(buf, buf + n, TT_CMP_MODE);
    for (int64_t j = 0; j < n; j++) {
        run++;
        if (j == n - 1 || buf[j].key != buf[j + 1].key || buf[j].key == TT_NAN_KEY) {
            if (run > best) {
                best = run;
                at = j;
            }
            run = 0;
        }
    }
    emit(job, val, idx, 0, src, buf[at].index);
}

/* cummax: a new element takes over when it is NaN or >= the running value, unless the
 * running value is NaN (so ties and NaNs take the later index, as torch) */
static void
cumextreme_row(const row_job *job, char *val, char *idx, const char *src)
{
    int64_t n = job->n, best = 0;
    uint64_t best_key = 0;
    bool is_max = job->op == ROW_CUMMAX;
    for (int64_t j = 0; j < n; j++) {
        uint64_t key = key_at(src, job->src_step, j, job->dtype);
        bool take;
        if (j == 0)
            take = true;
        else if (is_max)
            take = key >= best_key;
        else
            take = key == TT_NAN_KEY || (best_key != TT_NAN_KEY && key <= best_key);
        if (take) {
            best = j;
            best_key = key;
        }
        emit(job, val, idx, j, src, best);
    }
}

/* the iterator's loop: ptr = {values row, indices row, src row} for `count` rows */
static void
row_loop(char **ptr, const int64_t *step, int64_t count, const void *extra)
{
    row_job *job = (row_job *)extra;
    int64_t n = job->n;
    tt_keyed *buf = NULL;
    if (job->op != ROW_CUMMAX && job->op != ROW_CUMMIN && n > 0) {
        buf = malloc(sizeof(tt_keyed) * (size_t)n * 2);
        if (!buf) {
            job->failed = 1;
            return;
        }
    }
    tt_keyed *tmp = buf ? buf + n : NULL;
    char *val = ptr[0], *idx = ptr[1], *src = ptr[2];
    for (int64_t r = 0; r < count; r++) {
        if (n > 0) {
            switch (job->op) {
            case ROW_SORT: sort_row(job, buf, tmp, val, idx, src, false); break;
            case ROW_TOPK: topk_row(job, buf, val, idx, src); break;
            case ROW_KTHVALUE:
                load_keys(buf, src, job->src_step, n, job->dtype, false);
                quick_select(buf, n, job->k);
                emit(job, val, idx, 0, src, buf[job->k].index);
                break;
            case ROW_MEDIAN: median_row(job, buf, tmp, val, idx, src); break;
            case ROW_MODE: mode_row(job, buf, val, idx, src); break;
            default: cumextreme_row(job, val, idx, src); break;
            }
        }
        val += step[0];
        idx += step[1];
        src += step[2];
    }
    free(buf);
}

/* v with dimension dim removed */
static void
drop_dim(tt_view *out, const tt_view *v, int dim)
{
    *out = *v;
    out->ndim = v->ndim - 1;
    for (int d = dim; d < out->ndim; d++) {
        out->shape[d] = v->shape[d + 1];
        out->strides[d] = v->strides[d + 1];
    }
}

static tt_status
run_rows(const tt_view *values, const tt_view *indices, const tt_view *src, int dim,
         row_job *job)
{
    if (src->ndim < 1 || dim < 0 || dim >= src->ndim)
        return tt_fail(TT_EVALUE, "row kernel: dim %d out of range for %d dims", dim,
                       src->ndim);
    if (indices->dtype != TT_INT64 || values->dtype != src->dtype)
        return tt_fail(TT_EDTYPE, "row kernel: values must have the input's dtype and "
                       "indices int64");
    job->dtype = src->dtype;
    job->itemsize = tt_dtypes[src->dtype].itemsize;
    job->n = src->shape[dim];
    job->src_step = src->strides[dim] * job->itemsize;
    job->val_step = values->strides[dim] * job->itemsize;
    job->idx_step = indices->strides[dim] * (int64_t)sizeof(int64_t);
    job->failed = 0;
    tt_view v, i, s;
    drop_dim(&v, values, dim);
    drop_dim(&i, indices, dim);
    drop_dim(&s, src, dim);
    if (job->op == ROW_SORT && s.ndim == 0) {
        /* one row: the 1-D case, where torch may pick another algorithm */
        int64_t n = job->n;
        tt_keyed *buf = malloc(sizeof(tt_keyed) * (size_t)(n > 0 ? n : 1) * 2);
        if (!buf)
            return tt_fail(TT_ENOMEM, "sort: out of memory for %lld elements",
                           (long long)n);
        if (n > 0)
            sort_row(job, buf, buf + n, tt_view_data(values), tt_view_data(indices),
                     tt_view_data(src), true);
        free(buf);
        return TT_OK;
    }
    /* rows are independent: split them between threads once the work is large, counting
     * elements rather than rows (Note [when to thread] in iter.c) */
    const tt_view *in[2] = {&i, &s};
    tt_iter_plan plan;
    tt_status st = tt_iter_plan_build(&plan, &v, 2, in, 0);
    if (st)
        return st;
    int64_t rows = plan.numel;
    int threads = tt_get_num_threads();
    if (rows > 1 && threads > 1 && rows * job->n >= TT_PARALLEL_GRAIN)
        tt_parallel_for(rows < threads ? rows : threads, &plan, row_loop, job);
    else if (rows > 0)
        tt_iter_plan_range(&plan, row_loop, job, 0, rows);
    if (job->failed)
        return tt_fail(TT_ENOMEM, "out of memory for a row of %lld elements",
                       (long long)job->n);
    return TT_OK;
}

tt_status
tt_sort(const tt_view *values, const tt_view *indices, const tt_view *src, int dim,
        bool descending, bool stable)
{
    row_job job = {.op = ROW_SORT, .flag = descending, .stable = stable};
    return run_rows(values, indices, src, dim, &job);
}

tt_status
tt_topk(const tt_view *values, const tt_view *indices, const tt_view *src, int dim,
        int64_t k, bool largest, bool sorted)
{
    if (k < 0 || k > src->shape[dim])
        return tt_fail(TT_ERUNTIME, "selected index k out of range");
    row_job job = {.op = ROW_TOPK, .k = k, .flag = largest, .stable = sorted};
    return run_rows(values, indices, src, dim, &job);
}

tt_status
tt_kthvalue(const tt_view *values, const tt_view *indices, const tt_view *src, int dim,
            int64_t k)
{
    if (k < 1 || k > src->shape[dim])
        return tt_fail(TT_ERUNTIME, "kthvalue(): selected number k out of range for "
                       "dimension %d", dim);
    row_job job = {.op = ROW_KTHVALUE, .k = k - 1};
    return run_rows(values, indices, src, dim, &job);
}

tt_status
tt_median(const tt_view *values, const tt_view *indices, const tt_view *src, int dim,
          bool ignore_nan, bool all_elements)
{
    row_job job = {.op = ROW_MEDIAN, .flag = ignore_nan, .stable = all_elements};
    return run_rows(values, indices, src, dim, &job);
}

tt_status
tt_mode(const tt_view *values, const tt_view *indices, const tt_view *src, int dim)
{
    row_job job = {.op = ROW_MODE};
    return run_rows(values, indices, src, dim, &job);
}

tt_status
tt_cumextreme(const tt_view *values, const tt_view *indices, const tt_view *src, int dim,
              bool is_max)
{
    row_job job = {.op = is_max ? ROW_CUMMAX : ROW_CUMMIN};
    return run_rows(values, indices, src, dim, &job);
}

/* ---- searchsorted ------------------------------------------------------------------ */
/* torch's binary search, with its exact comparisons (NaN goes right, as `!(b >= v)` is
 * true for it):  lower bound: first i with boundaries[i] >= v;  upper: first with > v.
 * With a sorter, boundaries[sorter[i]] is the sorted sequence. */
typedef struct {
    int64_t m;                  /* boundaries per row */
    int64_t bstep, sstep;       /* byte strides along the row */
    bool right, has_sorter, out_int32;
    tt_dtype dtype;
} search_job;

#define SEARCH_LOOP(ENUM, T, sfx, CT, cat, name)                                        \
static int64_t                                                                          \
search_##sfx(const search_job *job, const char *b, const char *sorter, CT v)            \
{                                                                                       \
    int64_t lo = 0, hi = job->m;                                                        \
    while (lo < hi) {                                                                   \
        int64_t mid = lo + ((hi - lo) >> 1);                                            \
        int64_t at = job->has_sorter ? *(const int64_t *)(sorter + mid * job->sstep)    \
                                     : mid;                                             \
        CT x = LOAD_##sfx(*(const T *)(b + at * job->bstep));                           \
        bool go_right = job->right ? !(x > v) : !(x >= v);                              \
        if (go_right)                                                                   \
            lo = mid + 1;                                                               \
        else                                                                            \
            hi = mid;                                                                   \
    }                                                                                   \
    return lo;                                                                          \
}
#define LOAD_b(v) (v)
#define LOAD_u8(v) (v)
#define LOAD_i8(v) (v)
#define LOAD_i16(v) (v)
#define LOAD_i32(v) (v)
#define LOAD_i64(v) (v)
#define LOAD_f16(v) tt_f16_to_f32(v)
#define LOAD_bf16(v) tt_bf16_to_f32(v)
#define LOAD_f32(v) (v)
#define LOAD_f64(v) (v)
TT_DTYPES(SEARCH_LOOP)

/* ptr = {out, values, boundaries row start, sorter row start} */
static void
search_loop(char **ptr, const int64_t *step, int64_t count, const void *extra)
{
    const search_job *job = extra;
    for (int64_t r = 0; r < count; r++) {
        const char *v = ptr[1] + r * step[1];
        const char *b = ptr[2] + r * step[2];
        const char *s = job->has_sorter ? ptr[3] + r * step[3] : NULL;
        int64_t pos = 0;
        switch (job->dtype) {
#define CASE(ENUM, T, sfx, CT, cat, name)                                               \
        case ENUM: pos = search_##sfx(job, b, s, LOAD_##sfx(*(const T *)v)); break;
        TT_DTYPES(CASE)
#undef CASE
        default: break;
        }
        char *o = ptr[0] + r * step[0];
        if (job->out_int32)
            *(int32_t *)o = (int32_t)pos;
        else
            *(int64_t *)o = pos;
    }
}

tt_status
tt_searchsorted(const tt_view *out, const tt_view *boundaries, const tt_view *values,
                const tt_view *sorter, bool right)
{
    /* boundaries (and sorter) have values' leading dims and m along the last; values and
     * out have the same shape */
    int nd = values->ndim;
    if (boundaries->ndim != (nd > 0 ? nd : 1) || values->dtype != boundaries->dtype)
        return tt_fail(TT_EVALUE, "searchsorted: boundaries must match the values' "
                       "leading dims and dtype");
    int bd = boundaries->ndim - 1;
    search_job job = {
        .m = boundaries->shape[bd],
        .bstep = boundaries->strides[bd] * tt_dtypes[boundaries->dtype].itemsize,
        .sstep = sorter ? sorter->strides[bd] * (int64_t)sizeof(int64_t) : 0,
        .right = right,
        .has_sorter = sorter != NULL,
        .out_int32 = out->dtype == TT_INT32,
        .dtype = values->dtype,
    };
    /* the row starts of boundaries/sorter, repeated along values' last dim */
    tt_view b = *boundaries, s;
    b.ndim = nd;
    if (nd > 0)
        b.strides[nd - 1] = 0, b.shape[nd - 1] = values->shape[nd - 1];
    if (sorter) {
        s = *sorter;
        s.ndim = nd;
        if (nd > 0)
            s.strides[nd - 1] = 0, s.shape[nd - 1] = values->shape[nd - 1];
    }
    const tt_view *in[3] = {values, &b, sorter ? &s : values};
    return tt_iter_run(out, 3, in, search_loop, &job);
}

/* ---- unique ------------------------------------------------------------------------ */
/* Rows of a contiguous (n, m) tensor: m = 1 for unique of elements, the slice size for
 * unique(dim=...).  sorted: order the rows (lexicographically, by stable sorts from the
 * last column to the first), then group equal neighbours; otherwise group consecutive
 * equal rows as they stand (unique_consecutive).  NaN never equals NaN, as in torch. */
static bool
rows_equal(const uint64_t *keys, int64_t m, int64_t a, int64_t b)
{
    for (int64_t c = 0; c < m; c++) {
        uint64_t x = keys[a * m + c], y = keys[b * m + c];
        if (x != y || x == TT_NAN_KEY)
            return false;
    }
    return true;
}

tt_status
tt_unique(tt_view *values, tt_view *inverse, tt_view *counts, const tt_view *src,
          bool sorted)
{
    if (src->ndim != 2 || !tt_is_contiguous(src))
        return tt_fail(TT_EVALUE, "unique: expected a contiguous (rows, columns) view");
    int64_t n = src->shape[0], m = src->shape[1];
    int itemsize = tt_dtypes[src->dtype].itemsize;
    int64_t cells = n * m;
    uint64_t *keys = malloc(sizeof(uint64_t) * (size_t)(cells > 0 ? cells : 1));
    tt_keyed *order = malloc(sizeof(tt_keyed) * (size_t)(n > 0 ? n : 1) * 2);
    int64_t *group_start = malloc(sizeof(int64_t) * (size_t)(n + 1));
    tt_status st = TT_OK;
    if (!keys || !order || !group_start) {
        st = tt_fail(TT_ENOMEM, "unique: out of memory for %lld rows", (long long)n);
        goto done;
    }
    const char *data = tt_view_data(src);
    for (int64_t i = 0; i < cells; i++)
        keys[i] = key_at(data, itemsize, i, src->dtype);
    for (int64_t i = 0; i < n; i++)
        order[i].index = i;
    if (sorted && m == 1) {
        /* torch sorts the flattened input with sort(): the same algorithm, so NaNs (each
         * its own group) get the same inverse indices */
        for (int64_t i = 0; i < n; i++)
            order[i].key = keys[i];
        if (torch_uses_stl_sort(src->dtype, n, false, true))
            tt_stl_sort(order, order + n, TT_CMP_KEY);
        else
            stable_sort(order, order + n, n);
    } else if (sorted) {
        for (int64_t c = m - 1; c >= 0; c--) {
            for (int64_t i = 0; i < n; i++)
                order[i].key = keys[order[i].index * m + c];
            stable_sort(order, order + n, n);
        }
    }
    int64_t groups = 0;
    for (int64_t i = 0; i < n; i++)
        if (i == 0 || !rows_equal(keys, m, order[i - 1].index, order[i].index))
            group_start[groups++] = i;
    group_start[groups] = n;

    int64_t vshape[2] = {groups, m}, ishape[1] = {n}, cshape[1] = {groups};
    values->storage = inverse->storage = counts->storage = NULL;
    if ((st = tt_empty(values, src->dtype, 2, vshape)) ||
        (st = tt_empty(inverse, TT_INT64, 1, ishape)) ||
        (st = tt_empty(counts, TT_INT64, 1, cshape))) {
        tt_storage_decref(values->storage);
        tt_storage_decref(inverse->storage);
        values->storage = inverse->storage = NULL;
        goto done;
    }
    char *vout = tt_view_data(values);
    int64_t *inv = (int64_t *)tt_view_data(inverse), *cnt = (int64_t *)tt_view_data(counts);
    for (int64_t g = 0; g < groups; g++) {
        int64_t first = order[group_start[g]].index;
        memcpy(vout + g * m * itemsize, data + first * m * itemsize,
               (size_t)(m * itemsize));
        cnt[g] = group_start[g + 1] - group_start[g];
        for (int64_t i = group_start[g]; i < group_start[g + 1]; i++)
            inv[order[i].index] = g;
    }
done:
    free(keys);
    free(order);
    free(group_start);
    return st;
}
