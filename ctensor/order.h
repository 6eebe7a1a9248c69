/* order.h -- torch's order of values as unsigned keys, and libstdc++'s unstable sorting
 * algorithms over (key, index) pairs (stl_order.c), shared by sort.c and random.c. */
#ifndef TT_ORDER_H
#define TT_ORDER_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Note [order keys]: a value maps to a uint64 such that a < b in torch's sorting order
 * iff key(a) < key(b).  Integers flip their sign bit; floats (widened to double, which
 * is exact) flip the sign bit of positives and every bit of negatives, the classic
 * radix-sort trick.  -0.0 becomes +0.0 first (they compare equal) and every NaN becomes
 * the largest key, since torch sorts NaN above +inf.  Descending order complements the
 * keys, which also puts NaN first, as torch's descending sort does. */
#define TT_NAN_KEY UINT64_MAX

typedef struct {
    uint64_t key;
    int64_t index;
} tt_keyed;

static inline uint64_t
tt_double_key(double x)
{
    if (x != x)
        return TT_NAN_KEY;
    if (x == 0)
        x = 0.0;
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return (b >> 63) ? ~b : b | (1ull << 63);
}

static inline uint64_t
tt_int_key(int64_t x)
{
    return (uint64_t)x ^ (1ull << 63);
}

static inline void
tt_swap_keyed(tt_keyed *a, tt_keyed *b)
{
    tt_keyed t = *a;
    *a = *b;
    *b = t;
}

/* The comparators: CMP_KEY is key order; CMP_MODE is plain `<` on values, under which
 * NaN is unordered (torch's mode). */
typedef enum { TT_CMP_KEY, TT_CMP_MODE } tt_cmp_kind;

/* std::sort, std::nth_element, and torch.topk's use of them (partial_sort when
 * k * 64 <= n, else nth_element then, if sorted, sort of the first k - 1) */
void tt_stl_sort(tt_keyed *first, tt_keyed *last, tt_cmp_kind c);
void tt_stl_nth_element(tt_keyed *first, tt_keyed *nth, tt_keyed *last);
void tt_topk_order(tt_keyed *buf, int64_t n, int64_t k, bool sorted);

#endif
