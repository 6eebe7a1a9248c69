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

    # ---- random (random.c) ----

    int tt_get_num_threads()
    void tt_set_num_threads(int n)
    bint tt_has_openmp()

cdef extern from "half.h" nogil:
    float tt_f16_to_f32(uint16_t h)
    uint16_t tt_f32_to_f16(float f)
    float tt_bf16_to_f32(uint16_t h)
    uint16_t tt_f32_to_bf16(float f)
