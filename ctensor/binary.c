/* binary.c -- elementwise kernels of two inputs: out[i] = OP(a[i], b[i]).
 *
 * Owns the loops of every op in binary_ops.def for every dtype in dtypes.def (one
 * table, generated), torch's integer division and Python-style floor/remainder, and the
 * overlap rules for writing into an existing tensor (Note [overlap]).  Promotion is the
 * caller's: both inputs arrive in one dtype.  Shapes are iter.c's.
 *
 * float16/bfloat16 widen to float, compute, and round once (Note [16-bit floats] in
 * half.h).  The contiguous branch is a plain indexed loop over restrict pointers, which
 * gcc vectorises at -O3; the step-0 branches cover a scalar operand (`t * 2.5`,
 * `1 - t`) without a broadcast copy. */
#include <tgmath.h>

#include "ctensor.h"
#include "internal.h"
#include "elementwise.h"

/* the loops' context: the caller's arguments plus the zero-division flag */
typedef struct {
    tt_binary_args args;
    _Atomic int zerodiv;
} binary_ctx;

static inline void
flag_zerodiv(const binary_ctx *ex)
{
    ((binary_ctx *)ex)->zerodiv = 1;
}

/* ---- torch's integer division (c10::div_floor_integer and friends) ---------------
 * Computed in int64 (exact for every narrower type; the caller casts back, wrapping).
 * x / -1 is negation: INT64_MIN / -1 wraps instead of trapping. */
static inline int64_t
idiv_trunc(int64_t x, int64_t y, const binary_ctx *ex)
{
    if (y == 0) {
        flag_zerodiv(ex);
        return 0;
    }
    if (y == -1)
        return (int64_t)(0 - (uint64_t)x);
    return x / y;
}

static inline int64_t
idiv_floor(int64_t x, int64_t y, const binary_ctx *ex)
{
    int64_t q = idiv_trunc(x, y, ex);
    if (y != 0 && y != -1 && (x < 0) != (y < 0) && q * y != x)
        q -= 1;
    return q;
}

static inline int64_t
ifmod(int64_t x, int64_t y, const binary_ctx *ex)
{
    if (y == 0) {
        flag_zerodiv(ex);
        return 0;
    }
    return y == -1 ? 0 : x % y;
}

/* remainder takes the sign of the divisor, as Python's % */
static inline int64_t
iremainder(int64_t x, int64_t y, const binary_ctx *ex)
{
    int64_t r = ifmod(x, y, ex);
    if (r != 0 && (r < 0) != (y < 0))
        r += y;
    return r;
}

/* x ** y by squaring, wrapping; negative y gives 0 except for x = 1 or -1 (as torch) */
static inline int64_t
ipow(int64_t x, int64_t y)
{
    if (y < 0) {
        if (x == 1)
            return 1;
        if (x == -1)
            return (y & 1) ? -1 : 1;
        return 0;
    }
    uint64_t base = (uint64_t)x, result = 1;
    while (y) {
        if (y & 1)
            result *= base;
        base *= base;
        y >>= 1;
    }
    return (int64_t)result;
}

/* ---- floating floor division and remainder (c10::div_floor_floating) -------------
 * Python's algorithm: the quotient from fmod, corrected toward -inf, then rounded so
 * that a result like 2.9999999 becomes 3. */
#define FDIV_FLOOR(T, name)                                                            \
    static inline T name(T x, T y)                                                     \
    {                                                                                  \
        if (y == 0)                                                                    \
            return x / y;                                                              \
        T mod = fmod(x, y);                                                            \
        T div = (x - mod) / y;                                                         \
        if (mod != 0 && (y < 0) != (mod < 0))                                          \
            div -= 1;                                                                  \
        if (div == 0)                                                                  \
            return copysign((T)0, x / y);                                              \
        T floordiv = floor(div);                                                       \
        if (div - floordiv > (T)0.5)                                                   \
            floordiv += 1;                                                             \
        return floordiv;                                                               \
    }
FDIV_FLOOR(float, fdiv_floor_f)
FDIV_FLOOR(double, fdiv_floor_d)
#define fdiv_floor(x, y) _Generic((x), float: fdiv_floor_f, default: fdiv_floor_d)(x, y)

#define FREMAINDER(T, name)                                                            \
    static inline T name(T x, T y)                                                     \
    {                                                                                  \
        T mod = fmod(x, y);                                                            \
        if (mod != 0 && (y < 0) != (mod < 0))                                          \
            mod += y;                                                                  \
        return mod;                                                                    \
    }
FREMAINDER(float, fremainder_f)
FREMAINDER(double, fremainder_d)
#define fremainder(x, y) _Generic((x), float: fremainder_f, default: fremainder_d)(x, y)

#define FLOGADDEXP(T, name)                                                            \
    static inline T name(T x, T y)                                                     \
    {                                                                                  \
        if (isinf(x) && x == y)                                                        \
            return x;                                                                  \
        T m = x > y ? x : y;                                                           \
        return m + log1p(exp(-fabs(x - y)));                                           \
    }
FLOGADDEXP(float, flogaddexp_f)
FLOGADDEXP(double, flogaddexp_d)
#define flogaddexp(x, y) _Generic((x), float: flogaddexp_f, default: flogaddexp_d)(x, y)

#define NONE ((void)x, (void)y, 0)

/* Generates one loop <name>_<sfx>:  o[i] = STORE(EXPR(x = LOAD(a[i]), y = LOAD(b[i]))).
 * Four branches: all contiguous, b a scalar, a a scalar, any strides. */
#define EW_LOOP(sfx, T, CT, UT, ST, NBITS, SGN, KIND, ENUM, name, kinds, out, eb,    \
                    ei, ef)                                                                \
    static void name##_##sfx(char **ptr, const int64_t *step, int64_t n,                  \
                             const void *extra)                                            \
    {                                                                                      \
        const binary_ctx *ex = extra;                                                      \
        EW_TYPES(CT, UT, ST, NBITS, SGN);                                                  \
        typedef OUT_T_##out(T) OT;                                                         \
        if (IS16_##sfx && step[0] == sizeof(OT) && step[1] == sizeof(T) &&                \
            (step[2] == sizeof(T) || step[2] == 0)) {                                      \
            /* 16-bit floats: a chunk at a time through float buffers */                   \
            float xa[EW_CHUNK], yb[EW_CHUNK], r[EW_CHUNK];                                 \
            const T *a = (const T *)ptr[1], *b = (const T *)ptr[2];                        \
            const bool bscalar = step[2] == 0;                                             \
            (void)a, (void)r;                                                              \
            const C ys = ex->args.b_is_value ? (C)ex->args.b_value : (C)LOAD_##sfx(b[0]);  \
            for (int64_t base = 0; base < n; base += EW_CHUNK) {                           \
                int64_t m = n - base < EW_CHUNK ? n - base : EW_CHUNK;                     \
                WIDEN_##sfx(xa, (const uint16_t *)a + base, m);                            \
                if (!bscalar)                                                              \
                    WIDEN_##sfx(yb, (const uint16_t *)b + base, m);                        \
                OT *o = (OT *)ptr[0] + base;                                               \
                for (int64_t i = 0; i < m; i++) {                                          \
                    C x = xa[i], y = bscalar ? ys : yb[i];                                 \
                    if (OUT_IS_BOOL_##out)                                                 \
                        o[i] = (OT)(PICK_##KIND(eb, ei, ef));                              \
                    else                                                                   \
                        r[i] = (float)(PICK_##KIND(eb, ei, ef));                           \
                }                                                                          \
                if (!OUT_IS_BOOL_##out)                                                    \
                    NARROW_##sfx((uint16_t *)o, r, m);                                     \
            }                                                                              \
        } else if (step[0] == sizeof(OT) && step[1] == sizeof(T) && step[2] == sizeof(T)) {\
            OT *restrict o = (OT *)ptr[0];                                                 \
            const T *restrict a = (const T *)ptr[1], *restrict b = (const T *)ptr[2];      \
            for (int64_t i = 0; i < n; i++) {                                              \
                C x = LOAD_##sfx(a[i]), y = LOAD_##sfx(b[i]);                              \
                o[i] = STORE_##out(sfx, PICK_##KIND(eb, ei, ef));                          \
            }                                                                              \
        } else if (step[0] == sizeof(OT) && step[1] == sizeof(T) && step[2] == 0) {        \
            OT *restrict o = (OT *)ptr[0];                                                 \
            const T *restrict a = (const T *)ptr[1];                                       \
            const C y = ex->args.b_is_value ? (C)ex->args.b_value                          \
                                            : (C)LOAD_##sfx(*(const T *)ptr[2]);           \
            for (int64_t i = 0; i < n; i++) {                                              \
                C x = LOAD_##sfx(a[i]);                                                    \
                o[i] = STORE_##out(sfx, PICK_##KIND(eb, ei, ef));                          \
            }                                                                              \
        } else if (step[0] == sizeof(OT) && step[1] == 0 && step[2] == sizeof(T) &&        \
                   !ex->args.b_is_value) {                                                 \
            OT *restrict o = (OT *)ptr[0];                                                 \
            const T *restrict b = (const T *)ptr[2];                                       \
            const C x = LOAD_##sfx(*(const T *)ptr[1]);                                    \
            for (int64_t i = 0; i < n; i++) {                                              \
                C y = LOAD_##sfx(b[i]);                                                    \
                o[i] = STORE_##out(sfx, PICK_##KIND(eb, ei, ef));                          \
            }                                                                              \
        } else {                                                                           \
            /* Note [strides in locals]: a store through a char pointer may alias     \
             * step[] and *ex as far as the compiler knows (-fno-strict-aliasing), so it \
             * reloaded them after every element; copied to locals, x.t() + y at 1e5   \
             * float32 went from 1.8x torch to 1.2-1.6x. */                             \
            char *o = ptr[0];                                                              \
            const char *a = ptr[1], *b = ptr[2];                                           \
            const int64_t s0 = step[0], s1 = step[1], s2 = step[2];                        \
            const bool b_is_value = ex->args.b_is_value;                                   \
            const C b_value = b_is_value ? (C)ex->args.b_value : (C)0;                     \
            for (int64_t i = 0; i < n; i++, o += s0, a += s1, b += s2) {                   \
                C x = LOAD_##sfx(*(const T *)a);                                           \
                C y = b_is_value ? b_value : (C)LOAD_##sfx(*(const T *)b);                 \
                *(OT *)o = STORE_##out(sfx, PICK_##KIND(eb, ei, ef));                      \
            }                                                                              \
        }                                                                                  \
    }

/* generates add_b ... ge_f64: every op for every dtype (families an op lacks get a
 * dead loop the table leaves out) */
#define STAMP_DTYPE(ENUM, ctype, sfx, compute, category, name) TT_BINARY_OPS(EW_##sfx)
TT_DTYPES(STAMP_DTYPE)
#undef STAMP_DTYPE

/* ---- the table: loops[op][dtype], NULL where torch has no kernel ----------------- */

#define ROW(ENUM, name, kinds, ...) [TT_BIN_##ENUM] = EW_TABLE_ROW(name, kinds),
static const tt_loop loops[TT_NUM_BINARY_OPS][TT_NUM_DTYPES] = {TT_BINARY_OPS(ROW)};
#undef ROW

#define ROW(ENUM, name, kinds, out, ...) [TT_BIN_##ENUM] = OUT_IS_BOOL_##out,
static const bool out_is_bool[TT_NUM_BINARY_OPS] = {TT_BINARY_OPS(ROW)};
#undef ROW

#define ROW(ENUM, name, ...) [TT_BIN_##ENUM] = #name,
const char *const tt_binary_names[TT_NUM_BINARY_OPS] = {TT_BINARY_OPS(ROW)};
#undef ROW

/* torch's names of the dtypes, for "not implemented for 'Bool'" */
const char *const tt_torch_type_names[TT_NUM_DTYPES] = {
    "Bool", "Byte", "Char", "Short", "Int", "Long", "Half", "BFloat16", "Float", "Double"};

tt_dtype
tt_binary_result_dtype(tt_binary_op op, tt_dtype dtype)
{
    return out_is_bool[op] ? TT_BOOL : dtype;
}

bool
tt_binary_supports(tt_binary_op op, tt_dtype dtype)
{
    return loops[op][dtype] != NULL;
}

/* (its `extra` must be tt_binary's context: call the loop through tt_binary) */
tt_loop
tt_add_loop(tt_dtype dtype)
{
    return loops[TT_BIN_ADD][dtype];
}

/* Note [overlap]: torch refuses two kinds of writes (TensorIterator's
 * assert_no_internal_overlap / assert_no_partial_overlap):
 *  - internal: out has a dim of size > 1 and stride 0 (an expanded tensor), so several
 *    results would land on one element;
 *  - partial: out and an input are both "non-overlapping and dense" (some permutation
 *    of a contiguous block), share storage, and their byte ranges intersect without
 *    being the very same view (same start, end and strides).  x.add_(x) is fine,
 *    x[1:].add_(x[:-1]) and x.add_(x.t()) raise.
 * Anything else (step slices that interleave, say) torch lets through; binary.c then
 * computes into a temporary when the ranges meet, so the answer never depends on the
 * order of the loop. */
static bool
non_overlapping_and_dense(const tt_view *v)
{
    int order[TT_MAX_DIMS], n = 0;
    for (int i = 0; i < v->ndim; i++)
        if (v->shape[i] != 1)
            order[n++] = i;
    for (int i = 1; i < n; i++)         /* by stride, then size: few dims */
        for (int j = i; j > 0; j--) {
            int p = order[j - 1], q = order[j];
            if (v->strides[q] < v->strides[p] ||
                (v->strides[q] == v->strides[p] && v->shape[q] < v->shape[p])) {
                order[j - 1] = q;
                order[j] = p;
            }
        }
    int64_t expected = 1;
    for (int i = 0; i < n; i++) {
        int d = order[i];
        if (v->strides[d] != expected)
            return false;
        expected *= v->shape[d];
    }
    return true;
}

static bool
same_view(const tt_view *a, const tt_view *b)
{
    if (a->storage != b->storage || a->offset != b->offset || a->ndim != b->ndim ||
        a->dtype != b->dtype)
        return false;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i] ||
            (a->shape[i] != 1 && a->strides[i] != b->strides[i]))
            return false;
    return true;
}

tt_status
tt_check_writable(const tt_view *out, int ninputs, const tt_view *const *inputs)
{
    for (int i = 0; i < out->ndim; i++)
        if (out->shape[i] > 1 && out->strides[i] == 0)
            return tt_fail(TT_ERUNTIME, "unsupported operation: more than one element of "
                           "the written-to tensor refers to a single memory location. "
                           "Please clone() the tensor before performing the operation.");
    if (tt_view_numel(out) == 0 || !non_overlapping_and_dense(out))
        return TT_OK;
    for (int k = 0; k < ninputs; k++) {
        const tt_view *in = inputs[k];
        if (in->storage != out->storage || tt_view_numel(in) == 0 ||
            !non_overlapping_and_dense(in))
            continue;
        /* dense views: the byte range is [data, data + numel * itemsize) */
        char *ob = tt_view_data(out), *ib = tt_view_data(in);
        char *oe = ob + tt_view_numel(out) * tt_dtypes[out->dtype].itemsize;
        char *ie = ib + tt_view_numel(in) * tt_dtypes[in->dtype].itemsize;
        bool full = ob == ib && oe == ie && in->ndim == out->ndim;
        for (int i = 0; full && i < out->ndim; i++)
            if (in->shape[i] != 1 && in->strides[i] != out->strides[i])
                full = false;
        if (!full && ob < ie && ib < oe)
            return tt_fail(TT_ERUNTIME, "unsupported operation: some elements of the input "
                           "tensor and the written-to tensor refer to a single memory "
                           "location. Please clone() the tensor before performing the "
                           "operation.");
    }
    return TT_OK;
}

/* Is v "channels last" (4-d NHWC or 5-d NDHWC, torch's is_contiguous(channels_last))?
 * With strides given, write the channels-last strides of v's shape there instead. */
static bool
channels_last(const tt_view *v, int64_t *strides)
{
    static const int order4[4] = {1, 3, 2, 0}, order5[5] = {1, 4, 3, 2, 0};
    const int *order = v->ndim == 4 ? order4 : order5;
    if (v->ndim != 4 && v->ndim != 5)
        return false;
    int64_t expected = 1;
    for (int i = 0; i < v->ndim; i++) {
        int d = order[i];
        if (strides) {
            strides[d] = expected;
            expected *= v->shape[d];
        } else if (v->shape[d] != 1) {
            if (v->strides[d] != expected)
                return false;
            expected *= v->shape[d];
        }
    }
    return true;
}

/* Note [output layout]: a new elementwise result takes the memory order of its inputs,
 * as torch's TensorIterator lays it out: inputs all of the result's shape and all
 * contiguous -> contiguous; all channels-last (4-d/5-d) -> channels-last; all dense
 * with identical strides -> those strides; otherwise
 * dims are sorted innermost-first by the inputs' strides (the first input that tells
 * two dims apart decides; broadcast dims tell nothing; on equal strides the smaller dim
 * goes inner) and the result is dense in that order.  So exp(x.t()) is transposed like
 * x.t(), and x.t() + y.t() too. */
void
tt_elementwise_strides(int64_t *strides, int nd, const int64_t *shape, int n,
                       const tt_view *const *inputs)
{
    /* torch's fast paths need every input to have the result's shape */
    bool all_contiguous = true, all_channels_last = nd == 4 || nd == 5;
    bool all_same_dense = true;
    for (int k = 0; k < n; k++) {
        const tt_view *v = inputs[k];
        bool same_shape = v->ndim == nd;
        for (int i = 0; same_shape && i < nd; i++)
            same_shape = v->shape[i] == shape[i];
        all_contiguous = all_contiguous && same_shape && tt_is_contiguous(v);
        all_channels_last = all_channels_last && same_shape && channels_last(v, NULL);
        bool same = same_shape && non_overlapping_and_dense(v);
        for (int i = 0; same && k > 0 && i < nd; i++)
            same = v->strides[i] == inputs[0]->strides[i];
        all_same_dense = all_same_dense && same;
    }
    if (all_contiguous || n == 0) {
        tt_contiguous_strides(strides, nd, shape);
        return;
    }
    if (all_channels_last) {
        tt_view like = *inputs[0];
        channels_last(&like, strides);
        return;
    }
    if (all_same_dense) {
        for (int i = 0; i < nd; i++)
            strides[i] = inputs[n - 1]->strides[i];
        return;
    }
    /* perm[0] is the innermost dim; start from the logical order */
    int perm[TT_MAX_DIMS];
    for (int i = 0; i < nd; i++)
        perm[i] = nd - 1 - i;
    for (int i = 1; i < nd; i++) {
        int d1 = i;
        for (int d0 = i - 1; d0 >= 0; d0--) {
            /* should perm[d0] go after perm[d1]?  1 yes, -1 no, 0 ambiguous */
            int cmp = 0;
            for (int k = 0; k < n && cmp == 0; k++) {
                const tt_view *v = inputs[k];
                int j0 = perm[d0] - (nd - v->ndim), j1 = perm[d1] - (nd - v->ndim);
                int64_t s0 = (j0 < 0 || (v->shape[j0] == 1 && shape[perm[d0]] != 1))
                                 ? 0 : v->strides[j0];
                int64_t s1 = (j1 < 0 || (v->shape[j1] == 1 && shape[perm[d1]] != 1))
                                 ? 0 : v->strides[j1];
                if (s0 == 0 || s1 == 0)
                    continue;
                if (s0 < s1)
                    cmp = -1;
                else if (s0 > s1)
                    cmp = 1;
                else if (shape[perm[d0]] > shape[perm[d1]])
                    cmp = 1;
            }
            if (cmp > 0) {
                int t = perm[d0];
                perm[d0] = perm[d1];
                perm[d1] = t;
                d1 = d0;
            } else if (cmp < 0) {
                break;
            }
        }
    }
    bool in_order = true;           /* then plain contiguous strides (as torch: they */
    for (int i = 0; i < nd; i++)    /* differ from the loop below for empty results) */
        in_order = in_order && perm[i] == nd - 1 - i;
    if (in_order) {
        tt_contiguous_strides(strides, nd, shape);
        return;
    }
    int64_t next = 1;
    for (int i = 0; i < nd; i++) {
        strides[perm[i]] = next;
        next *= shape[perm[i]];
    }
}

/* Does writing out while reading in need a temporary (Note [overlap])? */
bool
tt_needs_temp(const tt_view *out, const tt_view *in)
{
    return tt_views_overlap(out, in) && !same_view(out, in);
}

/* Run an elementwise loop, through a temporary when out overlaps an input. */
tt_status
tt_run_elementwise(const tt_view *out, int ninputs, const tt_view *const *inputs,
                   tt_loop loop, const void *extra)
{
    bool temp = false;
    for (int k = 0; k < ninputs; k++)
        temp = temp || tt_needs_temp(out, inputs[k]);
    if (!temp)
        return tt_iter_run(out, ninputs, inputs, loop, extra);
    tt_view tmp;
    tt_status s = tt_empty(&tmp, out->dtype, out->ndim, out->shape);
    if (s)
        return s;
    s = tt_iter_run(&tmp, ninputs, inputs, loop, extra);
    if (!s)
        s = tt_copy(out, &tmp);
    tt_storage_decref(tmp.storage);
    return s;
}

tt_status
tt_binary(const tt_view *out, const tt_view *a, const tt_view *b, tt_binary_op op,
          const tt_binary_args *args)
{
    if ((unsigned)op >= TT_NUM_BINARY_OPS)
        return tt_fail(TT_EVALUE, "binary: unknown op %d", (int)op);
    if (a->dtype != b->dtype)
        return tt_fail(TT_EDTYPE, "%s: operands must share one dtype, got %s and %s",
                       tt_binary_names[op], tt_dtypes[a->dtype].name,
                       tt_dtypes[b->dtype].name);
    tt_loop loop = loops[op][a->dtype];
    if (!loop)
        return tt_fail(TT_EDTYPE, "\"%s_cpu\" not implemented for '%s'",
                       tt_binary_names[op], tt_torch_type_names[a->dtype]);
    tt_dtype want = out_is_bool[op] ? TT_BOOL : a->dtype;
    if (out->dtype != want)
        return tt_fail(TT_EDTYPE, "%s: the output must be %s, got %s", tt_binary_names[op],
                       tt_dtypes[want].name, tt_dtypes[out->dtype].name);
    binary_ctx ctx = {.zerodiv = 0};
    if (args)
        ctx.args = *args;
    const tt_view *in[2] = {a, b};
    tt_status s = tt_run_elementwise(out, 2, in, loop, &ctx);
    if (s)
        return s;
    if (ctx.zerodiv)
        return tt_fail(TT_EZERODIV, "ZeroDivisionError");
    return TT_OK;
}
