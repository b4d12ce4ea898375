/*
 * test_api.c - unit tests of every public function of vm.h and vm_ram.h
 * (suite "unit"; seeded faults from vm_wrap.h around vm_ram): configuration,
 * range and lock errors, locks and the bounce buffer, bulk helpers, flush/invalidate, statistics, events, walk,
 * vm_check, vm_strerror, wrapped pointers and the RAM backend itself.
 * Allocator, write traffic and policy exactness have their own files.
 */
#include "tc.h"

#include <stdlib.h>
#include <string.h>

static struct tc *T;

static void teardown(void)
{
    if (T != NULL) {
        ck_assert_int_eq(vm_check(&T->vm), VM_OK);
        tc_free(T);
        T = NULL;
    }
}

static struct tc *mk(uint16_t ps, vm_slot_t pc, vm_addr_t pool, uint8_t policy)
{
    struct tc_geom g;
    memset(&g, 0, sizeof g);
    g.page_size = ps;
    g.page_count = pc;
    g.pool_size = pool;
    g.policy = policy;
    g.fill_seed = 99;
    T = tc_new(&g);
    tc_clear_logs(T);
    return T;
}

/* ------------------------------------------------------------- vm_init -- */

static struct vm_ram cfg_ram;
static uint32_t cfg_pages[(1024 * 8 + 4) / 4 + 1];
static struct vm_slot cfg_slots[VM_PAGE_COUNT_MAX + 1u];
static uint8_t cfg_mem[64 * 1024];

/* A valid configuration: 4 x 64-byte pages over 64 KiB. */
static void good_cfg(struct vm_config *c)
{
    vm_ram_init(&cfg_ram, cfg_mem, sizeof cfg_mem);
    memset(c, 0, sizeof *c);
    c->backend = &cfg_ram.backend;
    c->page_size = 64;
    c->page_count = 4;
    c->pages = cfg_pages;
    c->pages_size = 64 * 4;
    c->slots = cfg_slots;
    c->slot_count = 4;
}

enum bad_kind {
    BAD_NULL_BACKEND, BAD_NULL_PAGES, BAD_NULL_SLOTS, BAD_PS_24, BAD_PS_8, BAD_PS_8192,
    BAD_PS_4097, BAD_PS_100, BAD_PAGES_SMALL, BAD_SLOTS_FEW, BAD_POOL_BIG, BAD_ALIGN_1,
    BAD_ALIGN_2, BAD_COUNT_OVER, BAD_POLICY, BAD_WRAP_POOL, BAD_HEAP_RANGE, BAD_NULL_READ,
    BAD_COUNT
};
static const char *const bad_names[BAD_COUNT] = {
    "NULL backend", "NULL pages", "NULL slots", "page size 24", "page size 8",
    "page size 8192", "page size 4097", "page size 100", "pages_size too small",
    "slot_count < page_count", "pool larger than backend", "pages misaligned by 1",
    "pages misaligned by 2", "page_count VM_PAGE_COUNT_MAX + 1", "unknown policy", "pool above 2 GiB (wrap)",
    "heap_end beyond the pool", "backend without read",
};

START_TEST(init_rejects_bad_config)
{
    struct vm_config c;
    struct vm_backend be;
    struct vm vm;
    good_cfg(&c);
    switch (_i) {
    case BAD_NULL_BACKEND: c.backend = NULL; break;
    case BAD_NULL_PAGES: c.pages = NULL; break;
    case BAD_NULL_SLOTS: c.slots = NULL; break;
    case BAD_PS_24: c.page_size = 24; c.pages_size = 24 * 4; break;
    case BAD_PS_8: c.page_size = 8; break;
    case BAD_PS_8192: c.page_size = 8192; c.page_count = 1; c.pages_size = sizeof cfg_pages; break;
    case BAD_PS_4097: c.page_size = 4097; c.page_count = 1; c.pages_size = sizeof cfg_pages; break;
    case BAD_PS_100: c.page_size = 100; c.pages_size = 400; break;
    case BAD_PAGES_SMALL: c.pages_size = 64 * 4 - 1; break;
    case BAD_SLOTS_FEW: c.slot_count = 3; break;
    case BAD_POOL_BIG: c.pool_size = sizeof cfg_mem + 1; break;
    case BAD_ALIGN_1: c.pages = (uint8_t *)cfg_pages + 1; break;
    case BAD_ALIGN_2: c.pages = (uint8_t *)cfg_pages + 2; break;
    case BAD_COUNT_OVER: /* 255 with 8-bit slot indices */
        c.page_size = 16; c.page_count = VM_PAGE_COUNT_MAX + 1u;
        c.pages_size = 16u * (VM_PAGE_COUNT_MAX + 1u); c.slot_count = VM_PAGE_COUNT_MAX + 1u;
        break;
    case BAD_POLICY: c.policy = VM_POLICY_COUNT + 3; break;
    case BAD_WRAP_POOL:
        /* vm_init makes no backend call, so a huge size needs no memory. */
        be = cfg_ram.backend;
        be.size = 0x80000040u;
        c.backend = &be;
        break;
    case BAD_HEAP_RANGE:
        c.heap = (struct vm_block *)cfg_slots; /* any storage: only checked */
        c.heap_blocks = 4;
        c.heap_end = sizeof cfg_mem + 64;
        break;
    case BAD_NULL_READ:
        be = cfg_ram.backend;
        be.read = NULL;
        c.backend = &be;
        break;
    default: ck_abort();
    }
    ck_assert_msg(vm_init(&vm, &c) == VM_ERR_INVAL, "vm_init accepted: %s", bad_names[_i]);
    ck_assert_uint_eq(cfg_ram.reads, 0);
    ck_assert_uint_eq(cfg_ram.writes, 0);
}
END_TEST

/* The slot index's width (VM_CONFIG_SLOT_BITS) sets the page count limit:
 * 254 with 8 bits, 65534 with 16 (32767 where int is 16 bits). The largest
 * count works end to end: every slot loads, and the last one is found. */
START_TEST(init_page_count_limit)
{
    static uint32_t pages[(16u * VM_PAGE_COUNT_MAX + 3u) / 4u];
    struct vm_config c;
    struct vm vm;
    vm_addr_t a;
    uint8_t v;
#if VM_CONFIG_SLOT_BITS == 8
    ck_assert_uint_eq(VM_PAGE_COUNT_MAX, 254);
    ck_assert_uint_eq(sizeof(vm_slot_t), 1);
#else
    ck_assert_uint_eq(VM_PAGE_COUNT_MAX, INT_MAX > 0x7FFF ? 65534u : 32767u);
    ck_assert_uint_eq(sizeof(vm_slot_t), 2);
#endif
    good_cfg(&c);
    c.page_size = 16;
    c.page_count = VM_PAGE_COUNT_MAX;
    c.pages = pages;
    c.pages_size = sizeof pages;
    c.slot_count = VM_PAGE_COUNT_MAX;
    ck_assert_int_eq(vm_init(&vm, &c), VM_OK);
    ck_assert_uint_eq(vm_page_count(&vm), VM_PAGE_COUNT_MAX);
    for (a = 0; a < 16u * VM_PAGE_COUNT_MAX && a < sizeof cfg_mem; a += 16u)
        ck_assert_int_eq(vm_get8(&vm, a, &v), VM_OK);
    ck_assert_int_eq(vm_check(&vm), VM_OK);
    ck_assert_int_eq(vm_slot_of(&vm, a - 16u), (int)(a / 16u) - 1);
    c.page_count = VM_PAGE_COUNT_MAX + 1u; /* one more: refused */
    c.slot_count = VM_PAGE_COUNT_MAX + 1u;
    c.pages_size = 16u * (VM_PAGE_COUNT_MAX + 1u);
    ck_assert_int_eq(vm_init(&vm, &c), VM_ERR_INVAL);
}
END_TEST

START_TEST(init_defaults)
{
    struct vm_config c;
    struct vm vm;
    good_cfg(&c);
    c.page_size = 0;
    c.page_count = 0;
    c.pages_size = 64 * 5;
    c.slot_count = 3;
    ck_assert_int_eq(vm_init(&vm, &c), VM_OK);
    ck_assert_uint_eq(vm_page_size(&vm), VM_DEFAULT_PAGE_SIZE);
    ck_assert_uint_eq(vm_page_count(&vm), 3); /* slots are the limit */
    ck_assert_uint_eq(vm_pool_size(&vm), sizeof cfg_mem);
    ck_assert_uint_eq(vm_policy(&vm), VM_DEFAULT_POLICY);
    ck_assert_int_eq(vm_check(&vm), VM_OK);

    c.pages_size = 64 * 2 + 63; /* the page buffers are the limit */
    c.slot_count = 8;
    c.pool_size = 1000;
    c.policy = VM_POLICY_SIEVE;
    ck_assert_int_eq(vm_init(&vm, &c), VM_OK);
    ck_assert_uint_eq(vm_page_count(&vm), 2);
    ck_assert_uint_eq(vm_pool_size(&vm), 1000);
    ck_assert_uint_eq(vm_policy(&vm), VM_POLICY_SIEVE);

    c.page_size = 16; /* never more than VM_PAGE_COUNT_MAX */
    c.pages_size = 16u * (VM_PAGE_COUNT_MAX + 1u);
    c.slot_count = VM_PAGE_COUNT_MAX + 1u;
    ck_assert_int_eq(vm_init(&vm, &c), VM_OK);
    ck_assert_uint_eq(vm_page_count(&vm), VM_PAGE_COUNT_MAX);
    ck_assert_int_eq(vm_check(&vm), VM_OK);

    /* Extremes that are valid. */
    good_cfg(&c);
    c.page_size = 4096;
    c.page_count = 2;
    c.pages_size = 8192;
    ck_assert_int_eq(vm_init(&vm, &c), VM_OK);
    good_cfg(&c);
    c.page_size = 16;
    c.page_count = 1;
    c.pool_size = 16;
    ck_assert_int_eq(vm_init(&vm, &c), VM_OK);
    ck_assert_uint_eq(cfg_ram.reads + cfg_ram.writes, 0);
}
END_TEST

/* The static storage macro, the RAM cost macro and member access. */
VM_STORAGE(static, st, 64, 4);

struct point {
    uint16_t x;
    uint32_t y;
    uint8_t tag[5];
};

START_TEST(storage_and_members)
{
    struct vm_config c;
    struct vm vm;
    struct point p, q;
    uint32_t y = 0;
    uint8_t tag[5] = {1, 2, 3, 4, 5};
    good_cfg(&c);
    c.pages = st_pages;
    c.pages_size = sizeof st_pages;
    c.slots = st_slots;
    c.slot_count = 4;
    c.page_count = 0;
    ck_assert_uint_ge(sizeof st_pages, 64 * 4);
    ck_assert_uint_eq(sizeof st_slots / sizeof st_slots[0], 4);
    ck_assert_int_eq(vm_init(&vm, &c), VM_OK);
    ck_assert_uint_eq(vm_page_count(&vm), 4);
    ck_assert_uint_eq(VM_RAM_COST(64, 4), 64u * 4u + 4u * sizeof(struct vm_slot) + sizeof(struct vm));
    ck_assert_uint_eq(VM_SLOT_BYTES, sizeof(struct vm_slot));
    p.x = 7;
    p.y = 0xDEADBEEFu;
    memset(p.tag, 0, sizeof p.tag);
    ck_assert_int_eq(VM_SET(&vm, 61, &p), VM_OK); /* across a page boundary */
    ck_assert_int_eq(VM_SET_MEMBER(&vm, 61, struct point, tag, &tag), VM_OK);
    ck_assert_int_eq(VM_GET_MEMBER(&vm, 61, struct point, y, &y), VM_OK);
    ck_assert_uint_eq(y, 0xDEADBEEFu);
    ck_assert_int_eq(VM_GET(&vm, 61, &q), VM_OK);
    ck_assert_uint_eq(q.x, 7);
    ck_assert_mem_eq(q.tag, tag, 5);
    ck_assert_int_eq(vm_flush(&vm), VM_OK);
    ck_assert_mem_eq(cfg_mem + 61 + offsetof(struct point, tag), tag, 5);
    ck_assert_int_eq(vm_check(&vm), VM_OK);
}
END_TEST

START_TEST(policy_names)
{
    ck_assert_str_eq(vm_policy_name(VM_POLICY_FIFO), "fifo");
    ck_assert_str_eq(vm_policy_name(VM_POLICY_LRU), "lru");
    ck_assert_str_eq(vm_policy_name(VM_POLICY_CLOCK), "clock");
    ck_assert_str_eq(vm_policy_name(VM_POLICY_SIEVE), "sieve");
    ck_assert_str_eq(vm_policy_name(77), "?");
    ck_assert_ptr_nonnull(vm_policy_name(0));
}
END_TEST

/* ------------------------------------------------------ range and locks -- */

START_TEST(range_errors)
{
    uint8_t buf[256];
    struct vm_lock lk;
    int cmp = 7;
    vm_addr_t len = 5;
    vm_addr_t pool;
    mk(64, 4, 1000, VM_POLICY_LRU);
    pool = vm_pool_size(&T->vm);
    memset(&lk, 0, sizeof lk);
    ck_assert_int_eq(vm_read(&T->vm, buf, pool - 10, 11), VM_ERR_RANGE);
    ck_assert_int_eq(vm_read(&T->vm, buf, pool, 1), VM_ERR_RANGE);
    ck_assert_int_eq(vm_read(&T->vm, buf, 0x7FFFFFF0u, 32), VM_ERR_RANGE);
    ck_assert_int_eq(vm_read(&T->vm, buf, 16, (size_t)0xFFFFFFF8u), VM_ERR_RANGE);
    ck_assert_int_eq(vm_write(&T->vm, pool - 1, buf, 2), VM_ERR_RANGE);
    ck_assert_int_eq(vm_write(&T->vm, 100, buf, (size_t)0xFFFFFFFFu), VM_ERR_RANGE);
    {
        uint8_t v8 = 0xA5;
        uint16_t v16 = 0xA5A5;
        uint32_t v32 = 0xA5A5A5A5u;
        ck_assert_int_eq(vm_get8(&T->vm, pool, &v8), VM_ERR_RANGE);
        ck_assert_int_eq(vm_get16(&T->vm, pool - 1, &v16), VM_ERR_RANGE);
        ck_assert_int_eq(vm_get32(&T->vm, pool - 3, &v32), VM_ERR_RANGE);
        /* A failed typed read leaves its output as it was. */
        ck_assert_uint_eq(v8, 0xA5);
        ck_assert_uint_eq(v16, 0xA5A5);
        ck_assert_uint_eq(v32, 0xA5A5A5A5u);
        ck_assert_int_eq(vm_set8(&T->vm, pool, 1), VM_ERR_RANGE);
        ck_assert_int_eq(vm_set16(&T->vm, pool - 1, 1), VM_ERR_RANGE);
        ck_assert_int_eq(vm_set32(&T->vm, pool - 2, 1), VM_ERR_RANGE);
    }
    ck_assert_int_eq(vm_lock(&T->vm, pool - 2, 4, VM_LOCK_RO, &lk), VM_ERR_RANGE);
    ck_assert_int_eq(vm_lock(&T->vm, pool + 64, 4, VM_LOCK_RW, &lk), VM_ERR_RANGE);
    ck_assert_int_eq(vm_memset(&T->vm, pool - 4, 0, 5), VM_ERR_RANGE);
    ck_assert_int_eq(vm_memset(&T->vm, 8, 0, 0xFFFFFFFCu), VM_ERR_RANGE);
    ck_assert_int_eq(vm_memmove(&T->vm, pool - 4, 0, 5), VM_ERR_RANGE);
    ck_assert_int_eq(vm_memmove(&T->vm, 0, pool - 4, 5), VM_ERR_RANGE);
    ck_assert_int_eq(vm_memcmp(&T->vm, 0, pool - 4, 5, &cmp), VM_ERR_RANGE);
    ck_assert_int_eq(vm_memcmp_ram(&T->vm, pool - 4, buf, 5, &cmp), VM_ERR_RANGE);
    ck_assert_int_eq(vm_strncpy(&T->vm, pool - 4, 0, 5), VM_ERR_RANGE);
    ck_assert_int_eq(cmp, 7); /* results are written only on success */
    /* Nothing happened. */
    ck_assert_uint_eq(T->ram.reads + T->ram.writes, 0);
    ck_assert_uint_eq(vm_stats(&T->vm)->loads, 0);
    /* strlen with no NUL before the pool's end. */
    memset(T->mem + pool - 10, 'x', 10);
    ck_assert_int_eq(vm_strlen(&T->vm, pool - 10, &len), VM_ERR_RANGE);
    ck_assert_uint_eq(len, 5);
}
END_TEST

START_TEST(lock_arg_errors)
{
    struct vm_lock lk;
    mk(64, 4, 4096, VM_POLICY_CLOCK);
    memset(&lk, 0, sizeof lk);
    ck_assert_int_eq(vm_lock(&T->vm, 10, 0, VM_LOCK_RW, &lk), VM_ERR_INVAL);
    ck_assert_int_eq(vm_lock(&T->vm, 10, 4, 0, &lk), VM_ERR_INVAL);
    ck_assert_int_eq(vm_lock(&T->vm, 10, 4, 4, &lk), VM_ERR_INVAL);
    ck_assert_int_eq(vm_lock(&T->vm, 10, 4, 0xFF, &lk), VM_ERR_INVAL);
    ck_assert_uint_eq(vm_stats(&T->vm)->locks, 0);
    /* Not held: a zeroed handle, then a double unlock. */
    ck_assert_int_eq(vm_unlock(&T->vm, &lk), VM_ERR_NOTLOCKED);
    ck_assert_int_eq(vm_lock(&T->vm, 10, 4, VM_LOCK_RW, &lk), VM_OK);
    ck_assert_uint_eq(lk.mode, VM_LOCK_RW);
    ck_assert_int_eq(vm_unlock(&T->vm, &lk), VM_OK);
    ck_assert_uint_eq(lk.mode, 0);
    ck_assert_int_eq(vm_unlock(&T->vm, &lk), VM_ERR_NOTLOCKED);
    ck_assert_uint_eq(vm_stats(&T->vm)->locks, 1);
    ck_assert_uint_eq(vm_stats(&T->vm)->unlocks, 1);
    /* A handle copied from a released lock is not held either. */
    {
        struct vm_lock a, b;
        ck_assert_int_eq(vm_lock(&T->vm, 200, 4, VM_LOCK_RO, &a), VM_OK);
        b = a;
        ck_assert_int_eq(vm_unlock(&T->vm, &a), VM_OK);
        ck_assert_int_eq(vm_unlock(&T->vm, &b), VM_ERR_NOTLOCKED);
    }
}
END_TEST

START_TEST(all_slots_locked)
{
    struct vm_lock lk[4], extra;
    uint8_t v = 0, buf[8];
    unsigned i;
    mk(64, 4, 4096, _i + 1);
    for (i = 0; i < 4; i++) {
        ck_assert_int_eq(vm_lock(&T->vm, 64u * (2u * i + 1u) + 3u, 8, VM_LOCK_RW, &lk[i]), VM_OK);
        memset(lk[i].ptr, (int)(0x40 + i), 8);
    }
    ck_assert_int_eq(vm_next_victim(&T->vm), -1);
    /* Another page: BUSY everywhere, never a crash. */
    ck_assert_int_eq(vm_get8(&T->vm, 2048, &v), VM_ERR_BUSY);
    ck_assert_int_eq(vm_set8(&T->vm, 2048, 1), VM_ERR_BUSY);
    ck_assert_int_eq(vm_read(&T->vm, buf, 2000, 8), VM_ERR_BUSY);
    ck_assert_int_eq(vm_write(&T->vm, 2000, buf, 8), VM_ERR_BUSY);
    ck_assert_int_eq(vm_lock(&T->vm, 3000, 4, VM_LOCK_RO, &extra), VM_ERR_BUSY);
    ck_assert_int_eq(vm_memset(&T->vm, 3000, 0, 10), VM_ERR_BUSY);
    ck_assert_int_eq(vm_check(&T->vm), VM_OK);
    /* The locked pages still work. */
    ck_assert_int_eq(vm_get8(&T->vm, 64 + 3, &v), VM_OK);
    ck_assert_uint_eq(v, 0x40);
    ck_assert_int_eq(vm_set8(&T->vm, 64 * 3 + 5, 9), VM_OK);
    ck_assert_uint_eq(((uint8_t *)lk[1].ptr)[2], 9);
    /* Release one: the next access evicts exactly that page. */
    ck_assert_int_eq(vm_unlock(&T->vm, &lk[2]), VM_OK);
    ck_assert_int_eq(vm_next_victim(&T->vm), vm_slot_of(&T->vm, 64 * 5));
    ck_assert_int_eq(vm_get8(&T->vm, 2048, &v), VM_OK);
    ck_assert_uint_eq(v, T->mem[2048]);
    ck_assert_int_eq(vm_slot_of(&T->vm, 64 * 5), -1);
    for (i = 0; i < 4; i++)
        if (i != 2)
            ck_assert_int_eq(vm_unlock(&T->vm, &lk[i]), VM_OK);
    ck_assert_int_eq(vm_flush(&T->vm), VM_OK);
    ck_assert_uint_eq(T->mem[64 * 5 + 3], 0x42);
    ck_assert_uint_eq(T->mem[64 * 3 + 5], 9);
}
END_TEST

START_TEST(lock_count_overflow)
{
    static struct vm_lock lk[256];
    unsigned i;
    mk(64, 2, 4096, VM_POLICY_FIFO);
    for (i = 0; i < 255; i++)
        ck_assert_int_eq(vm_lock(&T->vm, 100, 4, i & 1 ? VM_LOCK_RO : VM_LOCK_RW, &lk[i]), VM_OK);
    ck_assert_int_eq(vm_lock(&T->vm, 100, 4, VM_LOCK_RO, &lk[255]), VM_ERR_BUSY);
    ck_assert_int_eq(vm_lock(&T->vm, 64, 1, VM_LOCK_RO, &lk[255]), VM_ERR_BUSY);
    ck_assert_int_eq(vm_check(&T->vm), VM_OK);
    {
        struct tc_walk w;
        int s = vm_slot_of(&T->vm, 100);
        tc_walk(T, &w);
        ck_assert_int_ge(s, 0);
        ck_assert_uint_eq(w.s[s].locks, 255);
    }
    for (i = 0; i < 255; i++)
        ck_assert_int_eq(vm_unlock(&T->vm, &lk[i]), VM_OK);
    ck_assert_int_eq(vm_unlock(&T->vm, &lk[0]), VM_ERR_NOTLOCKED);
    ck_assert_uint_eq(vm_stats(&T->vm)->locks, 255);
    ck_assert_uint_eq(vm_stats(&T->vm)->unlocks, 255);
    /* The page is evictable again. */
    {
        uint8_t v;
        ck_assert_int_eq(vm_get8(&T->vm, 1000, &v), VM_OK);
        ck_assert_int_eq(vm_get8(&T->vm, 2000, &v), VM_OK);
        ck_assert_int_eq(vm_get8(&T->vm, 3000, &v), VM_OK);
        ck_assert_int_eq(vm_slot_of(&T->vm, 100), -1);
    }
}
END_TEST

START_TEST(lock_modes)
{
    struct vm_lock a, b, c;
    uint8_t buf[64];
    mk(64, 4, 4096, VM_POLICY_LRU);
    /* RO: the data, never dirty. */
    ck_assert_int_eq(vm_lock(&T->vm, 70, 20, VM_LOCK_RO, &a), VM_OK);
    ck_assert_uint_eq(a.len, 20);
    ck_assert_uint_eq(a.addr, 70);
    ck_assert_mem_eq(a.ptr, T->mem + 70, 20);
    ck_assert_int_eq(vm_unlock(&T->vm, &a), VM_OK);
    ck_assert_int_eq(vm_flush(&T->vm), VM_OK);
    ck_assert_uint_eq(T->ram.writes, 0);
    /* RW: the data; changes reach the backend. */
    ck_assert_int_eq(vm_lock(&T->vm, 130, 10, VM_LOCK_RW, &a), VM_OK);
    ck_assert_mem_eq(a.ptr, T->mem + 130, 10);
    memset(a.ptr, 0xEE, 10);
    ck_assert_int_eq(vm_unlock(&T->vm, &a), VM_OK);
    ck_assert_int_eq(vm_read(&T->vm, buf, 128, 14), VM_OK);
    ck_assert_uint_eq(buf[2], 0xEE);
    ck_assert_uint_eq(buf[11], 0xEE);
    ck_assert_uint_eq(buf[12], T->mem[140]);
    ck_assert_int_eq(vm_flush(&T->vm), VM_OK);
    ck_assert_uint_eq(T->mem[139], 0xEE);
    /* WO on a fresh page fetches nothing. */
    tc_clear_logs(T);
    ck_assert_int_eq(vm_lock(&T->vm, 1024 + 4, 30, VM_LOCK_WO, &a), VM_OK);
    memset(a.ptr, 0x11, 30);
    ck_assert_int_eq(vm_unlock(&T->vm, &a), VM_OK);
    ck_assert_uint_eq(T->ram.reads, 0);
    ck_assert_int_eq(vm_read(&T->vm, buf, 1024, 40), VM_OK); /* the rest is fetched */
    ck_assert_mem_eq(buf, T->mem + 1024, 4);
    ck_assert_uint_eq(buf[4], 0x11);
    ck_assert_uint_eq(buf[33], 0x11);
    ck_assert_mem_eq(buf + 34, T->mem + 1024 + 34, 6);
    /* Nested locks of one page are counted and independent. */
    ck_assert_int_eq(vm_lock(&T->vm, 2048, 8, VM_LOCK_RO, &a), VM_OK);
    ck_assert_int_eq(vm_lock(&T->vm, 2048 + 4, 8, VM_LOCK_RW, &b), VM_OK);
    ck_assert_ptr_eq((uint8_t *)a.ptr + 4, b.ptr);
    ck_assert_int_eq(vm_unlock(&T->vm, &a), VM_OK);
    ck_assert_int_eq(vm_unlock(&T->vm, &a), VM_ERR_NOTLOCKED);
    ck_assert_int_eq(vm_lock(&T->vm, 2048 + 8, 1, VM_LOCK_RO, &c), VM_OK);
    ck_assert_int_eq(vm_unlock(&T->vm, &c), VM_OK);
    ck_assert_int_eq(vm_unlock(&T->vm, &b), VM_OK);
    {
        struct tc_walk w;
        unsigned k;
        tc_walk(T, &w);
        for (k = 0; k < w.n; k++)
            ck_assert_uint_eq(w.s[k].locks, 0);
    }
}
END_TEST

START_TEST(lock_bounce)
{
    struct vm_lock a, b, c, d;
    uint8_t buf[128], v, orig130;
    mk(64, 4, 4096, VM_POLICY_CLOCK);
    orig130 = T->mem[130];
    /* A straddling range that fits: locked whole, through the bounce buffer. */
    ck_assert_int_eq(vm_lock(&T->vm, 120, 16, VM_LOCK_RW, &a), VM_OK);
    ck_assert_uint_eq(a.len, 16);
    ck_assert_uint_eq(a.slot, VM_BOUNCE_SLOT);
    ck_assert_mem_eq(a.ptr, T->mem + 120, 16);
    memset(a.ptr, 0x77, 16);
    /* Reads and writes of the range see the bounce buffer. */
    ck_assert_int_eq(vm_read(&T->vm, buf, 112, 32), VM_OK);
    ck_assert_mem_eq(buf, T->mem + 112, 8);
    ck_assert_uint_eq(buf[8], 0x77);
    ck_assert_uint_eq(buf[23], 0x77);
    ck_assert_mem_eq(buf + 24, T->mem + 136, 8);
    ck_assert_int_eq(vm_set8(&T->vm, 125, 0x99), VM_OK);
    ck_assert_uint_eq(((uint8_t *)a.ptr)[5], 0x99);
    ck_assert_int_eq(vm_get8(&T->vm, 130, &v), VM_OK);
    ck_assert_uint_eq(v, 0x77);
    /* A nested lock of exactly that range is counted. */
    ck_assert_int_eq(vm_lock(&T->vm, 120, 16, VM_LOCK_RO, &b), VM_OK);
    ck_assert_ptr_eq(b.ptr, a.ptr);
    /* Another straddling range, or an in-page lock overlapping it: BUSY. */
    ck_assert_int_eq(vm_lock(&T->vm, 250, 10, VM_LOCK_RO, &c), VM_ERR_BUSY);
    ck_assert_int_eq(vm_lock(&T->vm, 121, 10, VM_LOCK_RO, &c), VM_ERR_BUSY);
    ck_assert_int_eq(vm_lock(&T->vm, 128, 2, VM_LOCK_RW, &c), VM_ERR_BUSY);
    ck_assert_int_eq(vm_lock(&T->vm, 64, 56, VM_LOCK_RO, &c), VM_OK); /* touches, no overlap */
    ck_assert_int_eq(vm_unlock(&T->vm, &c), VM_OK);
    ck_assert_int_eq(vm_unlock(&T->vm, &b), VM_OK);
    ck_assert_uint_eq(T->mem[130], orig130); /* not written back yet */
    ck_assert_int_eq(vm_unlock(&T->vm, &a), VM_OK);
    ck_assert_int_eq(vm_unlock(&T->vm, &a), VM_ERR_NOTLOCKED);
    ck_assert_int_eq(vm_read(&T->vm, buf, 120, 16), VM_OK);
    ck_assert_uint_eq(buf[0], 0x77);
    ck_assert_uint_eq(buf[5], 0x99);
    ck_assert_int_eq(vm_flush(&T->vm), VM_OK);
    ck_assert_uint_eq(T->mem[120], 0x77);
    ck_assert_uint_eq(T->mem[135], 0x77);
    /* The bounce buffer is free again. */
    ck_assert_int_eq(vm_lock(&T->vm, 250, 10, VM_LOCK_WO, &c), VM_OK);
    ck_assert_uint_eq(c.len, 10);
    memset(c.ptr, 0x33, 10);
    /* A straddling range longer than a page is trimmed at the boundary. */
    ck_assert_int_eq(vm_lock(&T->vm, 500, 100, VM_LOCK_RO, &d), VM_OK);
    ck_assert_uint_eq(d.len, 12);
    ck_assert_mem_eq(d.ptr, T->mem + 500, 12);
    ck_assert_int_eq(vm_unlock(&T->vm, &d), VM_OK);
    ck_assert_int_eq(vm_unlock(&T->vm, &c), VM_OK);
    ck_assert_int_eq(vm_flush(&T->vm), VM_OK);
    ck_assert_uint_eq(T->mem[250], 0x33);
    ck_assert_uint_eq(T->mem[259], 0x33);
}
END_TEST

START_TEST(lock_no_bounce_trims)
{
    struct tc_geom g;
    struct vm_lock a;
    memset(&g, 0, sizeof g);
    g.page_size = 64;
    g.page_count = 2;
    g.no_bounce = 1;
    g.fill_seed = 5;
    T = tc_new(&g);
    ck_assert_int_eq(vm_lock(&T->vm, 60, 8, VM_LOCK_RW, &a), VM_OK);
    ck_assert_uint_eq(a.len, 4);
    ck_assert_mem_eq(a.ptr, T->mem + 60, 4);
    ck_assert_int_eq(vm_unlock(&T->vm, &a), VM_OK);
}
END_TEST

/* ----------------------------------------------------------- bulk -- */

START_TEST(bulk_helpers)
{
    static const char hello[] = "hello, pager";
    uint8_t buf[300];
    vm_addr_t len = 0;
    int cmp = 99, i;
    mk(16, 2, 2048, VM_POLICY_SIEVE);
    ck_assert_int_eq(vm_memset(&T->vm, 5, 'a', 100), VM_OK);
    ck_assert_int_eq(vm_set8(&T->vm, 105, 0), VM_OK);
    ck_assert_int_eq(vm_strlen(&T->vm, 5, &len), VM_OK);
    ck_assert_uint_eq(len, 100);
    ck_assert_int_eq(vm_strlen(&T->vm, 105, &len), VM_OK);
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(vm_write(&T->vm, 300, hello, sizeof hello), VM_OK);
    ck_assert_int_eq(vm_strncpy(&T->vm, 400, 300, 20), VM_OK);
    ck_assert_int_eq(vm_read(&T->vm, buf, 400, 21), VM_OK);
    ck_assert_str_eq((char *)buf, hello);
    for (i = (int)sizeof hello; i < 20; i++)
        ck_assert_uint_eq(buf[i], 0); /* padded */
    ck_assert_uint_eq(buf[20], T->mem[420]);
    ck_assert_int_eq(vm_strncpy(&T->vm, 500, 300, 5), VM_OK); /* no NUL added */
    ck_assert_int_eq(vm_read(&T->vm, buf, 500, 6), VM_OK);
    ck_assert_mem_eq(buf, "hello", 5);
    ck_assert_uint_eq(buf[5], T->mem[505]);
    ck_assert_int_eq(vm_strcmp(&T->vm, 300, 400, &cmp), VM_OK);
    ck_assert_int_eq(cmp, 0);
    ck_assert_int_eq(vm_set8(&T->vm, 405, 0xF0), VM_OK);
    ck_assert_int_eq(vm_strcmp(&T->vm, 300, 400, &cmp), VM_OK);
    ck_assert_int_lt(cmp, 0); /* bytes compare as unsigned char */
    ck_assert_int_eq(vm_strcmp(&T->vm, 400, 300, &cmp), VM_OK);
    ck_assert_int_gt(cmp, 0);
    ck_assert_int_eq(vm_memcmp(&T->vm, 300, 400, 5, &cmp), VM_OK);
    ck_assert_int_eq(cmp, 0);
    ck_assert_int_eq(vm_memcmp(&T->vm, 300, 400, 6, &cmp), VM_OK);
    ck_assert_int_lt(cmp, 0);
    ck_assert_int_eq(vm_memcmp_ram(&T->vm, 300, hello, sizeof hello, &cmp), VM_OK);
    ck_assert_int_eq(cmp, 0);
    ck_assert_int_eq(vm_memcmp_ram(&T->vm, 300, "hellp", 5, &cmp), VM_OK);
    ck_assert_int_lt(cmp, 0);
    /* Overlapping moves, both directions, across many 16-byte pages. */
    for (i = 0; i < 200; i++)
        buf[i] = (uint8_t)(i * 7 + 1);
    ck_assert_int_eq(vm_write(&T->vm, 1000, buf, 200), VM_OK);
    ck_assert_int_eq(vm_memmove(&T->vm, 1013, 1000, 150), VM_OK);
    ck_assert_int_eq(vm_read(&T->vm, buf + 200 - 200, 1013, 150), VM_OK);
    for (i = 0; i < 150; i++)
        ck_assert_uint_eq(buf[i], (uint8_t)(i * 7 + 1));
    ck_assert_int_eq(vm_memmove(&T->vm, 1000, 1013, 150), VM_OK);
    ck_assert_int_eq(vm_read(&T->vm, buf, 1000, 150), VM_OK);
    for (i = 0; i < 150; i++)
        ck_assert_uint_eq(buf[i], (uint8_t)(i * 7 + 1));
    ck_assert_int_eq(vm_memcpy(&T->vm, 1500, 1000, 0), VM_OK);
    ck_assert_int_eq(vm_memset(&T->vm, 1500, 1, 0), VM_OK);
    ck_assert_int_eq(vm_memcmp(&T->vm, 0, 1000, 0, &cmp), VM_OK);
    ck_assert_int_eq(cmp, 0);
}
END_TEST

/* ------------------------------------------------------ flush, check -- */

static int sync_calls;
static int count_sync(void *ctx)
{
    (void)ctx;
    sync_calls++;
    return VM_OK;
}

START_TEST(flush_and_invalidate)
{
    struct vm_lock lk;
    uint8_t v;
    mk(64, 4, 4096, VM_POLICY_FIFO);
    T->ram.backend.sync = count_sync;
    sync_calls = 0;
    ck_assert_int_eq(vm_flush(&T->vm), VM_OK);
    ck_assert_int_eq(sync_calls, 1);
    ck_assert_int_eq(vm_set8(&T->vm, 10, 1), VM_OK);
    ck_assert_int_eq(vm_set8(&T->vm, 100, 2), VM_OK);
    ck_assert_int_eq(vm_lock(&T->vm, 200, 4, VM_LOCK_RW, &lk), VM_OK);
    memset(lk.ptr, 3, 4);
    ck_assert_int_eq(vm_invalidate(&T->vm), VM_OK);
    ck_assert_int_ge(sync_calls, 2);
    ck_assert_uint_eq(T->mem[10], 1);
    ck_assert_uint_eq(T->mem[100], 2);
    ck_assert_uint_eq(T->mem[203], 3); /* locked pages are flushed too */
    ck_assert_int_eq(vm_slot_of(&T->vm, 10), -1);
    ck_assert_int_eq(vm_slot_of(&T->vm, 100), -1);
    ck_assert_int_ge(vm_slot_of(&T->vm, 200), 0); /* locked: kept */
    /* The next access reloads from the backend. */
    T->mem[10] = 0x5C;
    ck_assert_int_eq(vm_get8(&T->vm, 10, &v), VM_OK);
    ck_assert_uint_eq(v, 0x5C);
    ck_assert_int_eq(vm_unlock(&T->vm, &lk), VM_OK);
}
END_TEST

START_TEST(check_detects_damage)
{
    uint8_t v;
    int s0, s1;
    mk(64, 4, 4096, VM_POLICY_LRU);
    ck_assert_int_eq(vm_get8(&T->vm, 0, &v), VM_OK);
    ck_assert_int_eq(vm_set8(&T->vm, 64 + 5, 1), VM_OK);
    s0 = vm_slot_of(&T->vm, 0);
    s1 = vm_slot_of(&T->vm, 64);
    ck_assert_int_eq(vm_check(&T->vm), VM_OK);
    {
        struct vm_slot save = T->slots[s0];
        T->slots[s0].base = 3; /* not page-aligned */
        ck_assert_int_eq(vm_check(&T->vm), VM_ERR_CHECK);
        T->slots[s0].base = 64; /* the same page twice */
        ck_assert_int_eq(vm_check(&T->vm), VM_ERR_CHECK);
        T->slots[s0].base = 8192; /* outside the pool */
        ck_assert_int_eq(vm_check(&T->vm), VM_ERR_CHECK);
        T->slots[s0] = save;
        T->slots[s0].vlo = 10;
        T->slots[s0].vhi = 5; /* vlo > vhi */
        ck_assert_int_eq(vm_check(&T->vm), VM_ERR_CHECK);
        T->slots[s0] = save;
        T->slots[s0].vhi = 65; /* past the extent */
        ck_assert_int_eq(vm_check(&T->vm), VM_ERR_CHECK);
        T->slots[s0] = save;
    }
    {
        struct vm_slot save = T->slots[s1];
        T->slots[s1].dlo = 0;
        T->slots[s1].dhi = 64;
        T->slots[s1].vlo = 4; /* dirty outside valid */
        ck_assert_int_eq(vm_check(&T->vm), VM_ERR_CHECK);
        T->slots[s1] = save;
    }
    {
        int e = -1, k;
        for (k = 0; k < 4; k++)
            if (k != s0 && k != s1)
                e = k;
        T->slots[e].locks = 1; /* an empty slot with a lock */
        ck_assert_int_eq(vm_check(&T->vm), VM_ERR_CHECK);
        T->slots[e].locks = 0;
    }
    ck_assert_int_eq(vm_check(&T->vm), VM_OK);
}
END_TEST

/* ---------------------------------------------------------- statistics -- */

START_TEST(stats_counters)
{
    const struct vm_stats *st;
    struct vm_lock lk;
    uint8_t buf[200];
    uint8_t v;
    mk(64, 2, 4096, VM_POLICY_FIFO);
    st = vm_stats(&T->vm);
    ck_assert_int_eq(vm_get8(&T->vm, 5, &v), VM_OK);         /* miss, load 64 */
    ck_assert_int_eq(vm_get8(&T->vm, 6, &v), VM_OK);         /* hit */
    ck_assert_int_eq(vm_read(&T->vm, buf, 60, 10), VM_OK);    /* hit + miss */
    ck_assert_uint_eq(vm_stats(&T->vm)->hits, 2);
    ck_assert_uint_eq(st->misses, 2);
    ck_assert_uint_eq(st->loads, 2);
    ck_assert_uint_eq(st->bytes_read, 128);
    ck_assert_uint_eq(st->evictions, 0);
    ck_assert_int_eq(vm_set16(&T->vm, 10, 0xABCD), VM_OK);   /* hit, dirty [10,12) */
    ck_assert_int_eq(vm_read(&T->vm, buf, 130, 10), VM_OK);   /* miss: evicts page 0 */
    ck_assert_uint_eq(st->misses, 3);
    ck_assert_uint_eq(st->evictions, 1);
    ck_assert_uint_eq(st->writebacks, 1);
    ck_assert_uint_eq(st->bytes_written, 2);
    ck_assert_int_eq(vm_lock(&T->vm, 140, 4, VM_LOCK_RO, &lk), VM_OK);
    ck_assert_int_eq(vm_unlock(&T->vm, &lk), VM_OK);
    ck_assert_int_eq(vm_unlock(&T->vm, &lk), VM_ERR_NOTLOCKED);
    ck_assert_uint_eq(st->locks, 1);
    ck_assert_uint_eq(st->unlocks, 1);
    ck_assert_uint_eq(st->errors, 0);
    vm_wrap_faults(&T->wrap, 1234, 65535, 65535);
    ck_assert_int_eq(vm_read(&T->vm, buf, 1000, 1), VM_ERR_IO);
    ck_assert_uint_eq(st->errors, 1);
    ck_assert_uint_eq(st->loads, 3);
    vm_wrap_faults(&T->wrap, 0, 0, 0);
    {
        struct tc_walk w;
        unsigned k;
        vm_count_t loads = 0, ev = 0, wb = 0;
        tc_walk(T, &w);
        for (k = 0; k < w.n; k++) {
            loads += w.s[k].loads;
            ev += w.s[k].evictions;
            wb += w.s[k].writebacks;
        }
        ck_assert_uint_eq(loads, st->loads);
        ck_assert_uint_eq(ev, st->evictions);
        ck_assert_uint_eq(wb, st->writebacks);
    }
    vm_stats_reset(&T->vm);
    {
        struct vm_stats zero;
        struct tc_walk w;
        unsigned k;
        memset(&zero, 0, sizeof zero);
        ck_assert_mem_eq(st, &zero, sizeof zero);
        tc_walk(T, &w);
        for (k = 0; k < w.n; k++) {
            ck_assert_uint_eq(w.s[k].loads, 0);
            ck_assert_uint_eq(w.s[k].evictions, 0);
            ck_assert_uint_eq(w.s[k].writebacks, 0);
        }
    }
    /* Reset clears counters only: the cache is as it was. */
    ck_assert_int_ge(vm_slot_of(&T->vm, 130), 0);
    ck_assert_int_eq(vm_get8(&T->vm, 131, &v), VM_OK);
    ck_assert_uint_eq(vm_stats(&T->vm)->hits, 1);
    ck_assert_uint_eq(st->misses, 0);
    /* vm_invalidate evicts without a load: each slot's evictions still
     * add up to the total (vm.c keeps them as evictions less loads). */
    ck_assert_int_eq(vm_invalidate(&T->vm), VM_OK);
    ck_assert_uint_eq(vm_stats(&T->vm)->evictions, 1);
    {
        struct tc_walk w;
        unsigned k;
        vm_count_t loads = 0, ev = 0;
        tc_walk(T, &w);
        for (k = 0; k < w.n; k++) {
            loads += w.s[k].loads;
            ev += w.s[k].evictions;
        }
        ck_assert_uint_eq(loads, st->loads);
        ck_assert_uint_eq(ev, st->evictions);
    }
}
END_TEST

/* -------------------------------------------------------------- events -- */

struct want_ev {
    uint8_t type;
    int slot; /* -1: any */
    vm_addr_t addr;
    vm_addr_t len; /* 0xFFFFFFFF: any */
};
#define ANY 0xFFFFFFFFu

static const char *ev_name(unsigned t)
{
    static const char *const n[] = {"LOAD", "FILL", "EVICT", "WRITEBACK", "DIRTY",
                                    "LOCK", "UNLOCK", "ERROR"};
    return t < 8 ? n[t] : "?";
}

/* The events since the last call must be exactly `want` as a multiset, in
 * the order given for WRITEBACK/EVICT/LOAD. */
static void expect_events(const struct want_ev *want, unsigned n, const char *step)
{
    unsigned i, j;
    int used[TC_EVENTS_MAX];
    memset(used, 0, sizeof used);
    ck_assert_msg(T->n_ev == n, "%s: %u events, want %u (first: %s)", step, T->n_ev, n,
                  T->n_ev ? ev_name(T->ev[0].type) : "-");
    for (i = 0; i < n; i++) {
        int found = 0;
        for (j = 0; j < T->n_ev && !found; j++) {
            const struct vm_event *e = &T->ev[j];
            if (used[j] || e->type != want[i].type)
                continue;
            if (want[i].slot >= 0 && e->slot != (vm_slot_t)want[i].slot)
                continue;
            if (want[i].addr != ANY && e->addr != want[i].addr)
                continue;
            if (want[i].len != ANY && e->len != want[i].len)
                continue;
            used[j] = 1;
            found = 1;
        }
        ck_assert_msg(found, "%s: no %s event (slot %d addr %ld len %ld)", step,
                      ev_name(want[i].type), want[i].slot,
                      want[i].addr == ANY ? -1L : (long)want[i].addr,
                      want[i].len == ANY ? -1L : (long)want[i].len);
    }
    /* Write-back, then eviction, then load. */
    {
        int wb = -1, ev = -1, ld = -1;
        for (j = 0; j < T->n_ev; j++) {
            if (T->ev[j].type == VM_EV_WRITEBACK && wb < 0) wb = (int)j;
            if (T->ev[j].type == VM_EV_EVICT && ev < 0) ev = (int)j;
            if (T->ev[j].type == VM_EV_LOAD && ld < 0) ld = (int)j;
        }
        if (wb >= 0 && ev >= 0)
            ck_assert_msg(wb < ev, "%s: EVICT before its WRITEBACK", step);
        if (ev >= 0 && ld >= 0)
            ck_assert_msg(ev < ld, "%s: LOAD before the EVICT", step);
    }
    T->n_ev = 0;
}

/* Path counters: each call counts its entry path and each touch; the hit
 * paths sum to stats.hits. */
START_TEST(path_counters)
{
#if VM_CONFIG_PATHS
    const struct vm_stats *st;
    struct vm_lock lk;
    uint8_t buf[8], v;
    unsigned p;
    vm_count_t sum = 0;
    mk(64, 2, 4096, VM_POLICY_FIFO);
    st = vm_stats(&T->vm);
    ck_assert_int_eq(vm_get8(&T->vm, 5, &v), VM_OK); /* out of line: miss */
    ck_assert_uint_eq(st->path[VM_PATH_GET_SLOW], 1);
    ck_assert_uint_eq(st->path[VM_PATH_TOUCH_MISS], 1);
    ck_assert_int_eq(vm_get8(&T->vm, 6, &v), VM_OK); /* hot page, inline */
    ck_assert_uint_eq(st->path[VM_PATH_GET_HOT], 1);
    ck_assert_int_eq(vm_get32(&T->vm, 62, (uint32_t *)(void *)buf), VM_OK); /* straddles */
    ck_assert_uint_eq(st->path[VM_PATH_GET_SLOW], 2);
    ck_assert_uint_eq(st->path[VM_PATH_READ], 1);
    ck_assert_uint_eq(st->path[VM_PATH_TOUCH_HIT], 1);
    ck_assert_uint_eq(st->path[VM_PATH_TOUCH_MISS], 2);
    ck_assert_int_eq(vm_write(&T->vm, 10, buf, 2), VM_OK);
    ck_assert_uint_eq(st->path[VM_PATH_WRITE], 1);
    ck_assert_int_eq(vm_lock(&T->vm, 70, 4, VM_LOCK_RO, &lk), VM_OK);
    ck_assert_int_eq(vm_unlock(&T->vm, &lk), VM_OK);
    ck_assert_uint_eq(st->path[VM_PATH_LOCK], 1);
    ck_assert_uint_eq(st->path[VM_PATH_UNLOCK], 1);
    ck_assert_int_eq(vm_lock(&T->vm, 60, 8, VM_LOCK_RO, &lk), VM_OK);
    ck_assert_int_eq(vm_unlock(&T->vm, &lk), VM_OK);
    ck_assert_uint_eq(st->path[VM_PATH_LOCK_BOUNCE], 1);
    st = vm_stats(&T->vm);
    ck_assert_uint_eq(st->hits, st->path[VM_PATH_GET_HOT] + st->path[VM_PATH_SET_HOT] +
                                    st->path[VM_PATH_SET_GROW] + st->path[VM_PATH_TOUCH_HIT]);
    ck_assert_uint_eq(st->misses, st->path[VM_PATH_TOUCH_MISS]);
    for (p = 0; p < VM_PATH_COUNT; p++) {
        ck_assert_str_ne(vm_path_name(p), "?");
        sum += st->path[p];
    }
    ck_assert_str_eq(vm_path_name(VM_PATH_COUNT), "?");
    ck_assert_uint_gt(sum, 0);
    vm_stats_reset(&T->vm);
    for (p = 0; p < VM_PATH_COUNT; p++) ck_assert_uint_eq(vm_stats(&T->vm)->path[p], 0);
#endif
}
END_TEST

/* The inline write's routes, each with its path count and the bytes it
 * moves: appending to a page being filled (valid and dirty ranges ending
 * together) never fetches; a write inside the dirty range, or growing it
 * inside the valid range, is SET_HOT; growing below, SET_GROW; a gap, a
 * straddle or a clean page goes out of line. Pages 0 and 4 share a set
 * whenever there are at most 4 sets, so the writes alternate between two
 * ways, and between the entry of the latest write and the set lookup. */
START_TEST(inline_write_routes)
{
#if VM_CONFIG_PATHS
    static uint8_t ref[4096], got[4096];
    const struct vm_stats *st;
    struct vm *vm;
    vm_count_t grow, hot, slow;
    unsigned i;
    uint8_t v;
    mk(64, 4, 4096, VM_POLICY_FIFO);
    vm = &T->vm;
    tc_peek(T, 0, sizeof ref, ref);
#define W8(a, x)                                                               \
    do {                                                                       \
        TC_ASSERT_EQ(vm_set8(vm, (a), (uint8_t)(x)), VM_OK);                   \
        ref[a] = (uint8_t)(x);                                                 \
    } while (0)
#define W16(a, x)                                                              \
    do {                                                                       \
        uint16_t x_ = (uint16_t)(x);                                           \
        TC_ASSERT_EQ(vm_set16(vm, (a), x_), VM_OK);                            \
        memcpy(&ref[a], &x_, 2);                                               \
    } while (0)
#define W32(a, x)                                                              \
    do {                                                                       \
        uint32_t x_ = (uint32_t)(x);                                           \
        TC_ASSERT_EQ(vm_set32(vm, (a), x_), VM_OK);                            \
        memcpy(&ref[a], &x_, 4);                                               \
    } while (0)
#define PATHS()                                                                \
    do {                                                                       \
        st = vm_stats(vm);                                                     \
        grow = st->path[VM_PATH_SET_GROW];                                     \
        hot = st->path[VM_PATH_SET_HOT];                                       \
        slow = st->path[VM_PATH_SET_SLOW];                                     \
    } while (0)
    /* Fill page 0 ascending: one miss, then 63 appends, nothing fetched. */
    W8(0, 1);
    PATHS();
    ck_assert_uint_eq(slow, 1);
    for (i = 1; i < 64; i++) W8(i, i * 7u);
    st = vm_stats(vm);
    ck_assert_uint_eq(st->path[VM_PATH_SET_GROW], 63);
    ck_assert_uint_eq(st->path[VM_PATH_SET_SLOW], 1);
    ck_assert_uint_eq(st->bytes_read, 0);
    TC_CHECK(T);
    /* Page 4 (same set) with 16-bit appends, alternating with writes
     * inside page 0's dirty range. */
    W16(256, 0xA1A2);
    PATHS();
    for (i = 258; i < 320; i += 2) {
        W16(i, i * 3u);
        W8(i - 256u, i);
    }
    st = vm_stats(vm);
    ck_assert_uint_eq(st->path[VM_PATH_SET_SLOW], slow);
    ck_assert_uint_eq(st->path[VM_PATH_SET_GROW], grow + 31u);
    ck_assert_uint_eq(st->path[VM_PATH_SET_HOT], hot + 31u);
    ck_assert_uint_eq(st->bytes_read, 0);
    TC_CHECK(T);
    /* Page 1 descending with 32-bit writes: growth below the ranges. */
    W32(124, 0x11223344u);
    PATHS();
    for (i = 120; i >= 64; i -= 4) W32(i, i * 0x01010101u);
    st = vm_stats(vm);
    ck_assert_uint_eq(st->path[VM_PATH_SET_GROW], grow + 15u);
    ck_assert_uint_eq(st->path[VM_PATH_SET_SLOW], slow);
    ck_assert_uint_eq(st->bytes_read, 0);
    /* Page 2: a gap past the valid end needs a fetch (out of line). */
    W8(128, 5);
    W8(129, 6);
    PATHS();
    W8(140, 7);
    st = vm_stats(vm);
    ck_assert_uint_eq(st->path[VM_PATH_SET_SLOW], slow + 1u);
    ck_assert_uint_gt(st->bytes_read, 0);
    /* A value straddling pages 2 and 3 goes out of line too. */
    W32(190, 0xCAFEF00Du);
    st = vm_stats(vm);
    ck_assert_uint_eq(st->path[VM_PATH_SET_SLOW], slow + 2u);
    TC_CHECK(T);
    /* Page 3 read whole (valid beyond the dirty range): a write at the end
     * of the dirty range grows it inside the valid range, SET_HOT, never
     * the append. */
    ck_assert_int_eq(vm_get8(vm, 230, &v), VM_OK);
    ck_assert_uint_eq(v, ref[230]);
    W8(200, 9);
    PATHS();
    W8(201, 10);
    W8(202, 11);
    st = vm_stats(vm);
    ck_assert_uint_eq(st->path[VM_PATH_SET_HOT], hot + 2u);
    ck_assert_uint_eq(st->path[VM_PATH_SET_GROW], grow);
    TC_CHECK(T);
#undef W8
#undef W16
#undef W32
#undef PATHS
    ck_assert_int_eq(vm_flush(vm), VM_OK);
    tc_peek(T, 0, sizeof got, got);
    ck_assert_mem_eq(got, ref, sizeof ref);
    memcpy(got, T->mem, sizeof got);
    ck_assert_mem_eq(got, ref, sizeof ref);
    st = vm_stats(vm);
    ck_assert_uint_eq(st->hits, st->path[VM_PATH_GET_HOT] + st->path[VM_PATH_SET_HOT] +
                                    st->path[VM_PATH_SET_GROW] + st->path[VM_PATH_TOUCH_HIT]);
#endif
}
END_TEST

/* The inline read-only lock of a hot page (vm.h) and its unlock: each
 * counts LOCK_HOT / UNLOCK_HOT (the lock also its TOUCH_HIT) and the lock
 * statistics, fills the handle as vm__lock would, and an unlock refuses
 * every handle vm__unlock refuses. Anything else (an observer, a writing
 * mode, a page that is not hot, a straddle, a full lock count) goes out of
 * line. */
START_TEST(inline_lock_routes)
{
#if VM_CONFIG_PATHS && VM__LOCK_INLINE
    const struct vm_stats *st;
    struct vm_lock a, b, c;
    struct tc_geom g;
    struct tc_walk w;
    struct vm *vm;
    static struct vm_lock many[256];
    vm_count_t lh, uh, lo, uo, th, locks, unlocks;
    unsigned i;
    uint8_t v;
    memset(&g, 0, sizeof g);
    g.page_size = 64;
    g.page_count = 4;
    g.pool_size = 4096;
    g.policy = VM_POLICY_SIEVE;
    g.fill_seed = 5;
    g.no_events = 1;
    T = tc_new(&g);
    vm = &T->vm;
#define MARK()                                                                 \
    do {                                                                       \
        st = vm_stats(vm);                                                     \
        lh = st->path[VM_PATH_LOCK_HOT];                                       \
        uh = st->path[VM_PATH_UNLOCK_HOT];                                     \
        lo = st->path[VM_PATH_LOCK];                                           \
        uo = st->path[VM_PATH_UNLOCK];                                         \
        th = st->path[VM_PATH_TOUCH_HIT];                                      \
        locks = st->locks;                                                     \
        unlocks = st->unlocks;                                                 \
    } while (0)
#define EXPECT(dlh, duh, dlo, duo)                                             \
    do {                                                                       \
        st = vm_stats(vm);                                                     \
        ck_assert_uint_eq(st->path[VM_PATH_LOCK_HOT], lh + (dlh));             \
        ck_assert_uint_eq(st->path[VM_PATH_UNLOCK_HOT], uh + (duh));           \
        ck_assert_uint_eq(st->path[VM_PATH_LOCK], lo + (dlo));                 \
        ck_assert_uint_eq(st->path[VM_PATH_UNLOCK], uo + (duo));               \
        ck_assert_uint_eq(st->locks, locks + (dlh) + (dlo));                   \
        ck_assert_uint_eq(st->unlocks, unlocks + (duh) + (duo));               \
    } while (0)
    /* Pages 0 and 1 read (and referenced): hot. */
    ck_assert_int_eq(vm_get8(vm, 3, &v), VM_OK);
    ck_assert_int_eq(vm_get8(vm, 3, &v), VM_OK);
    ck_assert_int_eq(vm_get8(vm, 70, &v), VM_OK);
    ck_assert_int_eq(vm_get8(vm, 70, &v), VM_OK);
    MARK();
    ck_assert_int_eq(vm_lock(vm, 10, 8, VM_LOCK_RO, &a), VM_OK);
    EXPECT(1, 0, 0, 0);
    ck_assert_uint_eq(st->path[VM_PATH_TOUCH_HIT], th + 1u);
    ck_assert_ptr_eq(a.ptr, (uint8_t *)T->pages + 64u * (unsigned)vm_slot_of(vm, 0) + 10u);
    ck_assert_uint_eq(a.len, 8);
    ck_assert_uint_eq(a.addr, 10);
    ck_assert_uint_eq(a.mode, VM_LOCK_RO);
    ck_assert_uint_eq(a.slot, (unsigned)vm_slot_of(vm, 0));
    ck_assert_mem_eq(a.ptr, T->mem + 10, 8);
    tc_walk(T, &w);
    ck_assert_uint_eq(w.s[a.slot].locks, 1);
    /* A second lock on page 1 up to its very end, unlocked in the other order. */
    ck_assert_int_eq(vm_lock(vm, 100, 28, VM_LOCK_RO, &b), VM_OK);
    EXPECT(2, 0, 0, 0);
    ck_assert_int_eq(vm_unlock(vm, &a), VM_OK);
    ck_assert_uint_eq(a.mode, 0);
    EXPECT(2, 1, 0, 0);
    ck_assert_int_eq(vm_unlock(vm, &b), VM_OK);
    EXPECT(2, 2, 0, 0);
    TC_CHECK(T);
    tc_walk(T, &w);
    for (i = 0; i < w.n; i++) ck_assert_uint_eq(w.s[i].locks, 0);
    /* A released handle, or a copy of one, is not held. */
    ck_assert_int_eq(vm_unlock(vm, &a), VM_ERR_NOTLOCKED);
    ck_assert_int_eq(vm_lock(vm, 20, 4, VM_LOCK_RO, &a), VM_OK);
    c = a;
    ck_assert_int_eq(vm_unlock(vm, &a), VM_OK);
    ck_assert_int_eq(vm_unlock(vm, &c), VM_ERR_NOTLOCKED);
    EXPECT(3, 3, 0, 0);
    /* A handle changed after the lock is refused, then accepted again. */
    ck_assert_int_eq(vm_lock(vm, 20, 4, VM_LOCK_RO, &a), VM_OK);
    ck_assert_int_eq(vm_lock(vm, 84, 4, VM_LOCK_RO, &b), VM_OK);
    c = a;
    c.ptr = (uint8_t *)c.ptr + 1;
    ck_assert_int_eq(vm_unlock(vm, &c), VM_ERR_NOTLOCKED);
    c = a;
    c.addr += 64; /* page 1, which is locked too */
    ck_assert_int_eq(vm_unlock(vm, &c), VM_ERR_NOTLOCKED);
    c = a;
    c.len = 64 - 20 + 1;
    ck_assert_int_eq(vm_unlock(vm, &c), VM_ERR_NOTLOCKED);
    c = a;
    c.len = (size_t)-1; /* offset + length wraps around */
    ck_assert_int_eq(vm_unlock(vm, &c), VM_ERR_NOTLOCKED);
    c = a;
    c.slot = b.slot;
    ck_assert_int_eq(vm_unlock(vm, &c), VM_ERR_NOTLOCKED);
    c = a;
    c.mode = 0;
    ck_assert_int_eq(vm_unlock(vm, &c), VM_ERR_NOTLOCKED);
    ck_assert_int_eq(vm_unlock(vm, NULL), VM_ERR_NOTLOCKED);
    ck_assert_int_eq(vm_unlock(vm, &b), VM_OK);
    ck_assert_int_eq(vm_unlock(vm, &a), VM_OK);
    EXPECT(5, 5, 0, 0);
    /* Out of line: a writing lock, a straddle, a page not hot, no handle,
     * a length past the page or zero. */
    ck_assert_int_eq(vm_lock(vm, 30, 4, VM_LOCK_RW, &a), VM_OK);
    ck_assert_int_eq(vm_unlock(vm, &a), VM_OK);
    EXPECT(5, 5, 1, 1);
    ck_assert_int_eq(vm_lock(vm, 60, 8, VM_LOCK_RO, &a), VM_OK);
    ck_assert_uint_eq(a.slot, VM_BOUNCE_SLOT);
    ck_assert_int_eq(vm_unlock(vm, &a), VM_OK);
    ck_assert_uint_eq(vm_stats(vm)->path[VM_PATH_LOCK_BOUNCE], 1);
    ck_assert_uint_eq(vm_stats(vm)->path[VM_PATH_UNLOCK], uo + 2u);
    MARK();
    ck_assert_int_eq(vm_lock(vm, 1000, 4, VM_LOCK_RO, &a), VM_OK); /* a miss */
    ck_assert_int_eq(vm_unlock(vm, &a), VM_OK);
    EXPECT(0, 0, 1, 1);
    ck_assert_int_eq(vm_lock(vm, 10, 4, VM_LOCK_RO, NULL), VM_ERR_INVAL);
    ck_assert_int_eq(vm_lock(vm, 10, 0, VM_LOCK_RO, &a), VM_ERR_INVAL);
    ck_assert_int_eq(vm_lock(vm, 0, 65, VM_LOCK_RO, &a), VM_OK); /* trimmed */
    ck_assert_uint_eq(a.len, 64);
    ck_assert_int_eq(vm_unlock(vm, &a), VM_OK);
    EXPECT(0, 1, 2, 1); /* the trimmed lock's unlock is inline */
    /* The lock count's limit holds inline too. */
    for (i = 0; i < 255; i++) ck_assert_int_eq(vm_lock(vm, 8, 1, VM_LOCK_RO, &many[i]), VM_OK);
    ck_assert_int_eq(vm_lock(vm, 8, 1, VM_LOCK_RO, &many[255]), VM_ERR_BUSY);
    EXPECT(255, 1, 2, 1);
    for (i = 0; i < 255; i++) ck_assert_int_eq(vm_unlock(vm, &many[i]), VM_OK);
    EXPECT(255, 256, 2, 1);
    TC_CHECK(T);
    /* Cooled (as a recorder does): every lock and unlock is out of line. */
    ck_assert_int_eq(vm_lock(vm, 10, 4, VM_LOCK_RO, &a), VM_OK);
    vm__cool(vm);
    ck_assert_int_eq(vm_unlock(vm, &a), VM_OK);
    ck_assert_int_eq(vm_lock(vm, 10, 4, VM_LOCK_RO, &a), VM_OK);
    EXPECT(256, 256, 3, 2);
    ck_assert_int_eq(vm_unlock(vm, &a), VM_OK); /* the lock made it hot again */
    EXPECT(256, 257, 3, 2);
    st = vm_stats(vm);
    ck_assert_uint_eq(st->hits, st->path[VM_PATH_GET_HOT] + st->path[VM_PATH_SET_HOT] +
                                    st->path[VM_PATH_SET_GROW] + st->path[VM_PATH_TOUCH_HIT]);
    TC_CHECK(T);
#undef MARK
#undef EXPECT
#endif
}
END_TEST

/* The short path (core/vm.c, short_slot): a typed access or a lock of a
 * resident page that is not hot and needs no fetch is a touch hit made
 * without vm__touch_lh, counted as SHORT with its TOUCH_HIT. The page is
 * made hot only when it was one of the two latest touches' pages, so a walk
 * over more resident pages than one set holds stays on it. Every policy
 * (_i + 1); the differential suites check the policies' decisions. */
START_TEST(short_path_routes)
{
#if VM_CONFIG_PATHS && VM__SHORT
    vm_count_t b[VM_PATH_COUNT];
    struct vm *vm;
    struct vm_lock lk;
    uint8_t v, w;
    unsigned p;
    mk(64, 4, 4096, (uint8_t)(_i + 1));
    vm = &T->vm;
    for (p = 0; p < 4; p++) ck_assert_int_eq(vm_get8(vm, 64u * p, &v), VM_OK); /* resident */
    vm__cool(vm); /* and none of them hot */
    /* b: the path counts before; D(p): taken since. */
#define D(p_) (vm_stats(vm)->path[p_] - b[p_])
    memcpy(b, vm_stats(vm)->path, sizeof b);
    /* A walk over the four pages, twice. */
    for (p = 0; p < 8; p++) {
        ck_assert_int_eq(vm_get8(vm, 64u * (p % 4u) + 5u, &v), VM_OK);
        ck_assert_uint_eq(v, T->mem[64u * (p % 4u) + 5u]);
    }
    ck_assert_uint_eq(D(VM_PATH_TOUCH_MISS), 0);
#if VM_CONFIG_HOT_SETS == 1
    /* One set: every access short, none made hot... */
    ck_assert_uint_eq(D(VM_PATH_SHORT), 8);
    ck_assert_uint_eq(D(VM_PATH_GET_HOT), 0);
    /* ... until the latest page is touched again: short, and made hot. */
    ck_assert_int_eq(vm_get8(vm, 64u * 3u + 6u, &v), VM_OK);
    ck_assert_int_eq(vm_get8(vm, 64u * 3u + 7u, &v), VM_OK);
    ck_assert_uint_eq(D(VM_PATH_SHORT), 9);
    ck_assert_uint_eq(D(VM_PATH_GET_HOT), 1);
#else
    /* More sets: each page short once and made hot (LRU serves two pages
     * inline at most: core/vm.c, point 5). */
    ck_assert_uint_eq(D(VM_PATH_SHORT), _i + 1 == VM_POLICY_LRU ? 8 : 4);
    ck_assert_uint_eq(D(VM_PATH_GET_HOT), _i + 1 == VM_POLICY_LRU ? 0 : 4);
#endif
    ck_assert_uint_eq(D(VM_PATH_TOUCH_HIT), D(VM_PATH_SHORT));
    /* A write inside a valid range, read back. */
    vm__cool(vm);
    memcpy(b, vm_stats(vm)->path, sizeof b);
    ck_assert_int_eq(vm_set8(vm, 64u + 1u, 0x5A), VM_OK);
    ck_assert_uint_eq(D(VM_PATH_SHORT), 1);
    ck_assert_int_eq(vm_get8(vm, 64u + 1u, &w), VM_OK);
    ck_assert_uint_eq(w, 0x5A);
    /* A lock of a page that is not hot. */
    vm__cool(vm);
    memcpy(b, vm_stats(vm)->path, sizeof b);
    ck_assert_int_eq(vm_lock(vm, 128u + 8u, 8, VM_LOCK_RO, &lk), VM_OK);
    ck_assert_mem_eq(lk.ptr, T->mem + 136, 8);
    ck_assert_int_eq(vm_unlock(vm, &lk), VM_OK);
    ck_assert_uint_eq(D(VM_PATH_SHORT), 1);
    ck_assert_uint_eq(D(VM_PATH_TOUCH_HIT), 1);
    /* A page that is not resident: a miss, not the short path. */
    ck_assert_int_eq(vm_get8(vm, 64u * 10u, &v), VM_OK);
    ck_assert_uint_eq(D(VM_PATH_SHORT), 1);
    ck_assert_uint_eq(D(VM_PATH_TOUCH_MISS), 1);
    TC_CHECK(T);
#undef D
#endif
}
END_TEST

START_TEST(events_sequence)
{
    struct vm_lock lk;
    uint8_t v;
    mk(16, 2, 256, VM_POLICY_FIFO);
    T->n_ev = 0;

    ck_assert_int_eq(vm_get8(&T->vm, 3, &v), VM_OK);
    {
        struct want_ev w[] = {{VM_EV_LOAD, 0, 0, 16}};
        expect_events(w, 1, "get8(3)");
    }
    ck_assert_int_eq(vm_set8(&T->vm, 1, 0xAA), VM_OK);
    {
        struct want_ev w[] = {{VM_EV_DIRTY, 0, ANY, ANY}};
        expect_events(w, 1, "set8(1)");
    }
    ck_assert_int_eq(vm_set8(&T->vm, 2, 0xAB), VM_OK); /* already dirty: nothing */
    expect_events(NULL, 0, "set8(2)");
    ck_assert_int_eq(vm_get8(&T->vm, 20, &v), VM_OK);
    {
        struct want_ev w[] = {{VM_EV_LOAD, 1, 16, 16}};
        expect_events(w, 1, "get8(20)");
    }
    ck_assert_int_eq(vm_get8(&T->vm, 40, &v), VM_OK); /* FIFO: evicts slot 0 (dirty) */
    {
        struct want_ev w[] = {{VM_EV_WRITEBACK, 0, 1, 2}, {VM_EV_EVICT, 0, ANY, ANY},
                              {VM_EV_LOAD, 0, 32, 16}};
        expect_events(w, 3, "get8(40)");
    }
    ck_assert_int_eq(vm_lock(&T->vm, 36, 4, VM_LOCK_RW, &lk), VM_OK);
    {
        struct want_ev w[] = {{VM_EV_LOCK, 0, 36, 4}, {VM_EV_DIRTY, 0, ANY, ANY}};
        expect_events(w, 2, "lock(36,4,RW)");
    }
    ck_assert_int_eq(vm_unlock(&T->vm, &lk), VM_OK);
    {
        struct want_ev w[] = {{VM_EV_UNLOCK, 0, ANY, ANY}};
        expect_events(w, 1, "unlock");
    }
    ck_assert_int_eq(vm_lock(&T->vm, 30, 4, VM_LOCK_RO, &lk), VM_OK); /* bounced */
    {
        struct want_ev w[] = {{VM_EV_LOCK, VM_BOUNCE_SLOT, 30, 4}};
        /* Loading page 16 again is allowed to show; count only the lock. */
        ck_assert_uint_eq(tc_count_events(T, VM_EV_LOCK), 1);
        ck_assert_uint_eq(tc_count_events(T, VM_EV_DIRTY), 0);
        {
            unsigned j;
            int ok = 0;
            for (j = 0; j < T->n_ev; j++)
                if (T->ev[j].type == VM_EV_LOCK && T->ev[j].slot == w[0].slot &&
                    T->ev[j].addr == 30 && T->ev[j].len == 4)
                    ok = 1;
            ck_assert_msg(ok, "bounced lock: no LOCK event on VM_BOUNCE_SLOT");
        }
        T->n_ev = 0;
    }
    ck_assert_int_eq(vm_unlock(&T->vm, &lk), VM_OK);
    ck_assert_uint_eq(tc_count_events(T, VM_EV_UNLOCK), 1);
    ck_assert_uint_eq(tc_count_events(T, VM_EV_WRITEBACK), 0); /* RO: nothing written */
    T->n_ev = 0;
    ck_assert_int_eq(vm_flush(&T->vm), VM_OK);
    {
        struct want_ev w[] = {{VM_EV_WRITEBACK, -1, 36, 4}};
        expect_events(w, 1, "flush");
    }
    /* A failed read: ERROR, and no LOAD. */
    vm_wrap_faults(&T->wrap, 77, 65535, 0);
    ck_assert_int_eq(vm_get8(&T->vm, 200, &v), VM_ERR_IO);
    ck_assert_uint_eq(tc_count_events(T, VM_EV_ERROR), 1);
    ck_assert_uint_eq(tc_count_events(T, VM_EV_LOAD), 0);
    {
        unsigned j;
        for (j = 0; j < T->n_ev; j++)
            if (T->ev[j].type == VM_EV_ERROR)
                ck_assert_int_eq(T->ev[j].err, VM_ERR_IO);
    }
    T->n_ev = 0;
    /* A failed write-back: ERROR, no WRITEBACK, no EVICT. */
    vm_wrap_faults(&T->wrap, 0, 0, 0);
    ck_assert_int_eq(vm_set8(&T->vm, 100, 1), VM_OK);
    ck_assert_int_eq(vm_set8(&T->vm, 120, 1), VM_OK);
    T->n_ev = 0;
    vm_wrap_faults(&T->wrap, 78, 0, 65535);
    ck_assert_int_eq(vm_get8(&T->vm, 150, &v), VM_ERR_IO);
    ck_assert_uint_eq(tc_count_events(T, VM_EV_ERROR), 1);
    ck_assert_uint_eq(tc_count_events(T, VM_EV_WRITEBACK), 0);
    ck_assert_uint_eq(tc_count_events(T, VM_EV_EVICT), 0);
    ck_assert_uint_eq(tc_count_events(T, VM_EV_LOAD), 0);
    vm_wrap_faults(&T->wrap, 0, 0, 0);
}
END_TEST

/* ------------------------------------------------------ walk, slot_of -- */

START_TEST(walk_reports_slots)
{
    struct tc_walk w;
    struct vm_lock lk;
    uint8_t v;
    unsigned k, resident = 0;
    /* A pool that ends inside a page. */
    mk(64, 4, 1000, _i + 1);
    tc_walk(T, &w);
    for (k = 0; k < 4; k++) {
        ck_assert_uint_eq(w.s[k].index, k);
        ck_assert_uint_eq(w.s[k].base, VM_NO_PAGE);
        ck_assert_uint_eq(w.s[k].age, VM_SLOT_NONE);
        ck_assert_uint_eq(w.s[k].locks, 0);
    }
    ck_assert_int_eq(vm_next_victim(&T->vm), 0); /* lowest empty slot */
    ck_assert_uint_eq(w.s[0].next_victim, 1);
    ck_assert_int_eq(vm_get8(&T->vm, 990, &v), VM_OK);   /* last page: 960..999 */
    ck_assert_int_eq(vm_get8(&T->vm, 991, &v), VM_OK);   /* a hit */
    ck_assert_int_eq(vm_set8(&T->vm, 70, 4), VM_OK);     /* page 64, dirty [6,7) */
    ck_assert_int_eq(vm_lock(&T->vm, 130, 2, VM_LOCK_RO, &lk), VM_OK);
    tc_walk(T, &w);
    for (k = 0; k < 4; k++) {
        const struct vm_slot_info *s = &w.s[k];
        if (s->base == VM_NO_PAGE)
            continue;
        resident++;
        ck_assert_int_eq(vm_slot_of(&T->vm, s->base), (int)k);
        ck_assert_int_eq(vm_slot_of(&T->vm, s->base + 17), (int)k);
        ck_assert_ptr_nonnull(s->data);
        ck_assert_uint_le(s->vlo, s->vhi);
        ck_assert_uint_le(s->vhi, s->extent);
        {
            unsigned b;
            for (b = s->vlo; b < s->vhi; b++) /* clean valid bytes are the pool's */
                if (b < s->dlo || b >= s->dhi)
                    ck_assert_uint_eq(s->data[b], T->mem[s->base + b]);
        }
        if (s->base == 960) {
            ck_assert_uint_eq(s->extent, 40);
            ck_assert_uint_eq(s->dlo, s->dhi);
            if (vm_policy(&T->vm) == VM_POLICY_CLOCK || vm_policy(&T->vm) == VM_POLICY_SIEVE)
                ck_assert_uint_eq(s->ref, 1); /* hit after the load */
        } else {
            ck_assert_uint_eq(s->extent, 64);
        }
        if (s->base == 64) {
            ck_assert_uint_eq(s->dlo, 6);
            ck_assert_uint_eq(s->dhi, 7);
            ck_assert_uint_eq(s->data[6], 4);
        }
        if (s->base == 128)
            ck_assert_uint_eq(s->locks, 1);
        else
            ck_assert_uint_eq(s->locks, 0);
        ck_assert_uint_eq(s->loads, 1);
    }
    ck_assert_uint_eq(resident, 3);
    ck_assert_int_eq(vm_slot_of(&T->vm, 500), -1);
    ck_assert_int_eq(vm_slot_of(&T->vm, 5000), -1);
    ck_assert_int_eq(vm_slot_of(&T->vm, VM_NO_PAGE), -1);
    {
        int nv = vm_next_victim(&T->vm);
        ck_assert_int_ge(nv, 0);
        ck_assert_uint_eq(w.s[nv].base, VM_NO_PAGE);
        for (k = 0; k < 4; k++)
            ck_assert_uint_eq(w.s[k].next_victim, k == (unsigned)nv);
    }
    /* Fill up: the ages of a full cache are a permutation, and the next
     * victim is never the locked slot. */
    ck_assert_int_eq(vm_get8(&T->vm, 300, &v), VM_OK);
    tc_walk(T, &w);
    {
        unsigned seen = 0, nvs = 0;
        for (k = 0; k < 4; k++) {
            ck_assert_uint_lt(w.s[k].age, 4);
            seen |= 1u << w.s[k].age;
            nvs += w.s[k].next_victim;
            if (w.s[k].next_victim)
                ck_assert_int_eq((int)k, vm_next_victim(&T->vm));
        }
        ck_assert_uint_eq(seen, 15);
        ck_assert_uint_eq(nvs, 1);
        ck_assert_int_ne(vm_next_victim(&T->vm), vm_slot_of(&T->vm, 128));
    }
    ck_assert_int_eq(vm_unlock(&T->vm, &lk), VM_OK);
}
END_TEST

/* ---------------------------------------------------------- strerror -- */

START_TEST(strerror_all)
{
    int i, j;
    for (i = 0; i > -VM_ERR_COUNT; i--) {
        const char *m = vm_strerror(i);
        ck_assert_ptr_nonnull(m);
        ck_assert_uint_gt(strlen(m), 0);
        for (j = 0; j > i; j--)
            ck_assert_str_ne(m, vm_strerror(j));
    }
    ck_assert_ptr_nonnull(vm_strerror(-VM_ERR_COUNT));
    ck_assert_ptr_nonnull(vm_strerror(1));
    ck_assert_ptr_nonnull(vm_strerror(-1000));
    ck_assert_ptr_nonnull(vm_strerror(32767));
}
END_TEST

/* ----------------------------------------------------- wrapped pointers -- */

START_TEST(wrapped_pointers)
{
    static uint8_t ram[4096];
    uint8_t buf[64];
    vm_addr_t w0, w;
    struct vm_lock lk;
    int cmp = 0, i;
    vm_addr_t len = 0;
    uint8_t v8;
    uint16_t v16;
    uint32_t v32;
    mk(64, 2, 4096, VM_POLICY_CLOCK);
    for (i = 0; i < 4096; i++)
        ram[i] = (uint8_t)(i * 3);
    vm_set_wrap_base(&T->vm, ram);
    ck_assert_uint_eq(vm_wrap(&T->vm, NULL), VM_NULL);
    ck_assert_uint_eq(vm_wrap(&T->vm, (void *)((uintptr_t)ram - 1u)), VM_NULL); /* below */
    w0 = vm_wrap(&T->vm, ram);
    ck_assert(vm_is_wrapped(w0));
    ck_assert(!vm_is_wrapped(100));
    w = vm_wrap(&T->vm, ram + 100);
    ck_assert_ptr_eq(vm_unwrap(&T->vm, w), ram + 100);
    ck_assert_uint_eq(w - w0, 100);

    ck_assert_int_eq(vm_read(&T->vm, buf, w, 10), VM_OK); /* ram + 100 */
    ck_assert_mem_eq(buf, ram + 100, 10);
    memset(buf, 0xC3, 20);
    ck_assert_int_eq(vm_write(&T->vm, w + 1000, buf, 20), VM_OK);
    ck_assert_uint_eq(ram[1100], 0xC3);
    ck_assert_uint_eq(ram[1119], 0xC3);
    ck_assert_int_eq(vm_get8(&T->vm, w + 5, &v8), VM_OK);
    ck_assert_uint_eq(v8, ram[105]);
    ck_assert_int_eq(vm_set16(&T->vm, w + 7, 0x1234), VM_OK);
    ck_assert_int_eq(vm_get16(&T->vm, w + 7, &v16), VM_OK);
    ck_assert_uint_eq(v16, 0x1234);
    ck_assert_int_eq(vm_set32(&T->vm, w + 63, 0xCAFEF00Du), VM_OK); /* any "page" edge */
    ck_assert_int_eq(vm_get32(&T->vm, w + 63, &v32), VM_OK);
    ck_assert_uint_eq(v32, 0xCAFEF00Du);
    w = w0; /* from here on, offsets are from ram itself */
    ck_assert_int_eq(vm_memset(&T->vm, w + 2000, 0x42, 300), VM_OK);
    ck_assert_uint_eq(ram[2000], 0x42);
    ck_assert_uint_eq(ram[2299], 0x42);
    ck_assert_uint_eq(ram[2300], (uint8_t)(2300 * 3));
    ck_assert_int_eq(vm_memmove(&T->vm, w + 2010, w + 2000, 500), VM_OK); /* overlapping */
    ck_assert_uint_eq(ram[2309], 0x42);
    ck_assert_uint_eq(ram[2310], (uint8_t)(2300 * 3));
    ck_assert_int_eq(vm_lock(&T->vm, w + 3000, 200, VM_LOCK_RW, &lk), VM_OK);
    ck_assert_ptr_eq(lk.ptr, ram + 3000);
    ck_assert_uint_eq(lk.len, 200); /* no page boundary in plain RAM */
    ck_assert_int_eq(vm_unlock(&T->vm, &lk), VM_OK);
    ck_assert_int_eq(vm_memcmp(&T->vm, w + 2000, w + 2010, 10, &cmp), VM_OK);
    ck_assert_int_eq(cmp, 0);
    ram[3500] = 'h';
    ram[3501] = 'i';
    ram[3502] = 0;
    ck_assert_int_eq(vm_strlen(&T->vm, w + 3500, &len), VM_OK);
    ck_assert_uint_eq(len, 2);
    ck_assert_int_eq(vm_strncpy(&T->vm, w + 3600, w + 3500, 8), VM_OK);
    ck_assert_str_eq((char *)ram + 3600, "hi");
    ck_assert_int_eq(vm_strcmp(&T->vm, w + 3500, w + 3600, &cmp), VM_OK);
    ck_assert_int_eq(cmp, 0);
    ck_assert_int_eq(vm_memcmp_ram(&T->vm, w + 3500, "hi", 3, &cmp), VM_OK);
    ck_assert_int_eq(cmp, 0);
    /* None of that touched the pager. */
    ck_assert_uint_eq(T->ram.reads, 0);
    ck_assert_uint_eq(T->ram.writes, 0);
    ck_assert_uint_eq(vm_stats(&T->vm)->loads, 0);
    for (i = 0; i < 2; i++)
        ck_assert_uint_eq(T->slots[i].base, VM_NO_PAGE);

    /* Mixed: virtual <-> wrapped copies go through the pager on one side. */
    ck_assert_int_eq(vm_memmove(&T->vm, 200, w + 2000, 100), VM_OK);
    ck_assert_int_eq(vm_read(&T->vm, buf, 200, 10), VM_OK);
    ck_assert_uint_eq(buf[0], 0x42);
    ck_assert_int_eq(vm_memmove(&T->vm, w + 10, 1000, 40), VM_OK);
    ck_assert_mem_eq(ram + 10, T->mem + 1000, 40);
    ck_assert_int_eq(vm_memcmp(&T->vm, w + 2000, 200, 100, &cmp), VM_OK);
    ck_assert_int_eq(cmp, 0);
    ck_assert_int_eq(vm_flush(&T->vm), VM_OK);
    ck_assert_uint_eq(T->mem[250], 0x42);
}
END_TEST

/* ------------------------------------------------------------- vm_ram -- */

START_TEST(ram_backend)
{
    static uint8_t mem[256];
    struct vm_ram ram;
    struct vm_wrap w;
    uint8_t buf[16];
    int i, fails = 0, fails2 = 0;
    const struct vm_backend *be = &ram.backend;
    for (i = 0; i < 256; i++)
        mem[i] = (uint8_t)i;
    vm_ram_init(&ram, mem, 256);
    ck_assert_uint_eq(be->size, 256);
    ck_assert(be->read != NULL);
    ck_assert(be->write != NULL);
    ck_assert_int_eq(be->read(be->ctx, 10, buf, 16), VM_OK);
    ck_assert_mem_eq(buf, mem + 10, 16);
    memset(buf, 0xEE, 16);
    ck_assert_int_eq(be->write(be->ctx, 240, buf, 16), VM_OK);
    ck_assert_uint_eq(mem[255], 0xEE);
    ck_assert_uint_eq(ram.reads, 1);
    ck_assert_uint_eq(ram.writes, 1);
    if (be->sync)
        ck_assert_int_eq(be->sync(be->ctx), VM_OK);

    /* Faults come from vm_wrap around it: seeded, so the same seed fails the
     * same calls. */
    vm_wrap_init(&w, &ram.backend);
    be = &w.backend;
    ck_assert_uint_eq(w.n.faults, 0);
    vm_wrap_faults(&w, 42, 16384, 16384);
    for (i = 0; i < 400; i++)
        fails += be->read(be->ctx, 0, buf, 4) != VM_OK;
    ck_assert_int_gt(fails, 50);  /* about 100 of 400 */
    ck_assert_int_lt(fails, 160);
    ck_assert_uint_eq(w.n.faults, (unsigned)fails);
    vm_wrap_faults(&w, 42, 16384, 16384);
    for (i = 0; i < 400; i++)
        fails2 += be->read(be->ctx, 0, buf, 4) != VM_OK;
    ck_assert_int_eq(fails, fails2);
    /* A failed write may tear, but only a prefix reaches memory. */
    vm_wrap_faults(&w, 9, 0, 65535);
    memset(mem, 0, 256);
    memset(buf, 0x7F, 16);
    for (i = 0; i < 10; i++) {
        int rc = be->write(be->ctx, 100, buf, 16);
        if (rc != VM_OK) {
            int k = 0;
            ck_assert(tc_is_backend_err(rc));
            while (k < 16 && mem[100 + k] == 0x7F)
                k++;
            while (k < 16) {
                ck_assert_uint_eq(mem[100 + k], 0);
                k++;
            }
        }
        memset(mem, 0, 256);
    }
    /* seed 0 or both chances 0: off. */
    vm_wrap_faults(&w, 0, 65535, 65535);
    w.n.faults = 0;
    for (i = 0; i < 100; i++)
        ck_assert_int_eq(be->read(be->ctx, 0, buf, 4), VM_OK);
    vm_wrap_faults(&w, 5, 0, 0);
    for (i = 0; i < 100; i++)
        ck_assert_int_eq(be->write(be->ctx, 0, buf, 4), VM_OK);
    ck_assert_uint_eq(w.n.faults, 0);
}
END_TEST

/* Backend codes reach the caller unchanged; a failing sync fails the flush. */
START_TEST(backend_codes_propagate)
{
    static const int codes[4] = {VM_ERR_IO, VM_ERR_TIMEOUT, VM_ERR_CORRUPT, VM_ERR_NODEV};
    int code = codes[_i];
    uint8_t v = 0xA5;
    uint16_t v16 = 0xA5A5;
    uint32_t v32 = 0xA5A5A5A5u;
    unsigned j;
    mk(64, 2, 4096, VM_POLICY_LRU);
    T->fail_code = code;
    T->fail_reads = 1;
    T->fail_lo = 0;
    T->fail_hi = 4096;
    T->n_ev = 0;
    ck_assert_int_eq(vm_get8(&T->vm, 100, &v), code);
    for (j = 0; j < T->n_ev; j++)
        if (T->ev[j].type == VM_EV_ERROR)
            ck_assert_int_eq(T->ev[j].err, code);
    ck_assert_uint_eq(tc_count_events(T, VM_EV_ERROR), 1);
    /* A failed typed read leaves its output as it was (docs/pointers.md),
     * also when only the second page of a straddling value fails. */
    ck_assert_uint_eq(v, 0xA5);
    ck_assert_int_eq(vm_get16(&T->vm, 200, &v16), code);
    ck_assert_uint_eq(v16, 0xA5A5);
    ck_assert_int_eq(vm_get32(&T->vm, 300, &v32), code);
    T->fail_lo = 128;
    ck_assert_int_eq(vm_get32(&T->vm, 126, &v32), code);
    ck_assert_uint_eq(v32, 0xA5A5A5A5u);
    T->fail_lo = 0;
    T->fail_reads = 0;
    ck_assert_int_eq(vm_set8(&T->vm, 100, 7), VM_OK);
    T->fail_writes = 1;
    ck_assert_int_eq(vm_flush(&T->vm), code);
    T->fail_writes = 0;
    T->sync_code = code;
    T->syncs = 0;
    T->n_ev = 0;
    ck_assert_int_eq(vm_flush(&T->vm), code); /* written, but not made durable */
    ck_assert_uint_eq(T->mem[100], 7);
    ck_assert_uint_eq(T->syncs, 1);
    ck_assert_uint_eq(tc_count_events(T, VM_EV_ERROR), 1);
    T->sync_code = 0;
    ck_assert_int_eq(vm_flush(&T->vm), VM_OK);
}
END_TEST

/* Two instances share nothing: interleaved use of both, each checked
 * against its own model. */
START_TEST(instances_independent)
{
    struct tc_geom g;
    struct tc *a, *b;
    static uint8_t ma[4096], mb[4096];
    struct tc_rng r;
    unsigned k;
    memset(&g, 0, sizeof g);
    g.page_size = 64;
    g.page_count = 2;
    g.pool_size = 4096;
    g.policy = VM_POLICY_CLOCK;
    g.fill_seed = 1;
    a = tc_new(&g);
    g.page_size = 16;
    g.page_count = 3;
    g.policy = VM_POLICY_SIEVE;
    g.fill_seed = 2;
    b = tc_new(&g);
    memcpy(ma, a->mem, sizeof ma);
    memcpy(mb, b->mem, sizeof mb);
    tc_rng_seed(&r, 31337);
    for (k = 0; k < 20000; k++) {
        struct tc *t = k & 1 ? a : b;
        uint8_t *m = k & 1 ? ma : mb;
        vm_addr_t addr = tc_rng_below(&r, 4096);
        uint8_t v;
        if (tc_rng_chance(&r, 1, 2)) {
            uint8_t x = (uint8_t)tc_rng_next(&r);
            TC_ASSERT_EQ(vm_set8(&t->vm, addr, x), VM_OK);
            m[addr] = x;
        } else {
            TC_ASSERT_EQ(vm_get8(&t->vm, addr, &v), VM_OK);
            TC_ASSERT_EQ(v, m[addr]);
        }
    }
    ck_assert_int_eq(vm_flush(&a->vm), VM_OK);
    ck_assert_int_eq(vm_flush(&b->vm), VM_OK);
    ck_assert_mem_eq(a->mem, ma, sizeof ma);
    ck_assert_mem_eq(b->mem, mb, sizeof mb);
    ck_assert_int_eq(vm_check(&a->vm), VM_OK);
    ck_assert_int_eq(vm_check(&b->vm), VM_OK);
    tc_free(a);
    tc_free(b);
}
END_TEST

/* A bounce buffer smaller than a page bounds what is bounced. */
START_TEST(small_bounce_buffer)
{
    struct tc_geom g;
    struct vm_lock a;
    memset(&g, 0, sizeof g);
    g.page_size = 64;
    g.page_count = 2;
    g.bounce_size = 8;
    g.fill_seed = 5;
    T = tc_new(&g);
    ck_assert_int_eq(vm_lock(&T->vm, 60, 8, VM_LOCK_RW, &a), VM_OK);
    ck_assert_uint_eq(a.len, 8); /* fits: bounced */
    ck_assert_uint_eq(a.slot, VM_BOUNCE_SLOT);
    ck_assert_mem_eq(a.ptr, T->mem + 60, 8);
    ck_assert_int_eq(vm_unlock(&T->vm, &a), VM_OK);
    ck_assert_int_eq(vm_lock(&T->vm, 60, 9, VM_LOCK_RO, &a), VM_OK);
    ck_assert_uint_eq(a.len, 4); /* does not fit: trimmed */
    ck_assert_int_eq(vm_unlock(&T->vm, &a), VM_OK);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("unit-api");
    TCase *tc;

    tc = tcase_create("init");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_loop_test(tc, init_rejects_bad_config, 0, BAD_COUNT);
    tcase_add_test(tc, init_defaults);
    tcase_add_test(tc, init_page_count_limit);
    tcase_add_test(tc, policy_names);
    tcase_add_test(tc, storage_and_members);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, range_errors);
    tcase_add_test(tc, lock_arg_errors);
    tcase_add_loop_test(tc, all_slots_locked, 0, 4);
    tcase_add_test(tc, lock_count_overflow);
    suite_add_tcase(s, tc);

    tc = tcase_create("locks");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, lock_modes);
    tcase_add_test(tc, lock_bounce);
    tcase_add_test(tc, lock_no_bounce_trims);
    tcase_add_test(tc, small_bounce_buffer);
    suite_add_tcase(s, tc);

    tc = tcase_create("bulk");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, bulk_helpers);
    tcase_add_test(tc, flush_and_invalidate);
    tcase_add_test(tc, check_detects_damage);
    suite_add_tcase(s, tc);

    tc = tcase_create("observe");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, stats_counters);
    tcase_add_test(tc, path_counters);
    tcase_add_test(tc, inline_write_routes);
    tcase_add_test(tc, inline_lock_routes);
    tcase_add_loop_test(tc, short_path_routes, 0, 4);
    tcase_add_test(tc, events_sequence);
    tcase_add_loop_test(tc, walk_reports_slots, 0, 4);
    tcase_add_test(tc, strerror_all);
    suite_add_tcase(s, tc);

    tc = tcase_create("wrap");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, wrapped_pointers);
    tcase_add_test(tc, ram_backend);
    tcase_add_loop_test(tc, backend_codes_propagate, 0, 4);
    tcase_add_test(tc, instances_independent);
    suite_add_tcase(s, tc);

    return tc_run(s);
}
