# ctensor.pxd -- ctensor/ctensor.h for Cython.  Nothing else includes C headers.
from libc.stdint cimport int64_t, uint16_t

cdef extern from "ctensor.h" nogil:
    enum: TT_MAX_DIMS
    enum: TT_MAX_OPERANDS
    ctypedef enum tt_status:
        TT_OK, TT_ENOMEM, TT_ESHAPE, TT_EDTYPE, TT_EINDEX, TT_EVALUE, TT_ERUNTIME,
        TT_EZERODIV
    const char *tt_last_error()
    tt_status tt_fail(tt_status status, const char *fmt, ...)

    ctypedef int tt_dtype       # an enum in C; an int here so it can index tables
    enum:
        TT_BOOL, TT_UINT8, TT_INT8, TT_INT16, TT_INT32, TT_INT64, TT_FLOAT16,
        TT_BFLOAT16, TT_FLOAT32, TT_FLOAT64, TT_NUM_DTYPES
    ctypedef enum tt_category:
        TT_CAT_BOOL, TT_CAT_INT, TT_CAT_FLOAT
    ctypedef struct tt_dtype_info:
        const char *name
        int itemsize
        tt_category category
        bint is_signed
    const tt_dtype_info tt_dtypes[]
    tt_dtype tt_promote(tt_dtype a, tt_dtype b)

    ctypedef struct tt_storage:
        char *data
        int64_t nbytes
        int64_t refcount
        int64_t version
    tt_status tt_storage_new(tt_storage **out, int64_t nbytes)
    tt_status tt_storage_borrow(tt_storage **out, void *data, int64_t nbytes,
                                void (*deleter)(void *ctx) noexcept, void *ctx)
    void tt_storage_incref(tt_storage *s)
    void tt_storage_decref(tt_storage *s)
    void tt_empty_cache()
    int64_t tt_cached_bytes()

    ctypedef struct tt_view:
        tt_storage *storage
        tt_dtype dtype
        int ndim
        int64_t offset
        int64_t shape[TT_MAX_DIMS]
        int64_t strides[TT_MAX_DIMS]
    tt_status tt_numel(int64_t *out, int ndim, const int64_t *shape)
    int64_t tt_view_numel(const tt_view *v)
    char *tt_view_data(const tt_view *v)
    bint tt_is_contiguous(const tt_view *v)
    void tt_contiguous_strides(int64_t *strides, int ndim, const int64_t *shape)
    tt_status tt_empty(tt_view *out, tt_dtype dtype, int ndim, const int64_t *shape)
    tt_status tt_view_reshape(tt_view *out, const tt_view *inp, int ndim,
                              const int64_t *shape)
    tt_status tt_view_as_strided(tt_view *out, const tt_view *inp, int ndim,
                                 const int64_t *shape, const int64_t *strides,
                                 int64_t offset)
    tt_status tt_view_permute(tt_view *out, const tt_view *inp, const int *perm)
    tt_status tt_view_expand(tt_view *out, const tt_view *inp, int ndim,
                             const int64_t *shape)
    tt_status tt_view_slice(tt_view *out, const tt_view *inp, int dim, int64_t start,
                            int64_t stop, int64_t step)
    tt_status tt_view_select(tt_view *out, const tt_view *inp, int dim, int64_t index)
    tt_status tt_broadcast_shape(int *ndim, int64_t *shape, int n,
                                 const tt_view *const *views)

    ctypedef void (*tt_loop)(char **ptr, const int64_t *step, int64_t n,
                             const void *extra) noexcept
    ctypedef struct tt_iter_plan:
        int nop
        int ndim
        int64_t numel
        int64_t shape[TT_MAX_DIMS]
        int64_t strides[TT_MAX_OPERANDS][TT_MAX_DIMS]
        int itemsize[TT_MAX_OPERANDS]
        bint writes_overlap
    enum: TT_ITER_INPUT_ORDER, TT_ITER_NO_COALESCE
    tt_status tt_iter_plan_build(tt_iter_plan *plan, const tt_view *out, int ninputs,
                                 const tt_view *const *inputs, int flags)
    tt_status tt_iter_run(const tt_view *out, int ninputs, const tt_view *const *inputs,
                          tt_loop loop, const void *extra)

    ctypedef struct tt_scalar:
        double f
        int64_t i
        bint is_float
    tt_status tt_copy(const tt_view *dst, const tt_view *src)
    tt_loop tt_cast_loop(tt_dtype to, tt_dtype frm)
    tt_status tt_fill(const tt_view *dst, tt_scalar value)
    void tt_scalar_to(void *buf, tt_dtype dtype, tt_scalar value)
    void tt_scalar_view(tt_view *v, tt_storage *s, void *buf, tt_dtype dtype)
    bint tt_views_overlap(const tt_view *a, const tt_view *b)
    void tt_read_scalar(const tt_view *v, const int64_t *index, double *f, int64_t *i)

    tt_status tt_index_gather(const tt_view *out, const tt_view *src, int nadv,
                              const tt_view *const *index)
    tt_status tt_index_scatter(const tt_view *dst, int nadv, const tt_view *const *index,
                               const tt_view *values, bint accumulate)
    tt_status tt_nonzero(tt_view *out, const tt_view *src)

    # ---- math (binary.c, unary.c, reduce.c, matmul.c) ----
    tt_status tt_check_writable(const tt_view *out, int ninputs,
                                const tt_view *const *inputs)
    const char *tt_torch_type_names[]
    void tt_elementwise_strides(int64_t *strides, int nd, const int64_t *shape, int n,
                                const tt_view *const *inputs)

    enum: TT_NUM_BINARY_OPS
    enum: TT_BIN_MUL, TT_BIN_DIV, TT_BIN_DIV_TRUNC, TT_BIN_DIV_FLOOR, TT_BIN_ADD_ALPHA
    const char *tt_binary_names[]
    ctypedef struct tt_binary_args:
        double alpha_f
        int64_t alpha_i
        bint b_is_value
        double b_value
    tt_status tt_binary(const tt_view *out, const tt_view *a, const tt_view *b, int op,
                        const tt_binary_args *args)
    bint tt_binary_supports(int op, tt_dtype dtype)
    tt_dtype tt_binary_result_dtype(int op, tt_dtype dtype)

    enum: TT_NUM_UNARY_OPS
    enum: TT_UN_POW_SCALAR, TT_UN_SQRT, TT_UN_RSQRT, TT_UN_RECIPROCAL, TT_UN_CLAMP
    enum: TT_UN_ROUND, TT_UN_ROUND_DECIMALS, TT_UN_NAN_TO_NUM
    const char *tt_unary_names[]
    ctypedef struct tt_unary_args:
        double p[3]
        int64_t i[2]
    tt_status tt_unary(const tt_view *out, const tt_view *a, int op,
                       const tt_unary_args *args)
    bint tt_unary_supports(int op, tt_dtype dtype)
    tt_dtype tt_unary_result_dtype(int op, tt_dtype dtype)

    enum: TT_NUM_TERNARY_OPS
    enum: TT_TER_WHERE, TT_TER_LERP
    const char *tt_ternary_names[]
    ctypedef struct tt_ternary_args:
        double value
        bint c_is_value
        double c_value
    tt_status tt_ternary(const tt_view *out, const tt_view *a, const tt_view *b,
                         const tt_view *c, int op, const tt_ternary_args *args)

    # ---- sorting, selection, gather/scatter, linalg (sort.c, gather.c, linalg.c) ----
    tt_status tt_sort(const tt_view *values, const tt_view *indices, const tt_view *src,
                      int dim, bint descending, bint stable)
    tt_status tt_topk(const tt_view *values, const tt_view *indices, const tt_view *src,
                      int dim, int64_t k, bint largest, bint sorted)
    tt_status tt_kthvalue(const tt_view *values, const tt_view *indices,
                          const tt_view *src, int dim, int64_t k)
    tt_status tt_median(const tt_view *values, const tt_view *indices, const tt_view *src,
                        int dim, bint ignore_nan, bint all_elements)
    tt_status tt_mode(const tt_view *values, const tt_view *indices, const tt_view *src,
                      int dim)
    tt_status tt_cumextreme(const tt_view *values, const tt_view *indices,
                            const tt_view *src, int dim, bint is_max)
    tt_status tt_searchsorted(const tt_view *out, const tt_view *boundaries,
                              const tt_view *values, const tt_view *sorter, bint right)
    tt_status tt_unique(tt_view *values, tt_view *inverse, tt_view *counts,
                        const tt_view *src, bint sorted)
    ctypedef enum tt_scatter_op:
        TT_SCATTER_ASSIGN, TT_SCATTER_ADD, TT_SCATTER_MUL, TT_SCATTER_MAX, TT_SCATTER_MIN
    tt_status tt_gather(const tt_view *out, const tt_view *src, int dim,
                        const tt_view *index, bint wrap)
    tt_status tt_scatter(const tt_view *dst, int dim, const tt_view *index,
                         const tt_view *src, tt_scatter_op op, bint wrap)
    tt_status tt_flip(const tt_view *out, const tt_view *src, int ndims, const int *dims)
    tt_status tt_histc(const tt_view *out, const tt_view *src, double lo, double hi)
    tt_status tt_repeat_index(const tt_view *out, const tt_view *repeats)
    tt_status tt_lu_factor(const tt_view *a, const tt_view *pivots, const tt_view *info)
    tt_status tt_lu_solve(const tt_view *b, const tt_view *lu, const tt_view *pivots)
    tt_status tt_lu_det(const tt_view *sign, const tt_view *logabs, const tt_view *det,
                        const tt_view *lu, const tt_view *pivots)
    tt_status tt_solve_triangular(const tt_view *b, const tt_view *a, bint upper,
                                  bint unit)
    tt_status tt_cholesky(const tt_view *a, const tt_view *info)
    tt_status tt_qr(const tt_view *q, const tt_view *r, const tt_view *a)
    tt_status tt_eigh(const tt_view *w, const tt_view *v, const tt_view *a)
    tt_status tt_svd(const tt_view *u, const tt_view *s, const tt_view *vt,
                     const tt_view *a)
    tt_status tt_tril(const tt_view *out, const tt_view *src, int64_t k, bint upper)

    enum: TT_NUM_REDUCE_OPS
    enum: TT_RED_SUM, TT_RED_PROD, TT_RED_MEAN, TT_RED_AMAX, TT_RED_AMIN, TT_RED_ALL
    enum: TT_RED_ANY, TT_RED_NORM, TT_RED_VAR, TT_RED_STD, TT_RED_ARGMAX, TT_RED_ARGMIN
    const char *tt_reduce_names[]
    ctypedef struct tt_reduce_args:
        double p
        double correction
        bint nan_all_ones
    tt_status tt_reduce(const tt_view *out, const tt_view *inp, int op,
                        const tt_reduce_args *args)
    tt_status tt_reduce_with_index(const tt_view *values, const tt_view *indices,
                                   const tt_view *inp, bint is_min)

    tt_status tt_scan(const tt_view *out, const tt_view *inp, int dim, bint product)

    tt_status tt_matmul(const tt_view *out, const tt_view *a, const tt_view *b, double alpha,
                        double beta)

    # ---- random (random.c) ----
    # (C's uint8_t / uint32_t / uint64_t spelled as the plain types they are here)
    enum: TT_RNG_STATE_BYTES
    unsigned long long TT_DEFAULT_RNG_SEED
    ctypedef struct tt_generator:
        pass
    void tt_generator_init(tt_generator *g, unsigned long long seed)
    void tt_generator_destroy(tt_generator *g)
    void tt_generator_manual_seed(tt_generator *g, unsigned long long seed)
    unsigned long long tt_generator_initial_seed(tt_generator *g)
    unsigned int tt_generator_random(tt_generator *g)
    unsigned long long tt_generator_random64(tt_generator *g)
    void tt_generator_get_state(tt_generator *g, unsigned char *out)
    tt_status tt_generator_set_state(tt_generator *g, const unsigned char *state,
                                     int64_t nbytes)
    tt_status tt_random_uniform(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                                double lo, double hi)
    tt_status tt_random_normal(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                               double mean, double std)
    tt_status tt_random_normal_serial(tt_generator *g, void *out, tt_dtype dtype,
                                      int64_t n, double mean, double std)
    void tt_random_set_avx2_normal(bint on)
    bint tt_random_avx2_normal()
    tt_status tt_random_from_to(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                                int64_t lo, int64_t hi)
    tt_status tt_random_from(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                             int64_t lo)
    tt_status tt_random_default(tt_generator *g, void *out, tt_dtype dtype, int64_t n)
    tt_status tt_random_randperm(tt_generator *g, void *out, tt_dtype dtype, int64_t n)
    tt_status tt_random_bernoulli(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                                  double p)
    tt_status tt_random_bernoulli_tensor(tt_generator *g, void *out, tt_dtype dtype,
                                         int64_t n, const void *p, tt_dtype p_dtype)
    tt_status tt_random_exponential(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                                    double lambd)
    tt_status tt_random_geometric(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                                  double p)
    tt_status tt_random_log_normal(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                                   double mean, double std)
    tt_status tt_random_cauchy(tt_generator *g, void *out, tt_dtype dtype, int64_t n,
                               double median, double sigma)
    tt_status tt_random_multinomial(tt_generator *g, int64_t *out, const void *probs,
                                    tt_dtype dtype, int64_t n_dist, int64_t n_categories,
                                    int64_t n_sample, bint replacement)

    int tt_get_num_threads()
    void tt_set_num_threads(int n)
    bint tt_has_openmp()

cdef extern from "half.h" nogil:
    float tt_f16_to_f32(uint16_t h)
    uint16_t tt_f32_to_f16(float f)
    float tt_bf16_to_f32(uint16_t h)
    uint16_t tt_f32_to_bf16(float f)
