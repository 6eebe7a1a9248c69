/* matmul.c -- C = alpha * A @ B + beta * C for batches of 2-D views with any strides.
 *
 * Owns the floating GEMM (packed, cache-blocked, a register-tiled micro-kernel) and the
 * integer and 16-bit float paths around it.  Batch broadcasting is the caller's (pass
 * expanded views: stride 0 costs nothing here); shapes are checked here.
 *
 * Note [GEMM blocking] (the BLIS/GotoBLAS layout): for each NC-wide column block of B
 * and each KC-deep slice of K, B's slice is packed into NR-wide panels (k-major, so the
 * micro-kernel reads it sequentially); then for each MC-tall row block of A, A's block
 * is packed into MR-tall panels, and the micro-kernel multiplies one MR x KC panel of A
 * by one KC x NR panel of B into an MR x NR tile of C held in registers.  Sizes: an
 * A panel plus a B panel fit in L1 (32 KB), an A block in L2, a B slice in L3.  Packing
 * pads edges with zeros, so the kernel never branches on sizes; edge tiles are written
 * back through a small buffer.  Any strides work: packing reads them, the write-back
 * uses them.  Threads split the (row block x column panel) work of each K slice.
 *
 * The micro-kernel is plain C on GCC/Clang vector types: 6 x 16 floats (6 x 8 doubles)
 * of accumulators, two vector loads of B and six broadcasts of A per k, contracted to
 * fused multiply-adds; -march=native makes that AVX2+FMA here, and the same source
 * compiles to SSE or NEON elsewhere.  Without vector extensions a scalar loop stands in.
 *
 * float16/bfloat16 are widened to float while packing and accumulated in a float32
 * copy of C, rounded once at the end; integers multiply in int64 (wrapping to the
 * dtype at the end, as torch). */
#include <stdlib.h>
#include <string.h>

#include "ctensor.h"
#include "internal.h"

#if defined(__GNUC__)
#define HAVE_VECTORS 1
#pragma GCC optimize("fp-contract=fast")    /* a * b + c as one fma in the kernels */
#endif

#define ALIGN 64
#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p, 1)
#else
#define PREFETCH(p) ((void)(p))
#endif

static void *
aligned_alloc64(size_t bytes)
{
    return aligned_alloc(ALIGN, (bytes + ALIGN - 1) / ALIGN * ALIGN + ALIGN);
}

/* a matrix operand: base pointer and element strides */
typedef struct {
    char *p;
    int64_t rs, cs;
} mat;

/* generates the GEMM of one floating type T: micro-kernel, packing, blocked driver */
#define GEMM(T, sfx, MR, NR, KC, MC, NC)                                               \
    /* pack rows [i0, i0+mr) x cols [k0, k0+kc) of A into an MR-tall panel */          \
    static void pack_a_##sfx(T *restrict dst, const T *a, int64_t rs, int64_t cs,      \
                             int64_t mr, int64_t kc)                                   \
    {                                                                                  \
        for (int64_t k = 0; k < kc; k++) {                                             \
            for (int64_t i = 0; i < mr; i++)                                           \
                dst[i] = a[i * rs + k * cs];                                           \
            for (int64_t i = mr; i < MR; i++)                                          \
                dst[i] = 0;                                                            \
            dst += MR;                                                                 \
        }                                                                              \
    }                                                                                  \
    /* pack rows [k0, k0+kc) x cols [j0, j0+nr) of B into an NR-wide panel */          \
    static void pack_b_##sfx(T *restrict dst, const T *b, int64_t rs, int64_t cs,      \
                             int64_t kc, int64_t nr)                                   \
    {                                                                                  \
        if (cs == 1 && nr == NR) {                                                     \
            for (int64_t k = 0; k < kc; k++, dst += NR)                                \
                memcpy(dst, b + k * rs, NR * sizeof(T));                               \
            return;                                                                    \
        }                                                                              \
        for (int64_t k = 0; k < kc; k++) {                                             \
            for (int64_t j = 0; j < nr; j++)                                           \
                dst[j] = b[k * rs + j * cs];                                           \
            for (int64_t j = nr; j < NR; j++)                                          \
                dst[j] = 0;                                                            \
            dst += NR;                                                                 \
        }                                                                              \
    }                                                                                  \
                                                                                       \
    /* acc[MR][NR] = A panel @ B panel (kc deep), MR x NR in registers */              \
    static void kernel_##sfx(int64_t kc, const T *restrict a, const T *restrict b,     \
                             T *restrict acc)                                          \
    {                                                                                  \
        KERNEL_BODY_##sfx                                                              \
    }                                                                                  \
                                                                                       \
    /* C tile = alpha * acc + beta * C (beta 0: C is not read) */                      \
    static void store_##sfx(T *c, int64_t rs, int64_t cs, const T *acc, int64_t mr,    \
                            int64_t nr, T alpha, T beta)                               \
    {                                                                                  \
        if (cs == 1 && mr == MR && nr == NR) {     /* rows of NR: vectorises */        \
            for (int64_t i = 0; i < MR; i++) {                                         \
                T *restrict q = c + i * rs;                                            \
                const T *restrict v = acc + i * NR;                                    \
                if (beta == 0)                                                         \
                    for (int j = 0; j < NR; j++)                                       \
                        q[j] = alpha * v[j];                                           \
                else                                                                   \
                    for (int j = 0; j < NR; j++)                                       \
                        q[j] = alpha * v[j] + beta * q[j];                             \
            }                                                                          \
            return;                                                                    \
        }                                                                              \
        for (int64_t i = 0; i < mr; i++)                                               \
            for (int64_t j = 0; j < nr; j++) {                                         \
                T *q = c + i * rs + j * cs;                                            \
                T v = alpha * acc[i * NR + j];                                         \
                *q = beta == 0 ? v : v + beta * *q;                                    \
            }                                                                          \
    }                                                                                  \
                                                                                       \
    /* one matrix: C (m x n) = alpha * A (m x k) @ B (k x n) + beta * C */             \
    static tt_status gemm_##sfx(int64_t m, int64_t n, int64_t k, T alpha, mat A,       \
                                mat B, T beta, mat C, int nthreads)                    \
    {                                                                                  \
        const T *a = (const T *)A.p, *b = (const T *)B.p;                              \
        T *c = (T *)C.p;                                                               \
        if (k == 0) {                                                                  \
            for (int64_t i = 0; i < m; i++)                                            \
                for (int64_t j = 0; j < n; j++) {                                      \
                    T *q = c + i * C.rs + j * C.cs;                                    \
                    *q = beta == 0 ? 0 : beta * *q;                                    \
                }                                                                      \
            return TT_OK;                                                              \
        }                                                                              \
        /* row blocks: MC, or smaller so that every thread gets some */                \
        int64_t mc = MC;                                                               \
        if (nthreads > 1 && m < MC * nthreads) {                                       \
            mc = (m + nthreads - 1) / nthreads;                                        \
            mc = (mc + MR - 1) / MR * MR;                                              \
        }                                                                              \
        int64_t nc_max = n < NC ? (n + NR - 1) / NR * NR : NC;                         \
        int64_t kc_max = k < KC ? k : KC;                                              \
        T *bp = aligned_alloc64(sizeof(T) * nc_max * kc_max);                          \
        T *ap = aligned_alloc64(sizeof(T) * (size_t)nthreads *                         \
                                ((mc + MR - 1) / MR * MR) * kc_max);                   \
        if (!bp || !ap) {                                                              \
            free(bp);                                                                  \
            free(ap);                                                                  \
            return tt_fail(TT_ENOMEM, "matmul: out of memory for packing buffers");    \
        }                                                                              \
        for (int64_t jc = 0; jc < n; jc += NC) {                                       \
            int64_t nc = n - jc < NC ? n - jc : NC;                                    \
            int64_t npanels = (nc + NR - 1) / NR;                                      \
            for (int64_t pc = 0; pc < k; pc += KC) {                                   \
                int64_t kc = k - pc < KC ? k - pc : KC;                                \
                T bet = pc == 0 ? beta : 1;                                            \
                int64_t mblocks = (m + mc - 1) / mc;                                   \
                /* split columns too when there are fewer row blocks than threads */  \
                int64_t nsplit = mblocks >= nthreads ? 1 : nthreads;                   \
                if (nsplit > npanels)                                                  \
                    nsplit = npanels;                                                  \
                PARALLEL_REGION(nthreads)                                              \
                {                                                                      \
                    int tid = THREAD_NUM();                                            \
                    PARALLEL_FOR_STATIC                                                \
                    for (int64_t p = 0; p < npanels; p++) {                            \
                        int64_t j0 = p * NR;                                           \
                        pack_b_##sfx(bp + p * NR * kc, b + pc * B.rs + (jc + j0) * B.cs, \
                                     B.rs, B.cs, kc, nc - j0 < NR ? nc - j0 : NR);     \
                    }                                                                  \
                    T *apt = ap + (size_t)tid * ((mc + MR - 1) / MR * MR) * kc_max;    \
                    PARALLEL_FOR_DYNAMIC                                               \
                    for (int64_t w = 0; w < mblocks * nsplit; w++) {                   \
                        int64_t ib = w / nsplit, part = w % nsplit;                    \
                        int64_t ic = ib * mc, mcur = m - ic < mc ? m - ic : mc;        \
                        int64_t p0 = npanels * part / nsplit;                          \
                        int64_t p1 = npanels * (part + 1) / nsplit;                    \
                        for (int64_t ir = 0; ir < mcur; ir += MR)                      \
                            pack_a_##sfx(apt + ir * kc,                                \
                                         a + (ic + ir) * A.rs + pc * A.cs, A.rs, A.cs, \
                                         mcur - ir < MR ? mcur - ir : MR, kc);         \
                        for (int64_t p = p0; p < p1; p++) {                            \
                            int64_t j0 = p * NR, nr = nc - j0 < NR ? nc - j0 : NR;     \
                            for (int64_t ir = 0; ir < mcur; ir += MR) {                \
                                _Alignas(ALIGN) T acc[MR * NR];                        \
                                T *ct = c + (ic + ir) * C.rs + (jc + j0) * C.cs;       \
                                for (int i = 0; i < MR; i++) /* C's rows: 4 KB apart */ \
                                    PREFETCH(ct + i * C.rs), PREFETCH(ct + i * C.rs + (NR - 1) * C.cs); \
                                kernel_##sfx(kc, apt + ir * kc, bp + p * NR * kc, acc); \
                                store_##sfx(c + (ic + ir) * C.rs + (jc + j0) * C.cs,   \
                                            C.rs, C.cs, acc,                           \
                                            mcur - ir < MR ? mcur - ir : MR, nr,       \
                                            alpha, bet);                               \
                            }                                                          \
                        }                                                              \
                    }                                                                  \
                }                                                                      \
            }                                                                          \
        }                                                                              \
        free(bp);                                                                      \
        free(ap);                                                                      \
        return TT_OK;                                                                  \
    }

#ifdef _OPENMP
#include <omp.h>
#define PRAGMA(x) _Pragma(#x)
#define PARALLEL_REGION(n) PRAGMA(omp parallel num_threads(n))
#define PARALLEL_FOR_STATIC PRAGMA(omp for schedule(static))
#define PARALLEL_FOR_DYNAMIC PRAGMA(omp for schedule(dynamic, 1))
#define THREAD_NUM() omp_get_thread_num()
#else
#define PARALLEL_REGION(n)
#define PARALLEL_FOR_STATIC
#define PARALLEL_FOR_DYNAMIC
#define THREAD_NUM() 0
#endif

#ifdef HAVE_VECTORS
typedef float vec_f32 __attribute__((vector_size(32)));
typedef double vec_f64 __attribute__((vector_size(32)));
static inline vec_f32 bcast_f32(float x) { return (vec_f32){x, x, x, x, x, x, x, x}; }
static inline vec_f64 bcast_f64(double x) { return (vec_f64){x, x, x, x}; }
/* 6 rows x 2 vectors of accumulators; a broadcast of A times two vectors of B per row */
#define KERNEL_BODY(T, sfx, VL)                                                        \
    vec_##sfx c00 = {0}, c01 = {0}, c10 = {0}, c11 = {0}, c20 = {0}, c21 = {0};        \
    vec_##sfx c30 = {0}, c31 = {0}, c40 = {0}, c41 = {0}, c50 = {0}, c51 = {0};        \
    for (int64_t k = 0; k < kc; k++, a += 6, b += 2 * VL) {                            \
        vec_##sfx b0 = *(const vec_##sfx *)b, b1 = *(const vec_##sfx *)(b + VL), x;     \
        x = bcast_##sfx(a[0]); c00 += x * b0; c01 += x * b1;                            \
        x = bcast_##sfx(a[1]); c10 += x * b0; c11 += x * b1;                            \
        x = bcast_##sfx(a[2]); c20 += x * b0; c21 += x * b1;                            \
        x = bcast_##sfx(a[3]); c30 += x * b0; c31 += x * b1;                            \
        x = bcast_##sfx(a[4]); c40 += x * b0; c41 += x * b1;                            \
        x = bcast_##sfx(a[5]); c50 += x * b0; c51 += x * b1;                            \
    }                                                                                  \
    vec_##sfx *o = (vec_##sfx *)acc;                                                   \
    o[0] = c00; o[1] = c01; o[2] = c10; o[3] = c11; o[4] = c20; o[5] = c21;            \
    o[6] = c30; o[7] = c31; o[8] = c40; o[9] = c41; o[10] = c50; o[11] = c51;
#define KERNEL_BODY_f32 KERNEL_BODY(float, f32, 8)
#define KERNEL_BODY_f64 KERNEL_BODY(double, f64, 4)
#else
#define KERNEL_BODY(T, NR)                                                             \
    for (int i = 0; i < 6 * NR; i++)                                                   \
        acc[i] = 0;                                                                    \
    for (int64_t k = 0; k < kc; k++, a += 6, b += NR)                                  \
        for (int i = 0; i < 6; i++)                                                    \
            for (int j = 0; j < NR; j++)                                               \
                acc[i * NR + j] += a[i] * b[j];
#define KERNEL_BODY_f32 KERNEL_BODY(float, 16)
#define KERNEL_BODY_f64 KERNEL_BODY(double, 8)
#endif

/* float: 6 x 16 tiles, KC 256 (A panel 6 KB + B panel 16 KB in L1), MC 144 (144 KB of
 * A in L2), NC 4080 (4 MB of B in L3); double: 6 x 8 tiles, same bytes */
GEMM(float, f32, 6, 16, 256, 144, 4080)
GEMM(double, f64, 6, 8, 256, 96, 2040)

/* ---- matrix-vector products: a packed GEMM would waste most of its tile ---------- */
/* Note [GEMV layouts]: y (m) = alpha * A (m x k) @ x (k) + beta * y comes in two
 * layouts that matter, the forward and backward of a linear model X @ w:
 *  - rows of A contiguous (A.cs == 1, X @ w): dot products, four rows at a time with
 *    vector partial sums; a row's last partial vector re-reads the row's final VL
 *    elements with the ones already summed masked to zero (bits, not a multiply by 0,
 *    so an inf in A stays an inf), so short rows (k = 21) need no scalar tail;
 *  - columns of A contiguous (A.rs == 1, X^T @ r): y += A[:, p] * x[p] over p, in
 *    blocks of GEMV_BLOCK columns summed apart and then added, so the sum of a long
 *    column of products keeps about log-sized rounding error.
 * Anything else takes the strided loop. */
#define GEMV_BLOCK 256
#ifdef HAVE_VECTORS
typedef float vecu_f32 __attribute__((vector_size(32), aligned(4)));
typedef double vecu_f64 __attribute__((vector_size(32), aligned(8)));
typedef int32_t mask_f32 __attribute__((vector_size(32)));
typedef int64_t mask_f64 __attribute__((vector_size(32)));
#define GEMV_ROWS(T, sfx, VL)                                                          \
    /* y[i] for rows i0..i0+3 of a row-contiguous A, k >= VL */                        \
    static void dot4_##sfx(T *out4, const T *a, int64_t rs, int64_t k, const T *x)     \
    {                                                                                  \
        vec_##sfx s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};                              \
        int64_t j = 0;                                                                 \
        for (; j + VL <= k; j += VL) {                                                 \
            vec_##sfx xv = *(const vecu_##sfx *)(x + j);                               \
            s0 += *(const vecu_##sfx *)(a + j) * xv;                                   \
            s1 += *(const vecu_##sfx *)(a + rs + j) * xv;                              \
            s2 += *(const vecu_##sfx *)(a + 2 * rs + j) * xv;                          \
            s3 += *(const vecu_##sfx *)(a + 3 * rs + j) * xv;                          \
        }                                                                              \
        if (j < k) {            /* the last VL elements; the first VL-(k-j) are done */ \
            int64_t t = k - VL;                                                        \
            mask_##sfx keep;                                                           \
            for (int l = 0; l < VL; l++)                                               \
                keep[l] = t + l >= j ? -1 : 0;                                         \
            vec_##sfx xv = *(const vecu_##sfx *)(x + t);                               \
            s0 += (vec_##sfx)((mask_##sfx) * (const vecu_##sfx *)(a + t) & keep) * xv; \
            s1 += (vec_##sfx)((mask_##sfx) * (const vecu_##sfx *)(a + rs + t) & keep) * xv; \
            s2 += (vec_##sfx)((mask_##sfx) * (const vecu_##sfx *)(a + 2 * rs + t) & keep) * xv; \
            s3 += (vec_##sfx)((mask_##sfx) * (const vecu_##sfx *)(a + 3 * rs + t) & keep) * xv; \
        }                                                                              \
        vec_##sfx s[4] = {s0, s1, s2, s3};                                             \
        for (int r = 0; r < 4; r++) {                                                  \
            T h = 0;                                                                   \
            for (int l = 0; l < VL; l++)                                               \
                h += s[r][l];                                                          \
            out4[r] = h;                                                               \
        }                                                                              \
    }
GEMV_ROWS(float, f32, 8)
GEMV_ROWS(double, f64, 4)
#define HAVE_DOT4 1
#else
#define HAVE_DOT4 0
#define dot4_f32(o, a, rs, k, x) ((void)0)
#define dot4_f64(o, a, rs, k, x) ((void)0)
#endif

#define GEMV(T, sfx, VL)                                                               \
    static void gemv_##sfx(int64_t m, int64_t k, T alpha, mat A, const T *x,           \
                           int64_t incx, T beta, T *y, int64_t incy)                   \
    {                                                                                  \
        const T *a = (const T *)A.p;                                                   \
        if (A.rs == 1 && A.cs != 1 && m > 1) {     /* columns contiguous */            \
            T *acc = calloc((size_t)m * 2, sizeof(T));                                 \
            if (acc) {                                                                 \
                T *part = acc + m;                                                     \
                for (int64_t p0 = 0; p0 < k; p0 += GEMV_BLOCK) {                       \
                    int64_t p1 = k - p0 < GEMV_BLOCK ? k : p0 + GEMV_BLOCK;            \
                    for (int64_t i = 0; i < m; i++)                                    \
                        part[i] = 0;                                                   \
                    int64_t p = p0;                                                    \
                    for (; p + 4 <= p1; p += 4) {  /* 4 columns per pass over part */  \
                        const T *restrict c0 = a + p * A.cs, *restrict c1 = c0 + A.cs; \
                        const T *restrict c2 = c1 + A.cs, *restrict c3 = c2 + A.cs;    \
                        T x0 = x[p * incx], x1 = x[(p + 1) * incx];                    \
                        T x2 = x[(p + 2) * incx], x3 = x[(p + 3) * incx];              \
                        for (int64_t i = 0; i < m; i++)                                \
                            part[i] += (c0[i] * x0 + c1[i] * x1) + (c2[i] * x2 + c3[i] * x3); \
                    }                                                                  \
                    for (; p < p1; p++) {                                              \
                        const T *restrict col = a + p * A.cs;                          \
                        T xp = x[p * incx];                                            \
                        for (int64_t i = 0; i < m; i++)                                \
                            part[i] += col[i] * xp;                                    \
                    }                                                                  \
                    for (int64_t i = 0; i < m; i++)                                    \
                        acc[i] += part[i];                                             \
                }                                                                      \
                for (int64_t i = 0; i < m; i++) {                                      \
                    T *q = y + i * incy;                                               \
                    *q = beta == 0 ? alpha * acc[i] : alpha * acc[i] + beta * *q;      \
                }                                                                      \
                free(acc);                                                             \
                return;                                                                \
            }                          /* no memory for the sums: the plain loop */    \
        }                                                                              \
        int64_t i = 0;                                                                 \
        if (HAVE_DOT4 && A.cs == 1 && incx == 1 && k >= VL) {   /* rows contiguous */  \
            for (; i + 4 <= m; i += 4) {                                               \
                T s4[4];                                                               \
                dot4_##sfx(s4, a + i * A.rs, A.rs, k, x);                              \
                for (int r = 0; r < 4; r++) {                                          \
                    T *q = y + (i + r) * incy;                                         \
                    *q = beta == 0 ? alpha * s4[r] : alpha * s4[r] + beta * *q;        \
                }                                                                      \
            }                                                                          \
        }                                                                              \
        for (; i < m; i++) {                                                           \
            const T *row = a + i * A.rs;                                               \
            T part[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                      \
            int64_t j = 0;                                                             \
            if (A.cs == 1 && incx == 1)                                                \
                for (; j + 8 <= k; j += 8)                                             \
                    for (int l = 0; l < 8; l++)                                        \
                        part[l] += row[j + l] * x[j + l];                              \
            for (; j < k; j++)                                                         \
                part[0] += row[j * A.cs] * x[j * incx];                                \
            T s = ((part[0] + part[1]) + (part[2] + part[3])) +                        \
                  ((part[4] + part[5]) + (part[6] + part[7]));                         \
            T *q = y + i * incy;                                                       \
            *q = beta == 0 ? alpha * s : alpha * s + beta * *q;                        \
        }                                                                              \
    }
GEMV(float, f32, 8)
GEMV(double, f64, 4)

/* one floating matrix product: the GEMV forms for a single row or column */
#define PRODUCT(T, sfx)                                                                \
    static tt_status product_##sfx(int64_t m, int64_t n, int64_t k, T alpha, mat A,    \
                                   mat B, T beta, mat C, int nthreads)                 \
    {                                                                                  \
        if (n == 1 && k > 0) {          /* C[:, 0] = A @ B[:, 0] */                    \
            gemv_##sfx(m, k, alpha, A, (const T *)B.p, B.rs, beta, (T *)C.p, C.rs);    \
            return TT_OK;                                                              \
        }                                                                              \
        if (m == 1 && k > 0) {          /* C[0, :] = B^T @ A[0, :] */                  \
            mat Bt = {B.p, B.cs, B.rs};                                                \
            gemv_##sfx(n, k, alpha, Bt, (const T *)A.p, A.cs, beta, (T *)C.p, C.cs);   \
            return TT_OK;                                                              \
        }                                                                              \
        if (m * n * k <= 4096) {        /* tiny: packing would cost more than the sum */ \
            const T *a = (const T *)A.p, *b = (const T *)B.p;                          \
            for (int64_t i = 0; i < m; i++)                                            \
                for (int64_t j = 0; j < n; j++) {                                      \
                    T acc = 0;                                                         \
                    for (int64_t p = 0; p < k; p++)                                    \
                        acc += a[i * A.rs + p * A.cs] * b[p * B.rs + j * B.cs];        \
                    T *q = (T *)C.p + i * C.rs + j * C.cs;                             \
                    *q = beta == 0 ? alpha * acc : alpha * acc + beta * *q;            \
                }                                                                      \
            return TT_OK;                                                              \
        }                                                                              \
        return gemm_##sfx(m, n, k, alpha, A, B, beta, C, nthreads);                    \
    }
PRODUCT(float, f32)
PRODUCT(double, f64)

/* ---- integers: int64 accumulation, wrapping to the dtype when stored -------------- */
#define LD_INT(p, dt)                                                                  \
    (dt == TT_UINT8 ? (int64_t)*(const uint8_t *)(p) :                                 \
     dt == TT_INT8 ? (int64_t)*(const int8_t *)(p) :                                   \
     dt == TT_INT16 ? (int64_t)*(const int16_t *)(p) :                                 \
     dt == TT_INT32 ? (int64_t)*(const int32_t *)(p) : *(const int64_t *)(p))

static void
gemm_int(tt_dtype dt, int64_t m, int64_t n, int64_t k, int64_t alpha, mat A, mat B,
         int64_t beta, mat C)
{
    int64_t isz = tt_dtypes[dt].itemsize;
    uint64_t *row = malloc(sizeof(uint64_t) * (size_t)(n ? n : 1));
    if (!row)
        return;
    for (int64_t i = 0; i < m; i++) {
        memset(row, 0, sizeof(uint64_t) * (size_t)n);
        for (int64_t p = 0; p < k; p++) {
            uint64_t av = (uint64_t)LD_INT(A.p + (i * A.rs + p * A.cs) * isz, dt);
            const char *brow = B.p + p * B.rs * isz;
            for (int64_t j = 0; j < n; j++)
                row[j] += av * (uint64_t)LD_INT(brow + j * B.cs * isz, dt);
        }
        for (int64_t j = 0; j < n; j++) {
            char *q = C.p + (i * C.rs + j * C.cs) * isz;
            uint64_t v = (uint64_t)alpha * row[j];
            if (beta != 0)
                v += (uint64_t)beta * (uint64_t)LD_INT(q, dt);
            tt_scalar_to(q, dt, (tt_scalar){0, (int64_t)v, false});
        }
    }
    free(row);
}

/* ---- the front ----------------------------------------------------------------- */
static tt_status
shape_error(const tt_view *a, const tt_view *b)
{
    int na = a->ndim, nb = b->ndim;
    return tt_fail(TT_ESHAPE, "mat1 and mat2 shapes cannot be multiplied (%lldx%lld and "
                   "%lldx%lld)", (long long)a->shape[na - 2], (long long)a->shape[na - 1],
                   (long long)b->shape[nb - 2], (long long)b->shape[nb - 1]);
}

/* a contiguous float32 copy of a 16-bit float view (or the out's values for beta) */
static tt_status
widen(tt_view *dst, const tt_view *src)
{
    tt_status s = tt_empty(dst, TT_FLOAT32, src->ndim, src->shape);
    if (!s) {
        s = tt_copy(dst, src);
        if (s)
            tt_storage_decref(dst->storage);
    }
    return s;
}

/* one product of the batch: matrices at batch index t */
static tt_status
batch_item(const tt_view *out, const tt_view *a, const tt_view *b, int64_t t,
           double alpha, double beta, int nthreads)
{
    int nd = a->ndim;
    int64_t m = a->shape[nd - 2], k = a->shape[nd - 1], n = b->shape[nd - 1];
    tt_dtype dt = out->dtype;
    int64_t isz = tt_dtypes[dt].itemsize, oa = 0, ob = 0, oc = 0;
    for (int d = nd - 3; d >= 0; d--) {
        int64_t i = t % a->shape[d];
        t /= a->shape[d];
        oa += i * a->strides[d];
        ob += i * b->strides[d];
        oc += i * out->strides[d];
    }
    mat A = {tt_view_data(a) + oa * isz, a->strides[nd - 2], a->strides[nd - 1]};
    mat B = {tt_view_data(b) + ob * isz, b->strides[nd - 2], b->strides[nd - 1]};
    mat C = {tt_view_data(out) + oc * isz, out->strides[nd - 2], out->strides[nd - 1]};
    if (dt == TT_FLOAT32)
        return product_f32(m, n, k, (float)alpha, A, B, (float)beta, C, nthreads);
    if (dt == TT_FLOAT64)
        return product_f64(m, n, k, alpha, A, B, beta, C, nthreads);
    gemm_int(dt, m, n, k, (int64_t)alpha, A, B, (int64_t)beta, C);
    return TT_OK;
}

static tt_status
run_batches(const tt_view *out, const tt_view *a, const tt_view *b, double alpha,
            double beta)
{
    int nd = a->ndim;
    int64_t m = a->shape[nd - 2], k = a->shape[nd - 1], n = b->shape[nd - 1];
    int64_t batch = 1;
    for (int d = 0; d < nd - 2; d++)
        batch *= a->shape[d];
    int nthreads = tt_get_num_threads();
    /* threads inside each product, unless there are many small ones: then one thread
     * per product (never both: a nested OpenMP team would start new threads) */
    double flops = 2.0 * m * n * k;
    if (nthreads > 1 && flops < 2.0 * 64 * 64 * 64 && flops * batch < 2.0 * 32 * 32 * 32)
        nthreads = 1;               /* too small to pay for waking a thread */
    tt_status err = TT_OK;
    if (batch >= nthreads && nthreads > 1 && flops < 2.0 * 128 * 128 * 128) {
#ifdef _OPENMP
#pragma omp parallel for num_threads(nthreads) schedule(static)
#endif
        for (int64_t t = 0; t < batch; t++) {
            tt_status s = batch_item(out, a, b, t, alpha, beta, 1);
            if (s)
                err = s;
        }
        return err;
    }
    for (int64_t t = 0; t < batch && !err; t++)
        err = batch_item(out, a, b, t, alpha, beta, nthreads);
    return err;
}

tt_status
tt_matmul(const tt_view *out, const tt_view *a, const tt_view *b, double alpha,
          double beta)
{
    int nd = a->ndim;
    if (nd < 2 || b->ndim != nd || out->ndim != nd)
        return tt_fail(TT_ESHAPE, "matmul: operands need one ndim >= 2 (got %d, %d, %d)",
                       a->ndim, b->ndim, out->ndim);
    if (a->shape[nd - 1] != b->shape[nd - 2])
        return shape_error(a, b);
    for (int d = 0; d < nd - 2; d++)
        if (a->shape[d] != b->shape[d] || a->shape[d] != out->shape[d])
            return tt_fail(TT_ESHAPE, "matmul: batch dims differ at dim %d (%lld, %lld, "
                           "%lld)", d, (long long)a->shape[d], (long long)b->shape[d],
                           (long long)out->shape[d]);
    if (out->shape[nd - 2] != a->shape[nd - 2] || out->shape[nd - 1] != b->shape[nd - 1])
        return tt_fail(TT_ESHAPE, "matmul: the output must be %lldx%lld",
                       (long long)a->shape[nd - 2], (long long)b->shape[nd - 1]);
    tt_dtype dt = out->dtype;
    if (a->dtype != dt || b->dtype != dt)
        return tt_fail(TT_EDTYPE, "expected m1 and m2 to have the same dtype, but got: %s "
                       "!= %s", tt_dtypes[a->dtype].name, tt_dtypes[b->dtype].name);
    if (dt == TT_BOOL)
        return tt_fail(TT_EDTYPE, "\"addmm_impl_cpu_\" not implemented for 'Bool'");
    if (tt_view_numel(out) == 0)
        return TT_OK;
    bool overlap = tt_views_overlap(out, a) || tt_views_overlap(out, b);
    if (dt == TT_FLOAT16 || dt == TT_BFLOAT16 || overlap) {
        /* compute in a fresh (float32 for 16-bit floats) copy, round once into out */
        tt_dtype wide = dt == TT_FLOAT16 || dt == TT_BFLOAT16 ? TT_FLOAT32 : dt;
        tt_view wa, wb, wc;
        tt_status s = wide != dt ? widen(&wa, a) : tt_empty(&wa, dt, nd, a->shape);
        if (s)
            return s;
        if (wide == dt)
            s = tt_copy(&wa, a);
        if (!s)
            s = wide != dt ? widen(&wb, b) : tt_empty(&wb, dt, nd, b->shape);
        if (!s && wide == dt)
            s = tt_copy(&wb, b);
        if (!s) {
            if (beta == 0)
                s = tt_empty(&wc, wide, nd, out->shape);
            else
                s = wide != dt ? widen(&wc, out) : tt_empty(&wc, dt, nd, out->shape);
            if (!s && beta != 0 && wide == dt)
                s = tt_copy(&wc, out);
            if (!s) {
                s = run_batches(&wc, &wa, &wb, alpha, beta);
                if (!s)
                    s = tt_copy(out, &wc);
                tt_storage_decref(wc.storage);
            }
            tt_storage_decref(wb.storage);
        }
        tt_storage_decref(wa.storage);
        return s;
    }
    return run_batches(out, a, b, alpha, beta);
}
