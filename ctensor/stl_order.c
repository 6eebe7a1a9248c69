/* stl_order.c -- libstdc++'s std::sort, std::partial_sort and std::nth_element, step for
 * step, over (key, index) pairs (order.h), so that ties come out as torch leaves them. */
#include "order.h"

/* Note [torch's tie order]: torch's CPU kernels order equal values by what their
 * algorithm happens to do: sort(stable=False) on 16-bit and 8-bit dtypes and mode call
 * std::sort, topk calls std::partial_sort or std::nth_element + std::sort (libstdc++),
 * kthvalue a Sedgewick quickselect of its own.  These are deterministic, so the code
 * below repeats them step for step to give torch's indices for ties.  `before` is the
 * comparator; mode's is plain `<` on values, under which NaN is unordered (TT_CMP_MODE).
 * Loops that libstdc++ leaves unguarded are bounded here too: a comparator that is not
 * a strict weak order (mode with NaN) must not walk out of the buffer.  multinomial
 * (random.c) ends in topk, so it orders its samples here too (Note [topk ties]). */

static inline bool
before(const tt_keyed *a, const tt_keyed *b, tt_cmp_kind c)
{
    return a->key < b->key && (c == TT_CMP_KEY || b->key != TT_NAN_KEY);
}

static int
floor_log2(int64_t n)
{
    int r = 0;
    while (n >>= 1)
        r++;
    return r;
}

static void
heap_adjust(tt_keyed *first, int64_t hole, int64_t len, tt_keyed value, tt_cmp_kind c)
{
    int64_t top = hole, child = hole;
    while (child < (len - 1) / 2) {
        child = 2 * (child + 1);
        if (before(&first[child], &first[child - 1], c))
            child--;
        first[hole] = first[child];
        hole = child;
    }
    if ((len & 1) == 0 && child == (len - 2) / 2) {
        child = 2 * (child + 1);
        first[hole] = first[child - 1];
        hole = child - 1;
    }
    int64_t parent = (hole - 1) / 2;
    while (hole > top && before(&first[parent], &value, c)) {
        first[hole] = first[parent];
        hole = parent;
        parent = (hole - 1) / 2;
    }
    first[hole] = value;
}

static void
heap_select(tt_keyed *first, tt_keyed *middle, tt_keyed *last, tt_cmp_kind c)
{
    int64_t len = middle - first;
    if (len >= 2)
        for (int64_t parent = (len - 2) / 2;; parent--) {
            heap_adjust(first, parent, len, first[parent], c);
            if (parent == 0)
                break;
        }
    for (tt_keyed *i = middle; i < last; i++)
        if (before(i, first, c)) {
            tt_keyed value = *i;
            *i = *first;
            heap_adjust(first, 0, len, value, c);
        }
}

static void
partial_sort(tt_keyed *first, tt_keyed *middle, tt_keyed *last, tt_cmp_kind c)
{
    heap_select(first, middle, last, c);
    for (tt_keyed *end = middle; end - first > 1;) {
        end--;
        tt_keyed value = *end;
        *end = *first;
        heap_adjust(first, 0, end - first, value, c);
    }
}

/* insert *last into the sorted run ending before it (libstdc++ leaves it unguarded) */
static void
linear_insert(tt_keyed *first, tt_keyed *last, tt_cmp_kind c)
{
    tt_keyed value = *last;
    tt_keyed *next = last - 1;
    while (next >= first && before(&value, next, c)) {
        *last = *next;
        last = next;
        next--;
    }
    *last = value;
}

static void
insertion_sort(tt_keyed *first, tt_keyed *last, tt_cmp_kind c)
{
    if (first == last)
        return;
    for (tt_keyed *i = first + 1; i < last; i++) {
        if (before(i, first, c)) {
            tt_keyed value = *i;
            memmove(first + 1, first, (size_t)(i - first) * sizeof *first);
            *first = value;
        } else {
            linear_insert(first, i, c);
        }
    }
}

/* median of first+1, middle, last-1 moved to *first; then Hoare partition around it */
static tt_keyed *
partition_pivot(tt_keyed *first, tt_keyed *last, tt_cmp_kind c)
{
    tt_keyed *a = first + 1, *b = first + (last - first) / 2, *z = last - 1;
    if (before(a, b, c)) {
        if (before(b, z, c))
            tt_swap_keyed(first, b);
        else if (before(a, z, c))
            tt_swap_keyed(first, z);
        else
            tt_swap_keyed(first, a);
    } else if (before(a, z, c)) {
        tt_swap_keyed(first, a);
    } else if (before(b, z, c)) {
        tt_swap_keyed(first, z);
    } else {
        tt_swap_keyed(first, b);
    }
    tt_keyed *lo = first + 1, *hi = last;
    for (;;) {
        while (lo < last - 1 && before(lo, first, c))
            lo++;
        hi--;
        while (hi > first && before(first, hi, c))
            hi--;
        if (!(lo < hi))
            return lo;
        tt_swap_keyed(lo, hi);
        lo++;
    }
}

static void
introsort_loop(tt_keyed *first, tt_keyed *last, int depth, tt_cmp_kind c)
{
    while (last - first > 16) {
        if (depth == 0) {
            partial_sort(first, last, last, c);
            return;
        }
        depth--;
        tt_keyed *cut = partition_pivot(first, last, c);
        introsort_loop(cut, last, depth, c);
        last = cut;
    }
}

/* std::sort */
void
tt_stl_sort(tt_keyed *first, tt_keyed *last, tt_cmp_kind c)
{
    if (last - first < 2)
        return;
    introsort_loop(first, last, 2 * floor_log2(last - first), c);
    if (last - first > 16) {
        insertion_sort(first, first + 16, c);
        for (tt_keyed *i = first + 16; i < last; i++)
            linear_insert(first, i, c);
    } else {
        insertion_sort(first, last, c);
    }
}

/* std::nth_element */
void
tt_stl_nth_element(tt_keyed *first, tt_keyed *nth, tt_keyed *last)
{
    if (first == last || nth == last)
        return;
    int depth = 2 * floor_log2(last - first);
    while (last - first > 3) {
        if (depth == 0) {
            heap_select(first, nth + 1, last, TT_CMP_KEY);
            tt_swap_keyed(first, nth);
            return;
        }
        depth--;
        tt_keyed *cut = partition_pivot(first, last, TT_CMP_KEY);
        if (cut <= nth)
            first = cut;
        else
            last = cut;
    }
    insertion_sort(first, last, TT_CMP_KEY);
}


void
tt_topk_order(tt_keyed *buf, int64_t n, int64_t k, bool sorted)
{
    if (k == 0)
        return;
    if (k * 64 <= n) {
        partial_sort(buf, buf + k, buf + n, TT_CMP_KEY);
    } else {
        tt_stl_nth_element(buf, buf + k - 1, buf + n);
        if (sorted)
            tt_stl_sort(buf, buf + k - 1, TT_CMP_KEY);
    }
}
