/* ternary.c -- elementwise kernels of three inputs: where, clamp with tensor bounds,
 * lerp, addcmul, addcdiv (the optimizers' workhorses).
 *
 * Owns their loops for every dtype (generated from TT_TERNARY_OPS in ctensor.h and the
 * EXPR_<op> lines below) and their torch formulas.  Shapes are iter.c's; promotion is
 * the caller's.  where copies raw elements, so it works for every dtype unchanged. */
#include <tgmath.h>

#include "ctensor.h"
#include "internal.h"
#include "elementwise.h"

typedef struct {
    tt_ternary_args args;
} ternary_ctx;

#define V (ex->args.value)
#define NONE ((void)x, (void)y, (void)z, 0)

/* torch's clamp (NaN anywhere gives NaN) and lerp (at::lerp_vec: the weight side
 * nearer the result, one fused multiply-add) */
#define FTERNARY(T, sfx)                                                               \
    static inline T fclamp_##sfx(T x, T lo, T hi)                                      \
    {                                                                                  \
        if (x != x || lo != lo || hi != hi)                                            \
            return (T)NAN;                                                             \
        T m = x < lo ? lo : x;                                                         \
        return hi < m ? hi : m;                                                        \
    }                                                                                  \
    static inline T flerp_##sfx(T self, T end, T w)                                    \
    {                                                                                  \
        return fabs(w) < (T)0.5 ? fma(w, end - self, self) : fma(w - 1, end - self, end); \
    }
FTERNARY(float, f)
FTERNARY(double, d)
#define fclamp(x, y, z) _Generic((x), float: fclamp_f, default: fclamp_d)(x, y, z)
#define flerp(x, y, z) _Generic((x), float: flerp_f, default: flerp_d)(x, y, z)

/* the op expressions: (kinds, int expression, float expression) of x = a, y = b, z = c */
#define EXPR_clamp                                                                     \
    (KI | KF, (y > x ? y : x) > z ? z : (y > x ? y : x), fclamp(x, y, z))
#define EXPR_lerp (KF, NONE, flerp(x, y, z))
/* torch's build contracts self + value * t1 * t2 into fma(value * t1, t2, self) */
#define EXPR_addcmul (KI | KF, (C)((U)x + (U)(int64_t)V * (U)y * (U)z), fma((C)V * y, z, x))
#define EXPR_addcdiv (KF, NONE, x + (C)V * y / z)
#define KINDS(kinds, ei, ef) kinds
#define PICK3_KB(kinds, ei, ef) NONE
#define PICK3_KI(kinds, ei, ef) ei
#define PICK3_KF(kinds, ei, ef) ef
#define CALL(M, args) M args

/* generates <op>_<sfx> for clamp, lerp, addcmul, addcdiv:  o[i] = EXPR(a[i], b[i], c[i]) */
#define EW_LOOP(sfx, T, CT, UT, ST, NBITS, SGN, KIND, name)                                \
    static void name##_##sfx(char **ptr, const int64_t *step, int64_t n,                  \
                             const void *extra)                                            \
    {                                                                                      \
        const ternary_ctx *ex = extra;                                                     \
        EW_TYPES(CT, UT, ST, NBITS, SGN);                                                  \
        (void)ex;                                                                          \
        if (step[0] == sizeof(T) && step[1] == sizeof(T) && step[2] == sizeof(T) &&        \
            step[3] == sizeof(T) && !ex->args.c_is_value) {                                \
            T *restrict o = (T *)ptr[0];                                                   \
            const T *restrict a = (const T *)ptr[1], *restrict b = (const T *)ptr[2];      \
            const T *restrict c = (const T *)ptr[3];                                       \
            for (int64_t i = 0; i < n; i++) {                                              \
                C x = LOAD_##sfx(a[i]), y = LOAD_##sfx(b[i]), z = LOAD_##sfx(c[i]);        \
                o[i] = STORE_SAME_##sfx(CALL(PICK3_##KIND, EXPR_##name));                  \
            }                                                                              \
        } else {                                                                           \
            char *o = ptr[0];                                                              \
            const char *a = ptr[1], *b = ptr[2], *c = ptr[3];                              \
            const int64_t s0 = step[0], s1 = step[1], s2 = step[2], s3 = step[3];         \
            const bool c_is_value = ex->args.c_is_value;    /* Note [strides in locals] */ \
            const C c_value = c_is_value ? (C)ex->args.c_value : (C)0;                     \
            for (int64_t i = 0; i < n; i++, o += s0, a += s1, b += s2, c += s3) {          \
                C x = LOAD_##sfx(*(const T *)a), y = LOAD_##sfx(*(const T *)b);            \
                C z = c_is_value ? c_value : (C)LOAD_##sfx(*(const T *)c);                 \
                *(T *)o = STORE_SAME_##sfx(CALL(PICK3_##KIND, EXPR_##name));               \
            }                                                                              \
        }                                                                                  \
    }
#define STAMP_DTYPE(ENUM, ctype, sfx, compute, category, name)                           \
    EW_##sfx(clamp) EW_##sfx(lerp) EW_##sfx(addcmul) EW_##sfx(addcdiv)
TT_DTYPES(STAMP_DTYPE)
#undef STAMP_DTYPE

/* where: o[i] = cond[i] ? a[i] : b[i], moving raw elements of 1, 2, 4 or 8 bytes */
#define WHERE_LOOP(bytes, T)                                                           \
    static void where_##bytes(char **ptr, const int64_t *step, int64_t n,             \
                              const void *extra)                                       \
    {                                                                                  \
        (void)extra;                                                                   \
        if (step[0] == bytes && step[1] == 1 && step[2] == bytes && step[3] == bytes) { \
            T *restrict o = (T *)ptr[0];                                               \
            const bool *restrict m = (const bool *)ptr[1];                             \
            const T *restrict a = (const T *)ptr[2], *restrict b = (const T *)ptr[3];  \
            for (int64_t i = 0; i < n; i++)                                            \
                o[i] = m[i] ? a[i] : b[i];                                             \
        } else {                                                                       \
            char *o = ptr[0];                                                          \
            const char *m = ptr[1], *a = ptr[2], *b = ptr[3];                          \
            const int64_t s0 = step[0], s1 = step[1], s2 = step[2], s3 = step[3];     \
            for (int64_t i = 0; i < n; i++, o += s0, m += s1, a += s2, b += s3)        \
                *(T *)o = *(const bool *)m ? *(const T *)a : *(const T *)b;            \
        }                                                                              \
    }
WHERE_LOOP(1, uint8_t)
WHERE_LOOP(2, uint16_t)
WHERE_LOOP(4, uint32_t)
WHERE_LOOP(8, uint64_t)

#define ROW(name) EW_TABLE_ROW(name, CALL(KINDS, EXPR_##name))
static const tt_loop loops[TT_NUM_TERNARY_OPS][TT_NUM_DTYPES] = {
    [TT_TER_CLAMP] = ROW(clamp),
    [TT_TER_LERP] = ROW(lerp),
    [TT_TER_ADDCMUL] = ROW(addcmul),
    [TT_TER_ADDCDIV] = ROW(addcdiv),
};
#undef ROW

#define ROW(ENUM, name) [TT_TER_##ENUM] = #name,
const char *const tt_ternary_names[TT_NUM_TERNARY_OPS] = {TT_TERNARY_OPS(ROW)};
#undef ROW

tt_status
tt_ternary(const tt_view *out, const tt_view *a, const tt_view *b, const tt_view *c,
           tt_ternary_op op, const tt_ternary_args *args)
{
    if ((unsigned)op >= TT_NUM_TERNARY_OPS)
        return tt_fail(TT_EVALUE, "ternary: unknown op %d", (int)op);
    tt_dtype dt = out->dtype;
    tt_loop loop;
    if (op == TT_TER_WHERE) {
        if (a->dtype != TT_BOOL)
            return tt_fail(TT_EDTYPE, "where expected condition to be a boolean tensor, "
                           "but got a tensor with dtype %s", tt_torch_type_names[a->dtype]);
        static const tt_loop by_size[9] = {NULL, where_1, where_2, NULL, where_4,
                                           NULL, NULL, NULL, where_8};
        loop = by_size[tt_dtypes[dt].itemsize];
    } else {
        loop = loops[op][dt];
        if (!loop)
            return tt_fail(TT_EDTYPE, "\"%s_cpu\" not implemented for '%s'",
                           tt_ternary_names[op], tt_torch_type_names[dt]);
        if (a->dtype != dt)
            return tt_fail(TT_EDTYPE, "%s: operands must share the output's dtype",
                           tt_ternary_names[op]);
    }
    if (b->dtype != dt || c->dtype != dt)
        return tt_fail(TT_EDTYPE, "%s: operands must share the output's dtype",
                       tt_ternary_names[op]);
    ternary_ctx ctx = {{0, false, 0}};
    if (args)
        ctx.args = *args;
    const tt_view *in[3] = {a, b, c};
    return tt_run_elementwise(out, 3, in, loop, &ctx);
}
