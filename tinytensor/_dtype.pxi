# _dtype.pxi -- dtype objects: one immutable instance per C dtype, printed as torch's.

cdef class dtype:
    """A tensor element type, like torch.dtype: tinytensor.float32, tinytensor.int64, ..."""
    cdef readonly int code
    cdef readonly str name

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))

    @property
    def itemsize(self):
        return tt_dtypes[self.code].itemsize

    @property
    def is_floating_point(self):
        return tt_dtypes[self.code].category == TT_CAT_FLOAT

    @property
    def is_signed(self):
        return tt_dtypes[self.code].is_signed

    @property
    def is_complex(self):
        return False

    def to_real(self):
        return self

    def to_complex(self):
        raise TypeError("complex dtypes are not supported by tinytensor")


cdef list DTYPES = []
for _code in range(TT_NUM_DTYPES):
    _d = dtype.__new__(dtype)
    (<dtype>_d).code = _code
    (<dtype>_d).name = tt_dtypes[_code].name.decode()
    DTYPES.append(_d)

bool_ = DTYPES[TT_BOOL]
uint8 = DTYPES[TT_UINT8]
int8 = DTYPES[TT_INT8]
int16 = DTYPES[TT_INT16]
int32 = DTYPES[TT_INT32]
int64 = DTYPES[TT_INT64]
float16 = DTYPES[TT_FLOAT16]
bfloat16 = DTYPES[TT_BFLOAT16]
float32 = DTYPES[TT_FLOAT32]
float64 = DTYPES[TT_FLOAT64]


def _dtype_by_name(name):
    for d in DTYPES:
        if (<dtype>d).name == name:
            return d
    raise TypeError(f"unknown dtype {name!r}")


cdef tt_dtype default_float = TT_FLOAT32


def get_default_dtype():
    """The dtype Python floats become: torch.float32 unless changed."""
    return DTYPES[default_float]


def set_default_dtype(d):
    """Set the dtype Python floats become (a floating dtype)."""
    global default_float
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, "
                        f"got {d!r}")
    default_float = <tt_dtype>(<dtype>d).code


cdef inline tt_dtype dtype_code(object d) except *:
    if d is None:
        return default_float
    if type(d) is dtype:
        return <tt_dtype>(<dtype>d).code
    return <tt_dtype>(<dtype>to_dtype(d)).code


def to_dtype(d):
    """Accept a dtype, a numpy dtype or a Python type (float, int, bool) as torch does."""
    if isinstance(d, dtype):
        return d
    if d is float:
        return float64       # torch: dtype=float means float64
    if d is int:
        return int64
    if d is bool:
        return bool_
    name = getattr(d, "name", None) or getattr(d, "__name__", None) or str(d)
    if isinstance(name, str):
        if name.startswith("complex"):
            raise TypeError(f"complex dtypes ({name}) are not supported by tinytensor: "
                            "it has bool, integer and floating dtypes only")
        for cand in DTYPES:
            if (<dtype>cand).name == name:
                return cand
    raise TypeError(f"cannot interpret {d!r} as a tinytensor dtype")


def promote_types(type1, type2):
    """The dtype torch promotes two dtypes to: promote_types(uint8, int8) is int16."""
    return DTYPES[tt_promote(dtype_code(type1), dtype_code(type2))]
