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

/* The plan tt_iter_run makes, for callers that need to look at or reuse it (gather.c,
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
    int64_t tile_rows;          /* > 0: walk dims 0 and 1 in tiles (Note [tiles]) */
} tt_iter_plan;

enum {
    TT_ITER_INPUT_ORDER = 1,    /* order dims by the first input's strides first */
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
/* Status TT_EDTYPE from these kernels means "not implemented for this dtype" (torch's
 * NotImplementedError); TT_EZERODIV is integer division by zero. */

/* Refuse to write `out` when torch would: out has internal overlap (a stride-0 dim of
 * size > 1), or out and an input partially overlap (see Note [overlap] in binary.c). */
tt_status tt_check_writable(const tt_view *out, int ninputs, const tt_view *const *inputs);
/* Run an elementwise loop, through a temporary when out overlaps an input in a way
 * that would make the result depend on the loop order (binary.c). */
tt_status tt_run_elementwise(const tt_view *out, int ninputs, const tt_view *const *inputs,
                             tt_loop loop, const void *extra);
extern const char *const tt_torch_type_names[TT_NUM_DTYPES];    /* "Float", "Long" */
/* The strides torch gives a new elementwise result of this shape: the inputs' memory
 * order (Note [output layout] in binary.c). */
void tt_elementwise_strides(int64_t *strides, int nd, const int64_t *shape, int n,
                            const tt_view *const *inputs);

/* elementwise ops of two inputs (binary.c, list in binary_ops.def):
 *   out[i] = op(a[i], b[i]), a and b broadcast to out's shape.
 * a and b share one dtype (the caller promotes and casts); out has that dtype, or bool
 * for comparisons and logical ops.  A scalar operand is a 0-d view (tt_scalar_view). */
#include "binary_ops.def"
typedef enum {
#define Y(ENUM, name, ...) TT_BIN_##ENUM,
    TT_BINARY_OPS(Y)
#undef Y
    TT_NUM_BINARY_OPS
} tt_binary_op;
extern const char *const tt_binary_names[TT_NUM_BINARY_OPS];

typedef struct {
    double alpha_f;         /* add_alpha: out = a + alpha * b, floating dtypes */
    int64_t alpha_i;        /* ... bool and integer dtypes */
    bool b_is_value;        /* use b_value for every b (the 16-bit floats' scalar path: */
    double b_value;         /*   torch keeps a Python scalar in float, unrounded) */
} tt_binary_args;

tt_status tt_binary(const tt_view *out, const tt_view *a, const tt_view *b,
                    tt_binary_op op, const tt_binary_args *args);   /* args may be NULL */
bool tt_binary_supports(tt_binary_op op, tt_dtype dtype);
tt_dtype tt_binary_result_dtype(tt_binary_op op, tt_dtype dtype);  /* dtype or bool */

/* elementwise ops of one input (unary.c, list in unary_ops.def): out[i] = op(a[i]).
 * out has a's dtype, or bool for the predicates (isnan, ...). */
#include "unary_ops.def"
typedef enum {
#define Y(ENUM, name, ...) TT_UN_##ENUM,
    TT_UNARY_OPS(Y)
#undef Y
    TT_NUM_UNARY_OPS
} tt_unary_op;
extern const char *const tt_unary_names[TT_NUM_UNARY_OPS];

typedef struct {
    double p[3];        /* floating parameters: clamp bounds, exponent, beta, ... */
    int64_t i[2];       /* integer parameters: integer clamp bounds, pow's special case */
} tt_unary_args;

tt_status tt_unary(const tt_view *out, const tt_view *a, tt_unary_op op,
                   const tt_unary_args *args);                      /* args may be NULL */
bool tt_unary_supports(tt_unary_op op, tt_dtype dtype);
tt_dtype tt_unary_result_dtype(tt_unary_op op, tt_dtype dtype);    /* dtype or bool */

/* elementwise ops of three inputs (ternary.c), all broadcast to out's shape:
 *   where:   out = a ? b : c          (a bool; b, c and out one dtype)
 *   clamp:   out = min(max(a, b), c)  (NaN anywhere gives NaN, as torch)
 *   lerp:    out = a + c * (b - a)    (torch's two-sided formula, fused multiply-add)
 *   addcmul: out = a + value * b * c  (fma(value * b, c, a), as torch's build contracts it)
 *   addcdiv: out = a + value * b / c
 * Apart from where's condition, all operands and out share one dtype. */
#define TT_TERNARY_OPS(Y) Y(WHERE, where) Y(CLAMP, clamp) Y(LERP, lerp) \
    Y(ADDCMUL, addcmul) Y(ADDCDIV, addcdiv)
typedef enum {
#define Y(ENUM, name) TT_TER_##ENUM,
    TT_TERNARY_OPS(Y)
#undef Y
    TT_NUM_TERNARY_OPS
} tt_ternary_op;
extern const char *const tt_ternary_names[TT_NUM_TERNARY_OPS];

typedef struct {
    double value;       /* addcmul/addcdiv's value (integers: truncated) */
    bool c_is_value;    /* use c_value for every c: lerp's scalar weight, kept in the */
    double c_value;     /*   compute type as torch keeps it */
} tt_ternary_args;

tt_status tt_ternary(const tt_view *out, const tt_view *a, const tt_view *b,
                     const tt_view *c, tt_ternary_op op, const tt_ternary_args *args);

/* ---- sorting, selection, gather/scatter, linear algebra (sort.c, gather.c, linalg.c) */
/* Row kernels (sort.c): the work is along `dim`, every other dim is a batch.  Outputs
 * are allocated by the caller with src's shape except along dim (n for sort and the
 * cumulative ops, k for topk, 1 for the selections); values have src's dtype, indices
 * int64.  Ties come out in the order torch's CPU kernels leave them (Note [torch's tie
 * order] in sort.c); NaN sorts above everything. */
tt_status tt_sort(const tt_view *values, const tt_view *indices, const tt_view *src,
                  int dim, bool descending, bool stable);
tt_status tt_topk(const tt_view *values, const tt_view *indices, const tt_view *src,
                  int dim, int64_t k, bool largest, bool sorted);
tt_status tt_kthvalue(const tt_view *values, const tt_view *indices, const tt_view *src,
                      int dim, int64_t k);
/* the lower median; NaN if the row has one (unless ignore_nan: nanmedian).  all_elements:
 * src is the flattened tensor of median() without dim, where torch breaks ties its own way */
tt_status tt_median(const tt_view *values, const tt_view *indices, const tt_view *src,
                    int dim, bool ignore_nan, bool all_elements);
tt_status tt_mode(const tt_view *values, const tt_view *indices, const tt_view *src,
                  int dim);
/* cummax (is_max) / cummin with the index of each running extreme */
tt_status tt_cumextreme(const tt_view *values, const tt_view *indices, const tt_view *src,
                        int dim, bool is_max);
/* out[..., j] = the position of values[..., j] in the sorted last dim of boundaries
 * (whose leading dims match values'); out int64 or int32; sorter (int64) may be NULL */
tt_status tt_searchsorted(const tt_view *out, const tt_view *boundaries,
                          const tt_view *values, const tt_view *sorter, bool right);
/* the distinct rows of a contiguous (n, m) src (sorted, or consecutive runs), with the
 * group of every row and the size of every group; allocates all three outputs */
tt_status tt_unique(tt_view *values, tt_view *inverse, tt_view *counts,
                    const tt_view *src, bool sorted);

/* Gather and scatter along dim (gather.c), p over index's shape (int64):
 *   gather:  out[p] = src[p with p[dim] = index[p]]
 *   scatter: dst[p with p[dim] = index[p]] op= src[p]   (src may be a 0-d value)
 * index may be smaller than src/dst in every dim but dim; wrap lets -size <= i < 0
 * count from the end.  Out-of-range indices fail with TT_EINDEX before any write. */
typedef enum {
    TT_SCATTER_ASSIGN, TT_SCATTER_ADD, TT_SCATTER_MUL, TT_SCATTER_MAX, TT_SCATTER_MIN
} tt_scatter_op;
tt_status tt_gather(const tt_view *out, const tt_view *src, int dim, const tt_view *index,
                    bool wrap);
tt_status tt_scatter(const tt_view *dst, int dim, const tt_view *index, const tt_view *src,
                     tt_scatter_op op, bool wrap);
/* out = src with dims[] reversed (out a fresh tensor of src's shape) */
tt_status tt_flip(const tt_view *out, const tt_view *src, int ndims, const int *dims);
/* counts of src's values in out->shape[0] equal bins over [lo, hi] (out zeroed first) */
tt_status tt_histc(const tt_view *out, const tt_view *src, double lo, double hi);
/* out[j] = i repeated repeats[i] times (out's length: the sum) */
tt_status tt_repeat_index(const tt_view *out, const tt_view *repeats);

/* Dense linear algebra (linalg.c) on contiguous float64 batches (..., rows, cols);
 * info[b] reports a singular / non-positive-definite matrix as LAPACK does. */
tt_status tt_lu_factor(const tt_view *a, const tt_view *pivots, const tt_view *info);
tt_status tt_lu_solve(const tt_view *b, const tt_view *lu, const tt_view *pivots);
tt_status tt_lu_det(const tt_view *sign, const tt_view *logabs, const tt_view *det,
                    const tt_view *lu, const tt_view *pivots);
tt_status tt_solve_triangular(const tt_view *b, const tt_view *a, bool upper, bool unit);
tt_status tt_cholesky(const tt_view *a, const tt_view *info);
tt_status tt_qr(const tt_view *q, const tt_view *r, const tt_view *a);    /* q may be NULL */
tt_status tt_eigh(const tt_view *w, const tt_view *v, const tt_view *a);
tt_status tt_svd(const tt_view *u, const tt_view *s, const tt_view *vt,
                 const tt_view *a);                    /* rows >= cols; u NULL: values */
/* out = tril(src, k) or triu(src, k) over the last two dims, any dtype */
tt_status tt_tril(const tt_view *out, const tt_view *src, int64_t k, bool upper);

/* reductions (reduce.c): out has in's ndim, with size 1 on the reduced dims (keepdim
 * form; a dim of size 1 in out and not in in is reduced).  out has in's dtype (the
 * caller casts first: integer sums to int64, means of 16-bit floats in float32), except
 * all/any (bool; uint8 for uint8 input) and argmax/argmin (int64, one reduced dim).
 * Results match torch's CPU kernels bit for bit, for the same thread count.  An empty
 * reduction gives the identity (sum 0, prod 1, all true, mean/var nan); amax, amin,
 * argmax, argmin and the inf norms refuse it with TT_EINDEX. */
#define TT_REDUCE_OPS(Y) Y(SUM, sum) Y(PROD, prod) Y(MEAN, mean) Y(AMAX, amax) \
    Y(AMIN, amin) Y(ALL, all) Y(ANY, any) Y(NORM, norm) Y(VAR, var) Y(STD, std) \
    Y(ARGMAX, argmax) Y(ARGMIN, argmin)
typedef enum {
#define Y(ENUM, name) TT_RED_##ENUM,
    TT_REDUCE_OPS(Y)
#undef Y
    TT_NUM_REDUCE_OPS
} tt_reduce_op;
extern const char *const tt_reduce_names[TT_NUM_REDUCE_OPS];

typedef struct {
    double p;               /* norm: the order (0, 1, 2, inf, -inf, any) */
    double correction;      /* var/std: divide by n - correction */
    bool nan_all_ones;      /* amax/amin: torch.max()'s NaN bits (Note [NaN bits of max]) */
} tt_reduce_args;

tt_status tt_reduce(const tt_view *out, const tt_view *in, tt_reduce_op op,
                    const tt_reduce_args *args);
/* max/min along the one reduced dim with the first index of the extreme (NaN wins) */
tt_status tt_reduce_with_index(const tt_view *values, const tt_view *indices,
                               const tt_view *in, bool is_min);

/* cumulative sum / product along dim (scan.c): out[..., k, ...] = in[..., 0..k, ...]
 * folded in order in a wider accumulator (double for float32), as torch.  out has
 * in's shape and dtype (the caller casts integers to int64 first, as torch does). */
tt_status tt_scan(const tt_view *out, const tt_view *in, int dim, bool product);

/* matrix products (matmul.c): out[..., i, j] = alpha * sum_k a[..., i, k] * b[..., k, j]
 *                                              + beta * out[..., i, j]
 * a, b and out have one ndim >= 2, equal batch dims (broadcast by passing expanded
 * views), one dtype and any strides; beta 0 never reads out.  float16/bfloat16
 * accumulate in float32 and round once; integers wrap as torch; bool is refused.
 * Errors as torch's: "mat1 and mat2 shapes cannot be multiplied (3x4 and 3x4)". */
tt_status tt_matmul(const tt_view *out, const tt_view *a, const tt_view *b, double alpha,
                    double beta);

/* ---- random numbers (random.c) ------------------------------------------------------ */
/* A tt_generator is torch's CPUGeneratorImpl: an mt19937 engine plus the cached second
 * Box-Muller sample.  Every sampler fills n elements of a contiguous buffer in order;
 * the Cython layer fills other tensors in torch's iteration order (Note [fill order] in
 * random.c).  Every public call holds the generator's lock, as torch holds its mutex. */
#include <pthread.h>

#define TT_MT_N 624
#define TT_RNG_STATE_BYTES 5056                 /* torch.get_rng_state().numel() */
#define TT_DEFAULT_RNG_SEED 67280421310721ULL   /* seed of a fresh torch.Generator() */

typedef struct {
    /* mt19937, laid out as torch's mt19937_data_pod */
    uint64_t seed;              /* the full 64-bit seed; the engine uses its low 32 bits */
    int32_t left;               /* draws left before the next twist, 1..624 */
    bool seeded;
    uint32_t next;              /* index of the next state word, 0..624 */
    uint32_t state[TT_MT_N];
    /* second Box-Muller sample of normal_distribution<double> / <float> */
    bool has_next_double_normal;
    bool has_next_float_normal;
    double next_double_normal;
    float next_float_normal;
    pthread_mutex_t lock;
} tt_generator;

void tt_generator_init(tt_generator *g, uint64_t seed);    /* Generator().manual_seed(seed) */
void tt_generator_destroy(tt_generator *g);
void tt_generator_manual_seed(tt_generator *g, uint64_t seed);
uint64_t tt_generator_initial_seed(tt_generator *g);
uint32_t tt_generator_random(tt_generator *g);      /* one raw 32-bit draw */
uint64_t tt_generator_random64(tt_generator *g);    /* two draws, the first is the high word */
/* torch.get_rng_state(): TT_RNG_STATE_BYTES bytes in CPUGeneratorImplState's layout */
void tt_generator_get_state(tt_generator *g, uint8_t *out);
tt_status tt_generator_set_state(tt_generator *g, const uint8_t *state, int64_t nbytes);

/* fills of a contiguous buffer of n elements of dtype (torch's method in brackets) */
tt_status tt_random_uniform(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                            double from, double to);                    /* uniform_ */
tt_status tt_random_normal(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                           double mean, double std);  /* normal_ of a contiguous tensor */
tt_status tt_random_normal_serial(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                                  double mean, double std);  /* ... of any other tensor */
/* torch's float Box-Muller: its AVX2 kernel (the default on AVX2+FMA CPUs unless
 * ATEN_CPU_CAPABILITY=default) or the portable one; process-wide */
void tt_random_set_avx2_normal(bool on);
bool tt_random_avx2_normal(void);
tt_status tt_random_from_to(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                            int64_t from, int64_t to);          /* random_(from, to) */
/* random_(from, None): [from, max of dtype]; from = INT64_MIN: all 64-bit integers */
tt_status tt_random_from(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                         int64_t from);
tt_status tt_random_default(tt_generator *g, void *out, tt_dtype dtype, int64_t n);
tt_status tt_random_randperm(tt_generator *g, void *out, tt_dtype dtype, int64_t n);
tt_status tt_random_bernoulli(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                              double p);                        /* bernoulli_(float p) */
/* bernoulli_(p tensor): p already broadcast to n contiguous elements of p_dtype */
tt_status tt_random_bernoulli_tensor(tt_generator *g, void *out, tt_dtype dtype,
                                     int64_t n, const void *p, tt_dtype p_dtype);
tt_status tt_random_exponential(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                                double lambd);
tt_status tt_random_geometric(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                              double p);
tt_status tt_random_log_normal(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                               double mean, double std);
tt_status tt_random_cauchy(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                           double median, double sigma);
/* torch.multinomial over n_dist contiguous rows of n_categories probabilities; out
 * holds n_dist * n_sample int64 indices */
tt_status tt_random_multinomial(tt_generator *g, int64_t *out, const void *probs,
                                tt_dtype dtype, int64_t n_dist, int64_t n_categories,
                                int64_t n_sample, bool replacement);

/* ---- threads ----------------------------------------------------------------------- */
int tt_get_num_threads(void);
void tt_set_num_threads(int n);
bool tt_has_openmp(void);

#endif
