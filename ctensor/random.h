/* random.h -- the random-number core: torch's CPU generator, bit for bit.
 *
 * Public declarations of random.c; the lead folds them into ctensor.h.  A
 * tt_generator is torch's CPUGeneratorImpl: an mt19937 engine plus the cached second
 * Box-Muller sample.  Every fill writes n elements of a contiguous buffer in order;
 * see Note [fill order] in random.c for tensors that are not contiguous.  Compile
 * random.c with -fno-math-errno -fno-trapping-math (torch's flags) for speed; the
 * bits do not depend on flags, -ffast-math excepted. */
#ifndef TT_RANDOM_H
#define TT_RANDOM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "ctensor.h"

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
    pthread_mutex_t lock;       /* every public call below holds it */
} tt_generator;

/* Set up a new generator seeded like torch.Generator().manual_seed(seed). */
void tt_generator_init(tt_generator *g, uint64_t seed);
/* Release the mutex of a generator made by tt_generator_init. */
void tt_generator_destroy(tt_generator *g);
/* torch.manual_seed / Generator.manual_seed on a live generator. */
void tt_generator_manual_seed(tt_generator *g, uint64_t seed);
/* torch.initial_seed / Generator.initial_seed. */
uint64_t tt_generator_initial_seed(tt_generator *g);
/* One raw 32-bit draw (CPUGeneratorImpl::random). */
uint32_t tt_generator_random(tt_generator *g);
/* One raw 64-bit draw: two 32-bit draws, the first is the high word (random64). */
uint64_t tt_generator_random64(tt_generator *g);
/* torch.get_rng_state(): TT_RNG_STATE_BYTES bytes in torch's CPUGeneratorImplState layout. */
void tt_generator_get_state(tt_generator *g, uint8_t *out);
/* torch.set_rng_state(state): checks size and validity like torch. */
tt_status tt_generator_set_state(tt_generator *g, const uint8_t *state, int64_t nbytes);

/* ---- fills of a contiguous buffer of n elements of dtype ---------------------- */
/* tensor.uniform_(from, to); torch.rand is uniform(0, 1).  Floating dtypes. */
tt_status tt_random_uniform(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                            double from, double to);
/* tensor.normal_(mean, std); torch.randn is normal(0, 1).  Floating dtypes. */
tt_status tt_random_normal(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                           double mean, double std);
/* normal_ of a non-contiguous tensor: torch always samples it element by element
 * (through the cached sine sample), whatever its size; fill in iteration order. */
tt_status tt_random_normal_serial(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                                  double mean, double std);
/* Which float Box-Muller torch runs (Note [normal_ paths] in random.c): its AVX2
 * kernel on x86-64 with AVX2+FMA (the default here, unless ATEN_CPU_CAPABILITY=default),
 * else the portable libm one.  Process-wide, like torch's CPU capability. */
void tt_random_set_avx2_normal(bool on);
bool tt_random_avx2_normal(void);
/* tensor.random_(from, to) with to given; torch.randint(low, high).  Any dtype. */
tt_status tt_random_from_to(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                            int64_t from, int64_t to);
/* tensor.random_(from) with to=None: [from, max of dtype]; from=INT64_MIN covers all
 * 64-bit integers (int64/float32/float64/bfloat16 only). */
tt_status tt_random_from(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                         int64_t from);
/* tensor.random_() with no bounds: [0, max of dtype] or [0, 2^mantissa] for floats. */
tt_status tt_random_default(tt_generator *g, void *out, tt_dtype dtype, int64_t n);
/* torch.randperm(n, dtype=...): a permutation of 0..n-1. */
tt_status tt_random_randperm(tt_generator *g, void *out, tt_dtype dtype, int64_t n);
/* tensor.bernoulli_(p) with a float p; torch.bernoulli(x, p); dropout's mask is
 * empty_like(x).bernoulli_(1 - p).  Any dtype. */
tt_status tt_random_bernoulli(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                              double p);
/* tensor.bernoulli_(p) / torch.bernoulli(p) with p a tensor already broadcast to n
 * contiguous elements of p_dtype (floating). */
tt_status tt_random_bernoulli_tensor(tt_generator *g, void *out, tt_dtype dtype,
                                     int64_t n, const void *p, tt_dtype p_dtype);
/* tensor.exponential_(lambd).  Floating dtypes. */
tt_status tt_random_exponential(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                                double lambd);
/* tensor.geometric_(p); any dtype but bool. */
tt_status tt_random_geometric(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                              double p);
/* tensor.log_normal_(mean, std). */
tt_status tt_random_log_normal(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                               double mean, double std);
/* tensor.cauchy_(median, sigma). */
tt_status tt_random_cauchy(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                           double median, double sigma);
/* torch.multinomial(probs, n_sample, replacement) over n_dist contiguous rows of
 * n_categories probabilities; out holds n_dist * n_sample int64 indices. */
tt_status tt_random_multinomial(tt_generator *g, int64_t *out, const void *probs,
                                tt_dtype dtype, int64_t n_dist, int64_t n_categories,
                                int64_t n_sample, bool replacement);

#endif
