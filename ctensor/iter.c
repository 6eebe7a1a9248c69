/* iter.c -- the one strided N-d iterator.  Copies, casts, elementwise math and the
 * gather/scatter loops all come here.  (Reductions are the exception: reduce.c walks
 * them in torch's own order so that sums round as torch's do.)
 *
 * Given an output view and up to three inputs it
 *   1. broadcasts each input to the output's shape (a missing or size-1 dim gets
 *      stride 0),
 *   2. drops size-1 dims and orders the rest so the innermost has the smallest
 *      strides (Note [dim order]),
 *   3. merges neighbouring dims that are contiguous in every operand, so a contiguous
 *      tensor of any shape becomes a single 1-D run,
 *   4. turns element strides into byte strides and calls the 1-D loop once per row,
 *      splitting rows between OpenMP threads when the work is large enough
 *      (Note [when to thread]); when operands disagree about which dim is fastest
 *      (x.t() + y), the rows are walked in cache-sized tiles (Note [tiles]). */
#include <string.h>

#include "ctensor.h"
#include "internal.h"

/* Note [dim order]: dims are sorted by the output's strides first (so writes are
 * sequential), then by the inputs' where the output does not decide (stride 0: a
 * broadcast).  TT_ITER_INPUT_ORDER makes the first input decide first, so the walk
 * reads that input in memory order (loop_plan's input_order shows it). */
static bool
inner_than(const tt_iter_plan *p, int a, int b, int first_op)
{
    for (int k = first_op; k < p->nop; k++) {
        int64_t sa = p->strides[k][a], sb = p->strides[k][b];
        sa = sa < 0 ? -sa : sa;
        sb = sb < 0 ? -sb : sb;
        if (sa != 0 && sb != 0 && sa != sb)
            return sa < sb;
    }
    for (int k = 0; k < first_op; k++) {
        int64_t sa = p->strides[k][a], sb = p->strides[k][b];
        if (sa != 0 && sb != 0 && sa != sb)
            return sa < sb;
    }
    return a > b;       /* keep the original order: later dims are inner */
}

tt_status
tt_iter_plan_build(tt_iter_plan *p, const tt_view *out, int ninputs,
                   const tt_view *const *inputs, int flags)
{
    int nd = out->ndim;
    p->nop = ninputs + 1;
    p->numel = 1;
    const tt_view *ops[TT_MAX_OPERANDS];
    ops[0] = out;
    for (int k = 0; k < ninputs; k++)
        ops[k + 1] = inputs[k];

    /* 1. broadcast, in element strides; dims listed outermost first for now */
    int64_t shape[TT_MAX_DIMS], strides[TT_MAX_OPERANDS][TT_MAX_DIMS];
    for (int k = 0; k < p->nop; k++) {
        const tt_view *v = ops[k];
        p->base[k] = tt_view_data(v);
        p->itemsize[k] = tt_dtypes[v->dtype].itemsize;
        if (v->ndim > nd)
            return tt_fail(TT_ESHAPE, "iterator: input has more dims (%d) than the "
                           "output (%d)", v->ndim, nd);
        for (int i = 0; i < nd; i++) {
            int j = i - (nd - v->ndim);
            if (j < 0 || (v->shape[j] == 1 && out->shape[i] != 1)) {
                strides[k][i] = 0;
            } else if (v->shape[j] != out->shape[i]) {
                return tt_fail(TT_ESHAPE, "The size of tensor a (%lld) must match the "
                               "size of tensor b (%lld) at non-singleton dimension %d",
                               (long long)out->shape[i], (long long)v->shape[j], i);
            } else {
                strides[k][i] = v->strides[j];
            }
        }
    }
    for (int i = 0; i < nd; i++) {
        shape[i] = out->shape[i];
        p->numel *= shape[i];
    }

    /* 2. keep dims of size > 1, innermost first in p's arrays */
    int kept = 0;
    for (int i = nd - 1; i >= 0; i--) {
        if (shape[i] == 1)
            continue;
        p->shape[kept] = shape[i];
        for (int k = 0; k < p->nop; k++)
            p->strides[k][kept] = strides[k][i];
        kept++;
    }
    p->ndim = kept;
    /* insertion sort: few dims, and usually already in order */
    int first_op = (flags & TT_ITER_INPUT_ORDER) && p->nop > 1 ? 1 : 0;
    for (int i = 1; i < kept; i++) {
        for (int j = i; j > 0 && inner_than(p, j, j - 1, first_op); j--) {
            int64_t t = p->shape[j];
            p->shape[j] = p->shape[j - 1];
            p->shape[j - 1] = t;
            for (int k = 0; k < p->nop; k++) {
                t = p->strides[k][j];
                p->strides[k][j] = p->strides[k][j - 1];
                p->strides[k][j - 1] = t;
            }
        }
    }

    /* 3. merge dim i+1 into dim i when every operand steps over i exactly */
    if (!(flags & TT_ITER_NO_COALESCE) && kept > 1) {
        int w = 0;
        for (int i = 1; i < kept; i++) {
            bool merge = true;
            for (int k = 0; k < p->nop; k++)
                if (p->strides[k][i] != p->strides[k][w] * p->shape[w])
                    merge = false;
            if (merge) {
                p->shape[w] *= p->shape[i];
            } else {
                w++;
                p->shape[w] = p->shape[i];
                for (int k = 0; k < p->nop; k++)
                    p->strides[k][w] = p->strides[k][i];
            }
        }
        p->ndim = w + 1;
    }
    if (p->ndim == 0) {             /* a single element */
        p->ndim = 1;
        p->shape[0] = 1;
        for (int k = 0; k < p->nop; k++)
            p->strides[k][0] = 0;
    }

    /* 4. bytes */
    for (int k = 0; k < p->nop; k++)
        for (int i = 0; i < p->ndim; i++)
            p->strides[k][i] *= p->itemsize[k];
    p->writes_overlap = false;
    for (int i = 0; i < p->ndim; i++)
        if (p->strides[0][i] == 0)
            p->writes_overlap = true;
    p->tile_rows = 0;
    return TT_OK;
}

/* Note [tiles]: in x.t() + y the output and x.t() are fastest along the plan's inner
 * dim 0 and y along dim 1, so a row of the 1-D loop reads y with a stride of a whole
 * row: one cache line (and for long rows one page) per element, and the next row wants
 * the neighbouring element of each line long after the line has left L1.  Such plans
 * walk dims 0 and 1 in tiles of TILE_COLS elements by tile_rows rows, tile_rows being
 * what fills TILE_BYTES of the transposed operand's lines: its lines stay in L1 while
 * the tile's rows pass over them, and every row of a tile is still one call of the 1-D
 * loop.  A strip is tile_rows rows at one index of the outer dims; a range [begin, end)
 * of elements runs the strips that start inside it, so the ranges that split the work
 * between threads split the strips.  Only tt_iter_run tiles: gather and scatter keep
 * their element order. */
/* measured on 1000..3000-square float32/float64 x.t() + y and t().contiguous(): 128 x
 * 128 bytes beat 16..512 columns and 64 bytes of rows (-D overrides, for such tuning) */
#ifndef TILE_COLS
#define TILE_COLS 128
#endif
#ifndef TILE_BYTES
#define TILE_BYTES 128
#endif
#ifndef TILE_MIN_SPAN               /* 2048 pages of 4 KB: the reach of this L2 TLB */
#define TILE_MIN_SPAN (8 << 20)
#endif

/* the rows of a tile for this plan, or 0 when its operands agree on the fastest dim */
static int64_t
tile_rows(const tt_iter_plan *p)
{
    /* output stride 0: tiles would reorder the sums; short rows fit L1 untiled */
    if (p->ndim < 2 || p->writes_overlap || p->shape[0] <= TILE_COLS || p->numel == 0)
        return 0;
    int64_t rows = 0;
    for (int k = 0; k < p->nop; k++) {
        int64_t s0 = p->strides[k][0], s1 = p->strides[k][1];
        s0 = s0 < 0 ? -s0 : s0;
        s1 = s1 < 0 ? -s1 : s1;
        /* a step of less than a line reuses each line within the row, and a row
         * within TILE_MIN_SPAN keeps its lines in L2 and its pages in the L2 TLB:
         * there tiles measured no faster (1000x1000 float64: 10-30% slower) */
        if (s1 != 0 && s1 < s0 && s0 >= 64 && s0 * p->shape[0] >= TILE_MIN_SPAN) {
            int64_t r = s1 < TILE_BYTES ? TILE_BYTES / s1 : 1;
            rows = r > rows ? r : rows;
        }
    }
    if (rows > p->shape[1])
        rows = p->shape[1];
    /* threads split strips: keep at least 8 of them while tiles can get lower */
    int64_t outer = p->numel / (p->shape[0] * p->shape[1]);
    while (rows > 1 && (p->shape[1] + rows - 1) / rows * outer < 8)
        rows /= 2;
    return rows;
}

/* the pointers to element (0, row % shape[1], outer coords of row / shape[1]) */
static void
row_start(const tt_iter_plan *p, int64_t row, char **ptr)
{
    int64_t j = row % p->shape[1], rest = row / p->shape[1];
    for (int k = 0; k < p->nop; k++)
        ptr[k] = p->base[k] + j * p->strides[k][1];
    for (int d = 2; d < p->ndim; d++) {
        int64_t c = rest % p->shape[d];
        rest /= p->shape[d];
        for (int k = 0; k < p->nop; k++)
            ptr[k] += c * p->strides[k][d];
    }
}

/* the strips whose first element lies in [begin, end), tile by tile (Note [tiles]) */
static void
tiled_range(const tt_iter_plan *p, tt_loop loop, const void *extra, int64_t begin,
            int64_t end)
{
    int64_t n0 = p->shape[0], n1 = p->shape[1], rows = p->tile_rows;
    int64_t step[TT_MAX_OPERANDS];
    for (int k = 0; k < p->nop; k++)
        step[k] = p->strides[k][0];
    /* first strip start at or after begin: strips start at rows j = 0, rows, 2 rows...
     * of every outer index */
    int64_t row = (begin + n0 - 1) / n0, j = row % n1;
    if (j % rows) {
        j += rows - j % rows;
        row = j < n1 ? row - row % n1 + j : row - row % n1 + n1;
    }
    while (row * n0 < end) {
        char *start[TT_MAX_OPERANDS], *ptr[TT_MAX_OPERANDS];
        row_start(p, row, start);
        int64_t h = n1 - row % n1 < rows ? n1 - row % n1 : rows;
        for (int64_t c = 0; c < n0; c += TILE_COLS) {
            int64_t w = n0 - c < TILE_COLS ? n0 - c : TILE_COLS;
            for (int64_t r = 0; r < h; r++) {
                for (int k = 0; k < p->nop; k++)
                    ptr[k] = start[k] + c * step[k] + r * p->strides[k][1];
                loop(ptr, step, w, extra);
            }
        }
        row += h;           /* the next strip: same outer index, or the next one */
    }
}

void
tt_iter_plan_range(const tt_iter_plan *p, tt_loop loop, const void *extra,
                   int64_t begin, int64_t end)
{
    if (p->tile_rows > 0) {
        tiled_range(p, loop, extra, begin, end);
        return;
    }
    int64_t n0 = p->shape[0];
    int64_t coord[TT_MAX_DIMS];
    int64_t rest = begin / n0, i0 = begin % n0;
    for (int d = 1; d < p->ndim; d++) {
        coord[d] = rest % p->shape[d];
        rest /= p->shape[d];
    }
    int64_t step[TT_MAX_OPERANDS];
    for (int k = 0; k < p->nop; k++)
        step[k] = p->strides[k][0];
    int64_t idx = begin;
    while (idx < end) {
        int64_t len = n0 - i0;
        if (len > end - idx)
            len = end - idx;
        char *ptr[TT_MAX_OPERANDS];
        for (int k = 0; k < p->nop; k++) {
            char *q = p->base[k] + i0 * p->strides[k][0];
            for (int d = 1; d < p->ndim; d++)
                q += coord[d] * p->strides[k][d];
            ptr[k] = q;
        }
        loop(ptr, step, len, extra);
        idx += len;
        i0 = 0;
        for (int d = 1; d < p->ndim; d++) {
            if (++coord[d] < p->shape[d])
                break;
            coord[d] = 0;
        }
    }
}

/* Note [when to thread]: starting an OpenMP team costs a few microseconds, so only
 * work of TT_PARALLEL_GRAIN elements or more is split, and never when several output
 * elements alias one location (a reduction: threads would race on the sum). */
void
tt_iter_plan_run(const tt_iter_plan *p, tt_loop loop, const void *extra)
{
    int64_t total = p->numel;
    if (total == 0)
        return;
    int nthreads = tt_get_num_threads();
    if (nthreads <= 1 || total < TT_PARALLEL_GRAIN || p->writes_overlap) {
        tt_iter_plan_range(p, loop, extra, 0, total);
        return;
    }
    int64_t chunks = total / (TT_PARALLEL_GRAIN / 2);
    if (chunks > nthreads)
        chunks = nthreads;
    tt_parallel_for(chunks, p, loop, extra);
}

tt_status
tt_iter_run(const tt_view *out, int ninputs, const tt_view *const *inputs, tt_loop loop,
            const void *extra)
{
    tt_iter_plan plan;
    tt_status s = tt_iter_plan_build(&plan, out, ninputs, inputs, 0);
    if (s)
        return s;
    plan.tile_rows = tile_rows(&plan);
    tt_iter_plan_run(&plan, loop, extra);
    return TT_OK;
}
