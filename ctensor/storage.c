/* storage.c -- refcounted blocks of memory, and the cache of large freed buffers.
 *
 * Small storages are one malloc: the header with the data right after it (64-byte
 * aligned), so a tiny tensor costs one allocation.  Large ones come from a bounded,
 * size-bucketed cache (Note [buffer cache]).  Borrowed storages wrap someone else's
 * memory (numpy, DLPack) and call their deleter instead of freeing.
 *
 * Note [buffer cache]: a fresh large malloc is served by mmap, and every page of it
 * faults on first touch; an out-of-place add of 1e7 floats spends more time in page
 * faults than adding.  Freed buffers of 1 MiB and more are kept (at most CACHE_SLOTS of
 * them, CACHE_MAX_BYTES in all) and handed back to a request of the same rounded size.
 * Sizes round up to 1/8 of their power of two so near sizes share a bucket. */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "ctensor.h"

#define ALIGN 64
#define LARGE_BYTES (1 << 20)
#define CACHE_SLOTS 16
#define CACHE_MAX_BYTES ((int64_t)1 << 30)

typedef struct {
    void *data;
    int64_t nbytes;
} cached_buffer;

static cached_buffer cache[CACHE_SLOTS];
static int64_t cache_bytes;
static mtx_t cache_lock;
static once_flag cache_once = ONCE_FLAG_INIT;

static void
init_cache_lock(void)
{
    mtx_init(&cache_lock, mtx_plain);
}

static int64_t
round_large(int64_t n)
{
    int64_t step = 1;
    while (step * 16 <= n)
        step <<= 1;                     /* step = 2^(floor(log2 n) - 3) */
    return (n + step - 1) / step * step;
}

static void *
large_alloc(int64_t nbytes)
{
    call_once(&cache_once, init_cache_lock);
    mtx_lock(&cache_lock);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (cache[i].data && cache[i].nbytes == nbytes) {
            void *p = cache[i].data;
            cache[i].data = NULL;
            cache_bytes -= nbytes;
            mtx_unlock(&cache_lock);
            return p;
        }
    }
    mtx_unlock(&cache_lock);
    return aligned_alloc(ALIGN, (size_t)nbytes);
}

static void
large_free(void *p, int64_t nbytes)
{
    call_once(&cache_once, init_cache_lock);
    mtx_lock(&cache_lock);
    if (cache_bytes + nbytes <= CACHE_MAX_BYTES) {
        for (int i = 0; i < CACHE_SLOTS; i++) {
            if (!cache[i].data) {
                cache[i].data = p;
                cache[i].nbytes = nbytes;
                cache_bytes += nbytes;
                mtx_unlock(&cache_lock);
                return;
            }
        }
    }
    mtx_unlock(&cache_lock);
    free(p);
}

void
tt_empty_cache(void)
{
    call_once(&cache_once, init_cache_lock);
    mtx_lock(&cache_lock);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        free(cache[i].data);
        cache[i].data = NULL;
    }
    cache_bytes = 0;
    mtx_unlock(&cache_lock);
}

int64_t
tt_cached_bytes(void)
{
    call_once(&cache_once, init_cache_lock);
    mtx_lock(&cache_lock);
    int64_t n = cache_bytes;
    mtx_unlock(&cache_lock);
    return n;
}

/* Small storages are one plain malloc: the header, then the data at the next 64-byte
 * boundary.  malloc's alignment (that of max_align_t) leaves at most SLACK bytes to skip.
 * Not aligned_alloc: glibc serves memalign without its per-thread cache, and for tiny
 * tensors that search cost more than the kernel. */
#define SLACK (ALIGN - _Alignof(max_align_t))

static char *
align_up(char *p)
{
    return (char *)(((uintptr_t)p + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1));
}

tt_status
tt_storage_new(tt_storage **out, int64_t nbytes)
{
    if (nbytes < 0 || nbytes > INT64_MAX / 2)
        return tt_fail(TT_ENOMEM, "cannot allocate a storage of %lld bytes",
                       (long long)nbytes);
    tt_storage *s;
    if (nbytes < LARGE_BYTES) {
        size_t data_bytes = (size_t)(nbytes + ALIGN - 1) / ALIGN * ALIGN;
        s = malloc(sizeof(tt_storage) + SLACK + data_bytes);
        if (!s)
            goto oom;
        s->data = align_up((char *)(s + 1));
        s->deleter = NULL;
        s->deleter_ctx = NULL;      /* no deleter and no size: data lives in this block */
    } else {
        s = malloc(sizeof(tt_storage));
        if (!s)
            goto oom;
        int64_t rounded = round_large(nbytes);
        s->data = large_alloc(rounded);
        if (!s->data) {
            free(s);
            goto oom;
        }
        s->deleter = NULL;
        s->deleter_ctx = (void *)(intptr_t)rounded;   /* remembered for the cache */
    }
    s->nbytes = nbytes;
    s->refcount = 1;
    s->version = 0;
    *out = s;
    return TT_OK;
oom:
    return tt_fail(TT_ENOMEM, "DefaultCPUAllocator: not enough memory: you tried to "
                   "allocate %lld bytes.", (long long)nbytes);
}

tt_status
tt_storage_borrow(tt_storage **out, void *data, int64_t nbytes,
                  void (*deleter)(void *ctx), void *deleter_ctx)
{
    tt_storage *s = malloc(sizeof(tt_storage));
    if (!s)
        return tt_fail(TT_ENOMEM, "out of memory allocating a storage header");
    s->data = data;
    s->nbytes = nbytes;
    s->refcount = 1;
    s->version = 0;
    s->deleter = deleter;
    s->deleter_ctx = deleter_ctx;
    *out = s;
    return TT_OK;
}

void
tt_storage_incref(tt_storage *s)
{
    atomic_fetch_add_explicit(&s->refcount, 1, memory_order_relaxed);
}

void
tt_storage_decref(tt_storage *s)
{
    if (!s)
        return;
    if (atomic_fetch_sub_explicit(&s->refcount, 1,
                                  memory_order_acq_rel) != 1)
        return;
    if (s->deleter) {
        s->deleter(s->deleter_ctx);
        free(s);
    } else if (!s->deleter_ctx) {
        free(s);                    /* small: data inside the block */
    } else {
        large_free(s->data, (int64_t)(intptr_t)s->deleter_ctx);
        free(s);
    }
}
