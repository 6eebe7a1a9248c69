# _errors.pxi -- status codes to Python exceptions (one table) and the check helper.

_EXCEPTION_FOR = {
    TT_ENOMEM: RuntimeError,     # torch raises RuntimeError for failed allocations
    TT_ESHAPE: RuntimeError,
    TT_EDTYPE: RuntimeError,
    TT_EINDEX: IndexError,
    TT_EVALUE: RuntimeError,
    TT_ERUNTIME: RuntimeError,
    TT_EZERODIV: RuntimeError,
}


cdef int raise_status(tt_status s) except -1:
    msg = tt_last_error().decode("utf-8", "replace")
    if s == TT_ENOMEM:
        raise MemoryError(msg) if "not enough memory" not in msg else RuntimeError(msg)
    raise _EXCEPTION_FOR.get(s, RuntimeError)(msg)


cdef inline int check(tt_status s) except -1:
    if s != TT_OK:
        raise_status(s)
    return 0


# work above this many elements runs with the GIL released
cdef int64_t NOGIL_NUMEL = 1 << 14
