/* error.c -- the thread-local error message behind every failing tt_status.
 * A failing function calls tt_fail(status, fmt, ...) and returns what it returns; the
 * Cython layer reads tt_last_error() and raises the exception class for the status. */
#include <stdarg.h>
#include <stdio.h>

#include "ctensor.h"

static _Thread_local char last_error[1024];

const char *
tt_last_error(void)
{
    return last_error;
}

tt_status
tt_fail(tt_status status, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, args);
    va_end(args);
    return status;
}
