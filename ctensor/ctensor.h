/* ctensor.h -- the one public header of the C core.
 *
 * The core knows nothing of Python.  It owns memory (refcounted storage), describes
 * strided views of it, and runs kernels through one strided iterator.  Every function
 * that can fail returns a tt_status and leaves a message in a thread-local buffer
 * (tt_last_error); the Cython layer turns the pair into a Python exception. */
#ifndef TT_CTENSOR_H
#define TT_CTENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TT_MAX_DIMS 64          /* numpy's limit */

/* ---- status ------------------------------------------------------------------- */
typedef enum {
    TT_OK = 0,
    TT_ENOMEM,      /* allocation failed             -> MemoryError / RuntimeError */
    TT_ESHAPE,      /* shapes do not fit             -> RuntimeError */
    TT_EDTYPE,      /* dtype not supported here      -> TypeError / RuntimeError */
    TT_EINDEX,      /* index out of range            -> IndexError */
    TT_EVALUE,      /* bad argument value            -> ValueError / RuntimeError */
    TT_ERUNTIME,    /* anything else torch calls a RuntimeError */
    TT_EZERODIV,    /* integer division by zero      -> RuntimeError (ZeroDivisionError) */
} tt_status;

const char *tt_last_error(void);
tt_status tt_fail(tt_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* ---- dtypes (dtype.c, dtypes.def) ------------------------------------------------ */
#include "dtypes.def"
typedef enum {
#define X(ENUM, ctype, suffix, compute, category, name) ENUM,
    TT_DTYPES(X)
#undef X
    TT_NUM_DTYPES
} tt_dtype;

typedef enum { TT_CAT_BOOL = 0, TT_CAT_INT = 1, TT_CAT_FLOAT = 2 } tt_category;

typedef struct {
    const char *name;       /* "float32" */
    int itemsize;           /* bytes per element */
    tt_category category;
    bool is_signed;
} tt_dtype_info;

extern const tt_dtype_info tt_dtypes[TT_NUM_DTYPES];
tt_dtype tt_promote(tt_dtype a, tt_dtype b);    /* torch.promote_types */

/* ---- storage (storage.c) ----------------------------------------------------------- */
/* A refcounted block of bytes.  Owned storage frees its data; borrowed storage (a numpy
 * buffer, a DLPack tensor) calls its deleter instead.  version counts in-place writes,
 * for autograd's saved-tensor check; views share it because they share the storage. */
typedef struct tt_storage {
    char *data;
    int64_t nbytes;
    _Atomic int64_t refcount;
    _Atomic int64_t version;
    void (*deleter)(void *ctx);         /* NULL: owned, free data ourselves */
    void *deleter_ctx;
} tt_storage;

tt_status tt_storage_new(tt_storage **out, int64_t nbytes);
tt_status tt_storage_borrow(tt_storage **out, void *data, int64_t nbytes,
                            void (*deleter)(void *ctx), void *deleter_ctx);
void tt_storage_incref(tt_storage *s);
void tt_storage_decref(tt_storage *s);
void tt_empty_cache(void);                  /* release cached large buffers */
int64_t tt_cached_bytes(void);

/* ---- views (view.c) ----------------------------------------------------------------- */
/* A view: (storage, dtype, shape, strides in elements, offset in elements).  A tt_view
 * does not own a reference by itself; whoever holds it (the Cython Tensor) does. */
typedef struct {
    tt_storage *storage;
    tt_dtype dtype;
    int ndim;
    int64_t offset;
    int64_t shape[TT_MAX_DIMS];
    int64_t strides[TT_MAX_DIMS];
} tt_view;

tt_status tt_numel(int64_t *out, int ndim, const int64_t *shape);  /* overflow-checked */
static inline int64_t
tt_view_numel(const tt_view *v)
{
    int64_t n = 1;
    for (int i = 0; i < v->ndim; i++)
        n *= v->shape[i];
    return n;
}
static inline char *
tt_view_data(const tt_view *v)
{
    return v->storage->data + v->offset * tt_dtypes[v->dtype].itemsize;
}
bool tt_is_contiguous(const tt_view *v);
void tt_contiguous_strides(int64_t *strides, int ndim, const int64_t *shape);

/* A fresh contiguous tensor of the given shape and dtype (uninitialised data). */
tt_status tt_empty(tt_view *out, tt_dtype dtype, int ndim, const int64_t *shape);

/* Views: fill *out from *in without touching data; out takes no new reference. */
tt_status tt_view_reshape(tt_view *out, const tt_view *in, int ndim, const int64_t *shape);
tt_status tt_view_as_strided(tt_view *out, const tt_view *in, int ndim,
                             const int64_t *shape, const int64_t *strides, int64_t offset);
tt_status tt_view_permute(tt_view *out, const tt_view *in, const int *perm);
tt_status tt_view_expand(tt_view *out, const tt_view *in, int ndim, const int64_t *shape);
tt_status tt_view_slice(tt_view *out, const tt_view *in, int dim, int64_t start,
                        int64_t stop, int64_t step);
tt_status tt_view_select(tt_view *out, const tt_view *in, int dim, int64_t index);
tt_status tt_broadcast_shape(int *ndim, int64_t *shape, int n, const tt_view *const *views);

/* ---- the strided iterator (iter.c) ------------------------------------------------ */
/* A 1-D inner loop: ptr[0] is the output, ptr[1..] the inputs; step[k] is the byte
 * stride of operand k; extra carries scalar arguments (alpha, bounds, ...). */
typedef void (*tt_loop)(char **ptr, const int64_t *step, int64_t n, const void *extra);

#define TT_MAX_OPERANDS 4

/* Run loop over out and inputs, broadcasting inputs to out's shape. */
tt_status tt_iter_run(const tt_view *out, int ninputs, const tt_view *const *inputs,
                      tt_loop loop, const void *extra);

/* The plan tt_iter_run makes, for callers that need to look at or reuse it (reductions,
 * the teaching helper that prints loop plans).  Arrays are innermost dim first. */
typedef struct {
    int nop;                                    /* operands: output + inputs */
    int ndim;                                   /* dims after coalescing, >= 1 */
    int64_t numel;
    int64_t shape[TT_MAX_DIMS];
    int64_t strides[TT_MAX_OPERANDS][TT_MAX_DIMS];  /* bytes */
    char *base[TT_MAX_OPERANDS];
    int itemsize[TT_MAX_OPERANDS];
    bool writes_overlap;                        /* output has a stride-0 dim */
} tt_iter_plan;

enum {
    TT_ITER_INPUT_ORDER = 1,    /* order dims by the first input's strides (reductions) */
    TT_ITER_NO_COALESCE = 2,    /* keep dims apart (for teaching: show the raw plan) */
};
tt_status tt_iter_plan_build(tt_iter_plan *plan, const tt_view *out, int ninputs,
                             const tt_view *const *inputs, int flags);
void tt_iter_plan_run(const tt_iter_plan *plan, tt_loop loop, const void *extra);
void tt_iter_plan_range(const tt_iter_plan *plan, tt_loop loop, const void *extra,
                        int64_t begin, int64_t end);

/* ---- copy and cast (cast.c) ------------------------------------------------------- */
/* dst[i] = (dst dtype) src[i], src broadcast to dst's shape; torch's cast semantics. */
tt_status tt_copy(const tt_view *dst, const tt_view *src);
tt_loop tt_cast_loop(tt_dtype to, tt_dtype from);

/* scalars: a value of any dtype, for fill and for weak Python scalars in math */
typedef struct {
    double f;       /* used when the target dtype is floating */
    int64_t i;      /* used when the target dtype is bool or integer */
    bool is_float;  /* which of the two the caller gave */
} tt_scalar;
tt_status tt_fill(const tt_view *dst, tt_scalar value);
void tt_scalar_to(void *buf, tt_dtype dtype, tt_scalar value);  /* 8-byte buf */
/* a 0-d view of one value in buf (8 bytes), with s as its fake storage: no malloc */
void tt_scalar_view(tt_view *v, tt_storage *s, void *buf, tt_dtype dtype);
bool tt_views_overlap(const tt_view *a, const tt_view *b);
/* element of a view read/written through a double or int64 (item(), tolist()) */
void tt_read_scalar(const tt_view *v, const int64_t *index, double *f, int64_t *i);

/* ---- advanced indexing (index.c) ---------------------------------------------------- */
/* out[b..., r...] = src[index0[b...], ..., index{n-1}[b...], r...]: the first nadv dims
 * of src are indexed by int64 views that all have out's leading shape B; the remaining
 * dims of src follow.  Every index is bounds-checked before anything is read. */
tt_status tt_index_gather(const tt_view *out, const tt_view *src, int nadv,
                          const tt_view *const *index);
/* dst[index0[b...], ..., r...] = values[b..., r...]  (or += when accumulate) */
tt_status tt_index_scatter(const tt_view *dst, int nadv, const tt_view *const *index,
                           const tt_view *values, bool accumulate);
/* out: a new int64 tensor of shape (count, ndim) with the coordinates of nonzeros */
tt_status tt_nonzero(tt_view *out, const tt_view *src);

/* ---- math: elementwise, reductions, matmul (binary.c, unary.c, reduce.c, matmul.c) -- */
/* (declarations of the math kernels go in this section) */

/* ---- random numbers (random.c) ------------------------------------------------------ */
/* (declarations of the generator and samplers go in this section) */

/* ---- threads ----------------------------------------------------------------------- */
int tt_get_num_threads(void);
void tt_set_num_threads(int n);
bool tt_has_openmp(void);

#endif
