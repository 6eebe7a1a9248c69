/* linalg.c -- small dense linear algebra: LU with partial pivoting, triangular solves,
 * Cholesky, Householder QR, Jacobi eigh and SVD; and tril/triu.
 *
 * The factorizations work on batches of contiguous row-major float64 matrices, shaped
 * (batch, rows, cols); tinytensor/linalg.py converts float32 in and out, so both dtypes
 * share one readable implementation (float32 results are then correctly rounded rather
 * than computed in float32 as LAPACK does: equal to torch's up to rounding).  Each
 * routine reports per matrix the `info` LAPACK would (0: fine; k: a zero pivot or a
 * non-positive minor at order k), and Python words torch's error from it.
 *
 * These are the textbook O(n^3) algorithms, written to be read; torch calls LAPACK. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctensor.h"
#include "internal.h"

/* (batch, rows, cols) of a contiguous float64 view with at least 2 dims */
static tt_status
matrices(const tt_view *v, int64_t *batch, int64_t *rows, int64_t *cols, const char *what)
{
    *batch = *rows = *cols = 0;
    if (v->dtype != TT_FLOAT64 || v->ndim < 2 || !tt_is_contiguous(v))
        return tt_fail(TT_EVALUE, "linalg: %s must be a contiguous float64 batch of "
                       "matrices", what);
    *rows = v->shape[v->ndim - 2];
    *cols = v->shape[v->ndim - 1];
    *batch = 1;
    for (int d = 0; d < v->ndim - 2; d++)
        *batch *= v->shape[d];
    return TT_OK;
}

static double *
f64(const tt_view *v)
{
    return (double *)tt_view_data(v);
}

/* ---- LU ---------------------------------------------------------------------------- */
/* In place: a = P L U with unit-lower L below the diagonal and U on and above it.
 * Row k swaps with the row of the largest |a[i][k]| (the first such, as LAPACK's
 * idamax); piv[k] is that row.  A zero pivot is skipped (info = k + 1, first one). */
static int64_t
lu_one(double *a, int64_t *piv, int64_t n)
{
    int64_t info = 0;
    for (int64_t k = 0; k < n; k++) {
        int64_t p = k;
        double best = fabs(a[k * n + k]);
        for (int64_t i = k + 1; i < n; i++)
            if (fabs(a[i * n + k]) > best) {
                best = fabs(a[i * n + k]);
                p = i;
            }
        piv[k] = p;
        if (p != k)
            for (int64_t j = 0; j < n; j++) {
                double t = a[k * n + j];
                a[k * n + j] = a[p * n + j];
                a[p * n + j] = t;
            }
        double pivot = a[k * n + k];
        if (pivot == 0) {
            if (!info)
                info = k + 1;
            continue;
        }
        for (int64_t i = k + 1; i < n; i++) {
            double f = a[i * n + k] /= pivot;
            if (f != 0)
                for (int64_t j = k + 1; j < n; j++)
                    a[i * n + j] -= f * a[k * n + j];
        }
    }
    return info;
}

tt_status
tt_lu_factor(const tt_view *a, const tt_view *pivots, const tt_view *info)
{
    int64_t batch, n, cols;
    tt_status s = matrices(a, &batch, &n, &cols, "A");
    if (s)
        return s;
    if (n != cols)
        return tt_fail(TT_ESHAPE, "lu_factor: A must be square");
    int64_t *piv = (int64_t *)tt_view_data(pivots), *inf = (int64_t *)tt_view_data(info);
    for (int64_t b = 0; b < batch; b++)
        inf[b] = lu_one(f64(a) + b * n * n, piv + b * n, n);
    return TT_OK;
}

/* From LU factors: det = (-1)^swaps * prod(U[i][i]); sign and log|det| separately (the
 * sign of a singular matrix is 0 times the rest, so it may be -0 as torch's is). */
tt_status
tt_lu_det(const tt_view *sign, const tt_view *logabs, const tt_view *det, const tt_view *lu,
          const tt_view *pivots)
{
    int64_t batch, n, cols;
    tt_status s = matrices(lu, &batch, &n, &cols, "LU");
    if (s)
        return s;
    const int64_t *piv = (const int64_t *)tt_view_data(pivots);
    for (int64_t b = 0; b < batch; b++) {
        const double *a = f64(lu) + b * n * n;
        double sg = 1, la = 0, d = 1;
        for (int64_t i = 0; i < n; i++) {
            double u = a[i * n + i];
            if (piv[b * n + i] != i) {
                sg = -sg;
                d = -d;
            }
            d *= u;
            sg *= u > 0 ? 1.0 : u < 0 ? -1.0 : u != u ? u : 0.0;
            la += log(fabs(u));
        }
        f64(sign)[b] = sg;
        f64(logabs)[b] = la;
        f64(det)[b] = d;
    }
    return TT_OK;
}

/* Solve A X = B in place in b (n x k) from A's LU factors. */
static void
lu_solve_one(const double *lu, const int64_t *piv, double *b, int64_t n, int64_t k)
{
    for (int64_t i = 0; i < n; i++)            /* apply the row swaps, in order */
        if (piv[i] != i)
            for (int64_t j = 0; j < k; j++) {
                double t = b[i * k + j];
                b[i * k + j] = b[piv[i] * k + j];
                b[piv[i] * k + j] = t;
            }
    for (int64_t i = 0; i < n; i++)            /* L y = P b, unit diagonal */
        for (int64_t r = 0; r < i; r++) {
            double f = lu[i * n + r];
            if (f != 0)
                for (int64_t j = 0; j < k; j++)
                    b[i * k + j] -= f * b[r * k + j];
        }
    for (int64_t i = n - 1; i >= 0; i--) {     /* U x = y */
        for (int64_t r = i + 1; r < n; r++) {
            double f = lu[i * n + r];
            if (f != 0)
                for (int64_t j = 0; j < k; j++)
                    b[i * k + j] -= f * b[r * k + j];
        }
        for (int64_t j = 0; j < k; j++)
            b[i * k + j] /= lu[i * n + i];
    }
}

tt_status
tt_lu_solve(const tt_view *b, const tt_view *lu, const tt_view *pivots)
{
    int64_t batch, n, cols, bb, bn, k;
    tt_status s;
    if ((s = matrices(lu, &batch, &n, &cols, "LU")) || (s = matrices(b, &bb, &bn, &k, "B")))
        return s;
    if (bb != batch || bn != n)
        return tt_fail(TT_ESHAPE, "lu_solve: B must have A's batch and rows");
    const int64_t *piv = (const int64_t *)tt_view_data(pivots);
    for (int64_t i = 0; i < batch; i++)
        lu_solve_one(f64(lu) + i * n * n, piv + i * n, f64(b) + i * n * k, n, k);
    return TT_OK;
}

/* ---- triangular solves ------------------------------------------------------------- */
/* A X = B in place in b, A (n x n) upper or lower triangular; unit: A's diagonal is 1 */
tt_status
tt_solve_triangular(const tt_view *b, const tt_view *a, bool upper, bool unit)
{
    int64_t batch, n, cols, bb, bn, k;
    tt_status s;
    if ((s = matrices(a, &batch, &n, &cols, "A")) || (s = matrices(b, &bb, &bn, &k, "B")))
        return s;
    if (bb != batch || bn != n || cols != n)
        return tt_fail(TT_ESHAPE, "solve_triangular: shapes do not match");
    for (int64_t m = 0; m < batch; m++) {
        const double *A = f64(a) + m * n * n;
        double *B = f64(b) + m * n * k;
        for (int64_t t = 0; t < n; t++) {
            int64_t i = upper ? n - 1 - t : t;
            int64_t r0 = upper ? i + 1 : 0, r1 = upper ? n : i;
            for (int64_t r = r0; r < r1; r++) {
                double f = A[i * n + r];
                if (f != 0)
                    for (int64_t j = 0; j < k; j++)
                        B[i * k + j] -= f * B[r * k + j];
            }
            if (!unit)
                for (int64_t j = 0; j < k; j++)
                    B[i * k + j] /= A[i * n + i];
        }
    }
    return TT_OK;
}

/* ---- Cholesky ---------------------------------------------------------------------- */
/* In place: the lower triangle of a becomes L with A = L L^T (the upper is zeroed);
 * info = k when the leading minor of order k is not positive-definite. */
tt_status
tt_cholesky(const tt_view *a, const tt_view *info)
{
    int64_t batch, n, cols;
    tt_status s = matrices(a, &batch, &n, &cols, "A");
    if (s)
        return s;
    int64_t *inf = (int64_t *)tt_view_data(info);
    for (int64_t m = 0; m < batch; m++) {
        double *A = f64(a) + m * n * n;
        inf[m] = 0;
        for (int64_t j = 0; j < n && !inf[m]; j++) {
            double d = A[j * n + j];
            for (int64_t r = 0; r < j; r++)
                d -= A[j * n + r] * A[j * n + r];
            if (!(d > 0)) {             /* also catches NaN */
                inf[m] = j + 1;
                break;
            }
            d = sqrt(d);
            A[j * n + j] = d;
            for (int64_t i = j + 1; i < n; i++) {
                double v = A[i * n + j];
                for (int64_t r = 0; r < j; r++)
                    v -= A[i * n + r] * A[j * n + r];
                A[i * n + j] = v / d;
            }
        }
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = i + 1; j < n; j++)
                A[i * n + j] = 0;
    }
    return TT_OK;
}

/* ---- Householder QR ---------------------------------------------------------------- */
/* A (m x n) = Q R.  Column k's reflector follows LAPACK's dlarfg, so signs agree with
 * torch: beta = -sign(alpha) * ||x||, R[k][k] = beta, v = x / (alpha - beta) with
 * v[0] = 1, tau = (beta - alpha) / beta; a column already zero below gets tau = 0.
 * q: m x qc (qc = min(m, n) for reduced, m for complete), r: rc x n (rc = qc).
 * q may be NULL (mode='r'). */
tt_status
tt_qr(const tt_view *q, const tt_view *r, const tt_view *a)
{
    int64_t batch, m, n, rb, rc, rn;
    tt_status s;
    if ((s = matrices(a, &batch, &m, &n, "A")) || (s = matrices(r, &rb, &rc, &rn, "R")))
        return s;
    int64_t kmax = m < n ? m : n;
    int64_t qc = rc;
    double *work = malloc(sizeof(double) * (size_t)(m * n + m * (kmax + 1) + 1));
    if (!work)
        return tt_fail(TT_ENOMEM, "qr: out of memory");
    double *w = work, *vs = work + m * n, *tau = vs + m * kmax;
    for (int64_t bi = 0; bi < batch; bi++) {
        memcpy(w, f64(a) + bi * m * n, sizeof(double) * (size_t)(m * n));
        for (int64_t k = 0; k < kmax; k++) {
            double alpha = w[k * n + k], xnorm = 0;
            for (int64_t i = k + 1; i < m; i++)
                xnorm = hypot(xnorm, w[i * n + k]);
            double *v = vs + k * m;
            memset(v, 0, sizeof(double) * (size_t)m);
            v[k] = 1;
            if (xnorm == 0) {
                tau[k] = 0;
                continue;
            }
            double beta = -copysign(hypot(alpha, xnorm), alpha);
            tau[k] = (beta - alpha) / beta;
            for (int64_t i = k + 1; i < m; i++)
                v[i] = w[i * n + k] / (alpha - beta);
            /* w = (I - tau v v^T) w on columns k.. */
            for (int64_t j = k; j < n; j++) {
                double dot = 0;
                for (int64_t i = k; i < m; i++)
                    dot += v[i] * w[i * n + j];
                dot *= tau[k];
                for (int64_t i = k; i < m; i++)
                    w[i * n + j] -= dot * v[i];
            }
            w[k * n + k] = beta;
            for (int64_t i = k + 1; i < m; i++)
                w[i * n + k] = 0;
        }
        double *R = f64(r) + bi * rc * n;
        for (int64_t i = 0; i < rc; i++)
            for (int64_t j = 0; j < n; j++)
                R[i * n + j] = i < m && j >= i ? w[i * n + j] : 0;
        if (!q)
            continue;
        /* Q = H_0 H_1 ... H_{k-1} applied to the first qc columns of the identity */
        double *Q = f64(q) + bi * m * qc;
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < qc; j++)
                Q[i * qc + j] = i == j;
        for (int64_t k = kmax - 1; k >= 0; k--) {
            const double *v = vs + k * m;
            if (tau[k] == 0)
                continue;
            for (int64_t j = 0; j < qc; j++) {
                double dot = 0;
                for (int64_t i = k; i < m; i++)
                    dot += v[i] * Q[i * qc + j];
                dot *= tau[k];
                for (int64_t i = k; i < m; i++)
                    Q[i * qc + j] -= dot * v[i];
            }
        }
    }
    free(work);
    return TT_OK;
}

/* ---- symmetric eigenvalues: cyclic Jacobi ------------------------------------------ */
/* Rotations zero one off-diagonal pair at a time until the off-diagonal part is below
 * rounding; w gets the eigenvalues ascending, the columns of v the eigenvectors.  Only
 * the lower triangle of A is read (torch's default UPLO='L'). */
#define JACOBI_SWEEPS 100

tt_status
tt_eigh(const tt_view *w, const tt_view *v, const tt_view *a)
{
    int64_t batch, n, cols;
    tt_status s = matrices(a, &batch, &n, &cols, "A");
    if (s)
        return s;
    double *A = malloc(sizeof(double) * (size_t)(n * n + n + 1));
    if (!A)
        return tt_fail(TT_ENOMEM, "eigh: out of memory");
    double *vals = A + n * n;
    int64_t *order = malloc(sizeof(int64_t) * (size_t)(n + 1));
    if (!order) {
        free(A);
        return tt_fail(TT_ENOMEM, "eigh: out of memory");
    }
    for (int64_t bi = 0; bi < batch; bi++) {
        const double *src = f64(a) + bi * n * n;
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < n; j++)
                A[i * n + j] = i >= j ? src[i * n + j] : src[j * n + i];
        double *V = f64(v) + bi * n * n;
        for (int64_t i = 0; i < n * n; i++)
            V[i] = i % (n + 1) == 0;
        for (int sweep = 0; sweep < JACOBI_SWEEPS; sweep++) {
            double off = 0, total = 0;
            for (int64_t i = 0; i < n; i++)
                for (int64_t j = 0; j < n; j++) {
                    total += A[i * n + j] * A[i * n + j];
                    if (i != j)
                        off += A[i * n + j] * A[i * n + j];
                }
            if (off <= 1e-30 * total || off == 0)
                break;
            for (int64_t p = 0; p < n; p++)
                for (int64_t q = p + 1; q < n; q++) {
                    double apq = A[p * n + q];
                    if (apq == 0)
                        continue;
                    double theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
                    double t = copysign(1.0, theta) / (fabs(theta) + hypot(theta, 1.0));
                    double c = 1 / hypot(t, 1.0), sn = t * c;
                    for (int64_t k = 0; k < n; k++) {      /* A = J^T A J */
                        double akp = A[k * n + p], akq = A[k * n + q];
                        A[k * n + p] = c * akp - sn * akq;
                        A[k * n + q] = sn * akp + c * akq;
                    }
                    for (int64_t k = 0; k < n; k++) {
                        double apk = A[p * n + k], aqk = A[q * n + k];
                        A[p * n + k] = c * apk - sn * aqk;
                        A[q * n + k] = sn * apk + c * aqk;
                    }
                    for (int64_t k = 0; k < n; k++) {      /* V = V J */
                        double vkp = V[k * n + p], vkq = V[k * n + q];
                        V[k * n + p] = c * vkp - sn * vkq;
                        V[k * n + q] = sn * vkp + c * vkq;
                    }
                }
        }
        /* ascending eigenvalues, columns of V permuted to match (insertion sort) */
        for (int64_t i = 0; i < n; i++) {
            vals[i] = A[i * n + i];
            order[i] = i;
        }
        for (int64_t i = 1; i < n; i++)
            for (int64_t j = i; j > 0 && vals[order[j]] < vals[order[j - 1]]; j--) {
                int64_t t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        double *W = f64(w) + bi * n;
        for (int64_t i = 0; i < n; i++)
            W[i] = vals[order[i]];
        memcpy(A, V, sizeof(double) * (size_t)(n * n));
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < n; j++)
                V[i * n + j] = A[i * n + order[j]];
    }
    free(A);
    free(order);
    return TT_OK;
}

/* ---- SVD: one-sided Jacobi (Hestenes) ---------------------------------------------- */
/* For A (m x n, m >= n; Python transposes wide matrices): rotate pairs of columns of
 * U = A until all are orthogonal, accumulating the rotations in V.  Then s_j = |U_j|,
 * U_j /= s_j, sorted descending; columns of U for zero singular values, and the extra
 * columns when full (U is m x m), are completed to an orthonormal basis. */
static void
complete_basis(double *U, int64_t m, int64_t uc, int64_t from)
{
    /* Gram-Schmidt the unit vectors e_0, e_1, ... against the columns so far */
    int64_t e = 0;
    for (int64_t j = from; j < uc; j++) {
        for (; e < m; e++) {
            for (int64_t i = 0; i < m; i++)
                U[i * uc + j] = i == e;
            for (int pass = 0; pass < 2; pass++)      /* twice: orthogonal to rounding */
                for (int64_t c = 0; c < j; c++) {
                    double dot = 0;
                    for (int64_t i = 0; i < m; i++)
                        dot += U[i * uc + c] * U[i * uc + j];
                    for (int64_t i = 0; i < m; i++)
                        U[i * uc + j] -= dot * U[i * uc + c];
                }
            double norm = 0;
            for (int64_t i = 0; i < m; i++)
                norm = hypot(norm, U[i * uc + j]);
            if (norm > 1e-6) {
                for (int64_t i = 0; i < m; i++)
                    U[i * uc + j] /= norm;
                e++;
                break;
            }
        }
    }
}

tt_status
tt_svd(const tt_view *u, const tt_view *s_out, const tt_view *vt, const tt_view *a)
{
    int64_t batch, m, n, ub, um, uc;
    tt_status st;
    if ((st = matrices(a, &batch, &m, &n, "A")))
        return st;
    if (m < n)
        return tt_fail(TT_ESHAPE, "svd kernel: expects rows >= cols");
    if (u && (st = matrices(u, &ub, &um, &uc, "U")))
        return st;
    double *work = malloc(sizeof(double) * (size_t)(m * n + n * n + n + 1));
    int64_t *order = malloc(sizeof(int64_t) * (size_t)(n + 1));
    if (!work || !order) {
        free(work);
        free(order);
        return tt_fail(TT_ENOMEM, "svd: out of memory");
    }
    double *W = work, *V = work + m * n, *sv = V + n * n;
    for (int64_t bi = 0; bi < batch; bi++) {
        memcpy(W, f64(a) + bi * m * n, sizeof(double) * (size_t)(m * n));
        for (int64_t i = 0; i < n * n; i++)
            V[i] = i % (n + 1) == 0;
        for (int sweep = 0; sweep < JACOBI_SWEEPS; sweep++) {
            bool rotated = false;
            for (int64_t p = 0; p < n; p++)
                for (int64_t q = p + 1; q < n; q++) {
                    double alpha = 0, beta = 0, gamma = 0;
                    for (int64_t i = 0; i < m; i++) {
                        alpha += W[i * n + p] * W[i * n + p];
                        beta += W[i * n + q] * W[i * n + q];
                        gamma += W[i * n + p] * W[i * n + q];
                    }
                    if (gamma == 0 || fabs(gamma) <= 1e-15 * sqrt(alpha * beta))
                        continue;
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = copysign(1.0, zeta) / (fabs(zeta) + hypot(zeta, 1.0));
                    double c = 1 / hypot(t, 1.0), sn = c * t;
                    for (int64_t i = 0; i < m; i++) {
                        double wp = W[i * n + p], wq = W[i * n + q];
                        W[i * n + p] = c * wp - sn * wq;
                        W[i * n + q] = sn * wp + c * wq;
                    }
                    for (int64_t i = 0; i < n; i++) {
                        double vp = V[i * n + p], vq = V[i * n + q];
                        V[i * n + p] = c * vp - sn * vq;
                        V[i * n + q] = sn * vp + c * vq;
                    }
                }
            if (!rotated)
                break;
        }
        for (int64_t j = 0; j < n; j++) {
            double norm = 0;
            for (int64_t i = 0; i < m; i++)
                norm = hypot(norm, W[i * n + j]);
            sv[j] = norm;
            order[j] = j;
        }
        for (int64_t i = 1; i < n; i++)     /* descending, stable */
            for (int64_t j = i; j > 0 && sv[order[j]] > sv[order[j - 1]]; j--) {
                int64_t t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        double *S = f64(s_out) + bi * n;
        for (int64_t j = 0; j < n; j++)
            S[j] = sv[order[j]];
        if (!u)
            continue;
        double *U = f64(u) + bi * m * uc, *VT = f64(vt) + bi * n * n;
        int64_t nonzero = 0;
        for (int64_t j = 0; j < n; j++) {
            int64_t c = order[j];
            for (int64_t i = 0; i < n; i++)
                VT[j * n + i] = V[i * n + c];
            if (sv[c] > 0) {
                nonzero = j + 1;
                for (int64_t i = 0; i < m; i++)
                    U[i * uc + j] = W[i * n + c] / sv[c];
            }
        }
        complete_basis(U, m, uc, nonzero);
    }
    free(work);
    free(order);
    return TT_OK;
}

/* ---- tril / triu ------------------------------------------------------------------- */
/* out = src with the elements above diagonal k (tril) or below it (triu) zeroed; the
 * last two dims are the matrix, the iterator walks the batch.  out may be src. */
typedef struct {
    int64_t rows, cols, k;
    int64_t os[2], ss[2];           /* byte strides of out and src over (row, col) */
    int itemsize;
    bool upper;
} tri_job;

static void
tri_loop(char **ptr, const int64_t *step, int64_t count, const void *extra)
{
    const tri_job *job = extra;
    for (int64_t b = 0; b < count; b++) {
        char *o = ptr[0] + b * step[0];
        const char *s = ptr[1] + b * step[1];
        for (int64_t i = 0; i < job->rows; i++)
            for (int64_t j = 0; j < job->cols; j++) {
                char *to = o + i * job->os[0] + j * job->os[1];
                bool keep = job->upper ? j - i >= job->k : j - i <= job->k;
                if (keep)
                    memmove(to, s + i * job->ss[0] + j * job->ss[1], (size_t)job->itemsize);
                else
                    memset(to, 0, (size_t)job->itemsize);
            }
    }
}

tt_status
tt_tril(const tt_view *out, const tt_view *src, int64_t k, bool upper)
{
    int nd = src->ndim;
    if (nd < 2 || out->ndim != nd || out->dtype != src->dtype)
        return tt_fail(TT_ESHAPE, "%s: input tensor must have at least 2 dimensions",
                       upper ? "triu" : "tril");
    int isz = tt_dtypes[src->dtype].itemsize;
    tri_job job = {.rows = src->shape[nd - 2], .cols = src->shape[nd - 1], .k = k,
                   .itemsize = isz, .upper = upper};
    job.os[0] = out->strides[nd - 2] * isz;
    job.os[1] = out->strides[nd - 1] * isz;
    job.ss[0] = src->strides[nd - 2] * isz;
    job.ss[1] = src->strides[nd - 1] * isz;
    tt_view o = *out, s = *src;
    o.ndim = s.ndim = nd - 2;
    const tt_view *in[1] = {&s};
    return tt_iter_run(&o, 1, in, tri_loop, &job);
}
